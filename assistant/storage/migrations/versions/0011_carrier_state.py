"""A message's carrier state as the SMS provider reports it (Twilio's status callback: queued,
sent, delivered, undelivered, failed), apart from the outbox's own state.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("carrier_state", sa.String(20)))


def downgrade() -> None:
    op.drop_column("outbox", "carrier_state")
