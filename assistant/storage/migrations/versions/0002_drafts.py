"""Drafted messages awaiting review: the searchable fields, and the whole draft as JSON.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("patient_id", sa.String(100), nullable=False),
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.Column("moment", sa.String(40), nullable=False),
        sa.Column("offer", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("drafter", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
    )
    op.create_index("ix_drafts_as_of", "drafts", ["as_of"])
    op.create_index("ix_drafts_patient", "drafts", ["patient_id", "created_at"])


def downgrade() -> None:
    op.drop_table("drafts")
