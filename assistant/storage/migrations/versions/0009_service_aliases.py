"""Services carry aliases: the other names a booking system's export gives them, matched when a
spreadsheet is imported. Stored services get none.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("services", sa.Column("aliases", sa.Text, nullable=False, server_default="[]"))


def downgrade() -> None:
    op.drop_column("services", "aliases")
