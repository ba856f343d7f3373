"""Upgrading a practice's database keeps what it holds, and brings it under the new rules."""

from __future__ import annotations

import orjson
import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from assistant.domain.review import UNSENT
from assistant.storage import database, schema


def _draft(draft_id: str, created_at: int, status: str = "drafted") -> dict:
    return {
        "id": draft_id,
        "patient_id": "p1",
        "as_of": "2026-11-24",
        "moment": "booking",
        "offer": "hydrafacial",
        "channel": "email",
        "drafter": "template",
        "status": status,
        "passed": True,
        "created_at": created_at,
        "record": orjson.dumps({"id": draft_id, "status": status}).decode(),
    }


def test_older_open_drafts_of_one_patient_are_superseded_by_the_upgrade(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'practice.db'}")
    config = database._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    with engine.begin() as connection:
        connection.execute(
            schema.drafts.insert(),
            [_draft("old", 100), _draft("new", 200), _draft("gone", 50, status="sent")],
        )
    database.migrate(engine)
    with engine.connect() as connection:
        rows = {r.id: r for r in connection.execute(text("SELECT id, status, record FROM drafts"))}
    assert rows["new"].status == "drafted" and rows["gone"].status == "sent"
    assert rows["old"].status == "superseded"
    assert orjson.loads(rows["old"].record)["status"] == "superseded"
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(schema.drafts.insert(), [_draft("another", 300)])


def test_the_open_draft_index_names_the_statuses_the_rules_call_open():
    assert set(schema.UNSENT_STATUSES) == {s.value for s in UNSENT}
