"""The consent ledger: the partial index the scan and every import read consent facts by now
covers `opted_in` as well as `opted_out`.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _index(name: str, where: str) -> None:
    op.create_index(
        name, "events", ["patient_id"], sqlite_where=sa.text(where), postgresql_where=sa.text(where)
    )


def upgrade() -> None:
    op.drop_index("ix_events_opted_out", table_name="events")
    _index("ix_events_consent", "kind IN ('opted_out', 'opted_in')")


def downgrade() -> None:
    op.drop_index("ix_events_consent", table_name="events")
    _index("ix_events_opted_out", "kind = 'opted_out'")
