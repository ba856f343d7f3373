"""Logins: failed attempts counted per account and per client address (for throttling and
lockout), and when each token was last used.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tokens", sa.Column("last_used_at", sa.BigInteger))
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("since", sa.BigInteger, nullable=False),
        sa.Column("locked_until", sa.BigInteger),
    )


def downgrade() -> None:
    op.drop_table("login_failures")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("last_used_at")
