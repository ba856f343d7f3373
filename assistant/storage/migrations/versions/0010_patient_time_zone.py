"""Patients carry their own time zone, for the hours a message may reach them. Stored patients
get none: their phone number's, else the practice's, is used.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("patients", sa.Column("time_zone", sa.String(100)))


def downgrade() -> None:
    op.drop_column("patients", "time_zone")
