"""The audit log shows tampering: every entry carries the seal (SHA-256) of the one before and its
own, a one-row head records how many entries the log holds and the last seal, and triggers refuse
what the append-only triggers of 0003 let through. The entries on file are numbered 1, 2, 3... in
their order (a rolled-back write can have left a gap in PostgreSQL's sequence) and chained.

SQLite: an INSERT naming an existing id is refused (`INSERT OR REPLACE` deletes the old row
without firing the DELETE trigger), and the head may only move forward. PostgreSQL: TRUNCATE is
refused, the head may only move forward, and when the migrating role is a superuser an event
trigger refuses DROP TABLE audit (a role that does not own the tables cannot drop them anyway;
see the README). A table dropped where nothing can refuse it is what `crosssell audit verify`
finds, from the head.

Revision ID: 0008
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from assistant.domain.audit import GENESIS, seal

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REFUSE = "SELECT RAISE(ABORT, 'the audit log is append-only')"
_SQLITE_UPDATE = f"CREATE TRIGGER audit_no_UPDATE BEFORE UPDATE ON audit BEGIN {REFUSE}; END"
_SQLITE_NO_UPDATE = "DROP TRIGGER audit_no_UPDATE"
_SQLITE = {
    "audit_no_replace": f"""CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
        WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id) BEGIN {REFUSE}; END""",
    "audit_head_no_replace": f"""CREATE TRIGGER audit_head_no_replace BEFORE INSERT ON audit_head
        WHEN EXISTS (SELECT 1 FROM audit_head) BEGIN {REFUSE}; END""",
    "audit_head_forward": f"""CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
        WHEN NEW.entries < OLD.entries OR NEW.id <> OLD.id BEGIN {REFUSE}; END""",
    "audit_head_no_delete": f"""CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
        BEGIN {REFUSE}; END""",
}
_PG = [
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
    """CREATE OR REPLACE FUNCTION audit_head_forward() RETURNS trigger AS $$
    BEGIN
      IF TG_OP <> 'UPDATE' OR NEW.entries < OLD.entries OR NEW.id <> OLD.id THEN
        RAISE EXCEPTION 'the audit log is append-only';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_head_forward()",
    "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
    """CREATE OR REPLACE FUNCTION audit_no_drop() RETURNS event_trigger AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects()
                 WHERE object_type = 'table' AND schema_name = current_schema()
                   AND object_name IN ('audit', 'audit_head')) THEN
        RAISE EXCEPTION 'the audit log is append-only';
      END IF;
    END $$ LANGUAGE plpgsql""",
    """DO $$
    BEGIN
      IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        CREATE EVENT TRIGGER audit_no_drop ON sql_drop EXECUTE FUNCTION audit_no_drop();
      ELSE
        RAISE NOTICE 'not a superuser: DROP TABLE audit is not refused by an event trigger';
      END IF;
    END $$""",
]
_PAGE = 5000


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("audit", sa.Column("prev_hash", sa.String(64), nullable=False, server_default=""))
    op.add_column("audit", sa.Column("hash", sa.String(64), nullable=False, server_default=""))
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entries", sa.BigInteger, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    # The entries on file are rewritten once, here, past the append-only trigger.
    op.execute("ALTER TABLE audit DISABLE TRIGGER audit_append_only" if postgres else _SQLITE_NO_UPDATE)
    entries, last_hash = _chain(op.get_bind())
    op.execute("ALTER TABLE audit ENABLE TRIGGER audit_append_only" if postgres else _SQLITE_UPDATE)
    op.get_bind().execute(
        sa.text("INSERT INTO audit_head (id, entries, last_hash) VALUES (1, :entries, :last_hash)"),
        {"entries": entries, "last_hash": last_hash},
    )
    for statement in _PG if postgres else _SQLITE.values():
        op.execute(statement)


def _chain(connection: sa.Connection) -> tuple[int, str]:
    """Numbers and seals the entries on file, a page at a time. A renumbered entry only moves
    down, onto an id no unread entry holds, so paging on the old ids reads each entry once."""
    read = sa.text(
        "SELECT id, at, actor, action, draft_id, patient_id, detail FROM audit "
        "WHERE id > :after ORDER BY id LIMIT :page"
    )
    write = sa.text("UPDATE audit SET id = :new, prev_hash = :prev, hash = :hash WHERE id = :old")
    entries, last_hash, after = 0, GENESIS, -(2**62)
    while rows := connection.execute(read, {"after": after, "page": _PAGE}).mappings().all():
        sealed = []
        for row in rows:
            entries += 1
            digest = seal(entries, dict(row), last_hash)
            sealed.append({"new": entries, "prev": last_hash, "hash": digest, "old": row["id"]})
            last_hash = digest
        connection.execute(write, sealed)
        after = rows[-1]["id"]
    return entries, last_hash


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP EVENT TRIGGER IF EXISTS audit_no_drop")
        op.execute("DROP FUNCTION IF EXISTS audit_no_drop()")
        op.execute("DROP TRIGGER IF EXISTS audit_no_truncate ON audit")
        op.drop_table("audit_head")
        op.execute("DROP FUNCTION IF EXISTS audit_head_forward()")
    else:
        for name in _SQLITE:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.drop_table("audit_head")
    op.drop_column("audit", "hash")
    op.drop_column("audit", "prev_hash")
