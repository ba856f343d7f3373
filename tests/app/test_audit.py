"""`audit verify` names the first entry that is not as it was written: one altered by hand, one
deleted from the middle, a cut tail, a table dropped and made again. The attacker here has the
database file, so drops the triggers first."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from assistant.app.audit import verify
from assistant.errors import Tampered
from assistant.storage import database
from assistant.storage.repository import Repository, audit_row

AT = datetime(2026, 11, 24, 15, tzinfo=UTC)


@pytest.fixture
def log(tmp_path) -> Repository:
    """A log of five entries, written as the product writes them."""
    engine = create_engine(f"sqlite:///{tmp_path / 'practice.db'}")
    database.migrate(engine)
    repository = Repository(engine)
    for n in range(1, 6):
        repository.append_audit([audit_row(AT, "qa1", "view", {"n": n}, f"draft-{n}", "p1")])
    return repository


def by_hand(repository: Repository, *statements: str) -> None:
    with repository.engine.begin() as conn:
        triggers = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
        for name in list(triggers):
            conn.execute(text(f"DROP TRIGGER {name}"))
        for statement in statements:
            conn.execute(text(statement))


def test_a_log_written_by_the_product_is_intact(log):
    check = verify(log)
    assert check.intact and check.entries == check.head == 5
    check.confirm()


def test_an_entry_altered_by_hand_is_named(log):
    by_hand(log, "UPDATE audit SET actor = 'someone else' WHERE id = 3")
    check = verify(log)
    assert check.broken is not None and (check.broken.entry_id, check.broken.problem) == (3, "hash mismatch")
    assert check.entries == 2
    with pytest.raises(Tampered, match="entry 3: hash mismatch"):
        check.confirm()


def test_an_entry_altered_and_sealed_again_breaks_the_link_of_the_next(log):
    """Who recomputes the altered entry's hash still cannot make the next one point at it."""
    with log.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM audit WHERE id = 3")).mappings().one()
    detail = '{"n": 99}'
    fields = [row[name] for name in ("at", "actor", "action", "draft_id", "patient_id")]
    forged = [3, *fields, detail, row["prev_hash"]]
    digest = hashlib.sha256(json.dumps(forged, separators=(",", ":")).encode()).hexdigest()
    by_hand(log, f"UPDATE audit SET detail = '{detail}', hash = '{digest}' WHERE id = 3")
    broken = verify(log).broken
    assert broken is not None and (broken.entry_id, broken.problem) == (4, "prev link broken")


def test_an_entry_deleted_from_the_middle_is_a_gap(log):
    by_hand(log, "DELETE FROM audit WHERE id = 3")
    broken = verify(log).broken
    assert broken is not None and (broken.entry_id, broken.problem) == (4, "gap in ids")
    assert "entry 3 is missing" in broken.detail


def test_a_cut_tail_falls_short_of_the_head(log):
    by_hand(log, "DELETE FROM audit WHERE id > 3")
    check = verify(log)
    assert check.broken is not None and (check.broken.entry_id, check.broken.problem) == (4, "truncated")
    assert check.entries == 3 and check.head == 5
    log.append_audit([audit_row(AT, "qa1", "view", {}, None, None)])  # the log goes on from its head
    broken = verify(log).broken
    assert broken is not None and (broken.entry_id, broken.problem) == (6, "gap in ids")


def test_a_table_dropped_and_made_again_is_found(log):
    with log.engine.connect() as conn:
        made = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'audit'")).scalar_one()
    by_hand(log, "DROP TABLE audit", made)
    broken = verify(log).broken
    assert broken is not None and (broken.entry_id, broken.problem) == (1, "truncated")
    by_hand(log, "DROP TABLE audit")
    assert verify(log).broken == broken


def test_a_head_removed_is_named(log):
    by_hand(log, "DELETE FROM audit_head")
    broken = verify(log).broken
    assert broken is not None and broken.problem == "head missing"


def test_an_entry_slipped_in_past_the_head_is_named_and_the_log_still_takes_entries(log):
    by_hand(
        log,
        "INSERT INTO audit (id, at, actor, action, detail, prev_hash, hash) "
        "VALUES (6, 0, 'someone', 'view', '{}', '', '')",
    )
    log.append_audit([audit_row(AT, "qa1", "view", {}, None, None)])
    assert [r.id for r in log.audit()][-2:] == [6, 7]
    broken = verify(log).broken
    assert broken is not None and (broken.entry_id, broken.problem) == (6, "hash mismatch")
