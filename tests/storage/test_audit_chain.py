"""The audit log in the database: what the triggers refuse, how the upgrade chains the entries on
file, and writers at once that still chain one after another."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import orjson
import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError

from assistant.app.audit import verify
from assistant.storage import database
from assistant.storage.repository import Repository, audit_row

AT = datetime(2026, 11, 24, 15, tzinfo=UTC)


def _log(tmp_path, entries: int = 3) -> Repository:
    engine = create_engine(f"sqlite:///{tmp_path / 'practice.db'}")
    database.migrate(engine)
    repository = Repository(engine)
    repository.append_audit([audit_row(AT, "qa1", "view", {"n": n}, None, "p1") for n in range(entries)])
    return repository


def _stored(repository: Repository) -> list[tuple]:
    with repository.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT * FROM audit ORDER BY id"))]


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT OR REPLACE INTO audit (id, at, actor, action, detail, prev_hash, hash) "
        "VALUES (2, 0, 'someone else', 'view', '{}', '', '')",
        "REPLACE INTO audit (id, at, actor, action, detail, prev_hash, hash) "
        "VALUES (2, 0, 'someone else', 'view', '{}', '', '')",
        "INSERT INTO audit (id, at, actor, action, detail, prev_hash, hash) "
        "VALUES (2, 0, 'someone else', 'view', '{}', '', '') "
        "ON CONFLICT (id) DO UPDATE SET actor = excluded.actor",
        "UPDATE audit SET actor = 'someone else'",
        "DELETE FROM audit WHERE id = 2",
        "UPDATE audit_head SET entries = 1",
        "DELETE FROM audit_head",
        "INSERT OR REPLACE INTO audit_head (id, entries, last_hash) VALUES (1, 0, '')",
    ],
)
def test_the_log_and_its_head_cannot_be_rewritten(tmp_path, statement):
    log = _log(tmp_path)
    before = _stored(log)
    with pytest.raises(DatabaseError, match="append-only"), log.engine.begin() as conn:
        conn.execute(text(statement))
    assert _stored(log) == before
    assert verify(log).intact


def test_the_upgrade_numbers_and_chains_the_entries_on_file(tmp_path):
    """PostgreSQL's sequence can skip a number (a rolled-back write): the upgrade closes the gap."""
    engine = create_engine(f"sqlite:///{tmp_path / 'practice.db'}")
    config = database._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        connection.execute(
            text(
                "INSERT INTO audit (id, at, actor, action, draft_id, patient_id, detail) "
                "VALUES (:id, 100, 'qa1', 'view', NULL, 'p1', :detail)"
            ),
            [{"id": i, "detail": f'{{"n":{i}}}'} for i in (1, 2, 5, 9)],
        )
    database.migrate(engine)
    log = Repository(engine)
    check = verify(log)
    assert check.intact and check.entries == check.head == 4
    assert [(r.id, orjson.loads(r.detail)["n"]) for r in log.audit()] == [(1, 1), (2, 2), (3, 5), (4, 9)]
    log.append_audit([audit_row(AT, "qa1", "view", {}, None, None)])
    assert log.audit()[-1].id == 5 and verify(log).intact
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit SET actor = 'someone else'"))  # the upgrade left it append-only


def test_writers_at_once_chain_one_after_another(tmp_path):
    log = _log(tmp_path, 0)

    def write(worker: int) -> None:
        for n in range(20):
            log.append_audit([audit_row(AT, f"user{worker}", "view", {"n": n}, None, None)] * 2)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))
    check = verify(log)
    assert check.intact and check.entries == check.head == 160
