"""Safe sending: one open draft per patient, the patient's contact slot, the outbox.

Revision ID: 0004
Revises: 0003
"""

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UNSENT = ("drafted", "needs_attention", "edited", "rejected", "pending_approval", "approved")
_WHERE = "status IN (" + ", ".join(f"'{s}'" for s in (*UNSENT, "queued")) + ")"


def upgrade() -> None:
    _supersede_duplicates()
    op.create_index(
        "ux_drafts_open_patient",
        "drafts",
        ["patient_id"],
        unique=True,
        sqlite_where=sa.text(_WHERE),
        postgresql_where=sa.text(_WHERE),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("draft_version", sa.Integer, nullable=False),
        sa.Column("patient_id", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger, nullable=False),
        sa.Column("lease_until", sa.BigInteger),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("delivered_at", sa.BigInteger),
        sa.Column("receipt", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_index("ix_outbox_due", "outbox", ["state", "next_attempt_at"])
    op.create_index("ix_outbox_draft", "outbox", ["draft_id"])
    op.create_table(
        "contact_slots",
        sa.Column("patient_id", sa.String(100), primary_key=True),
        sa.Column("message_id", sa.String(40), nullable=False),
        sa.Column("claimed_at", sa.BigInteger, nullable=False),
        sa.Column("released", sa.Boolean, nullable=False),
    )


def _supersede_duplicates() -> None:
    """Before the one-open-draft rule, a patient could have several open drafts: the newest
    stays open, the older ones become `superseded` (kept, with their history)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, patient_id, record FROM drafts WHERE status IN ("
            + ", ".join(f"'{s}'" for s in UNSENT)
            + ") ORDER BY patient_id, created_at DESC, id"
        )
    ).fetchall()
    seen: set[str] = set()
    for draft_id, patient_id, record in rows:
        if patient_id not in seen:
            seen.add(patient_id)
            continue
        data = orjson.loads(record)
        data["status"] = "superseded"
        bind.execute(
            sa.text("UPDATE drafts SET status = 'superseded', record = :record WHERE id = :id"),
            {"record": orjson.dumps(data).decode(), "id": draft_id},
        )


def downgrade() -> None:
    op.drop_table("contact_slots")
    op.drop_table("outbox")
    op.drop_index("ux_drafts_open_patient", "drafts")
