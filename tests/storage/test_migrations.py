"""Upgrading a practice's database keeps what it holds, and brings it under the new rules."""

from __future__ import annotations

import orjson
import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from assistant.domain.review import UNSENT
from assistant.storage import database, schema
from tests.storage.rows import stored_draft


def test_older_open_drafts_of_one_patient_are_superseded_by_the_upgrade(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'practice.db'}")
    config = database._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    with engine.begin() as connection:
        connection.execute(
            schema.drafts.insert(),
            [stored_draft("old", 100), stored_draft("new", 200), stored_draft("gone", 50, status="sent")],
        )
    database.migrate(engine)
    with engine.connect() as connection:
        rows = {r.id: r for r in connection.execute(text("SELECT id, status, record FROM drafts"))}
    assert rows["new"].status == "drafted" and rows["gone"].status == "sent"
    assert rows["old"].status == "superseded"
    assert orjson.loads(rows["old"].record)["status"] == "superseded"
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(schema.drafts.insert(), [stored_draft("another", 300)])


def test_the_migrated_open_draft_index_covers_every_status_the_rules_call_open(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'practice.db'}")
    database.migrate(engine)
    with engine.connect() as connection:
        index = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'ux_drafts_open_patient'")
        ).scalar_one()
    assert all(f"'{status.value}'" in index for status in UNSENT)


def test_services_stored_before_the_sensitive_flag_get_the_default_rule(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'practice.db'}")
    config = database._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
        insert = text(
            "INSERT INTO services (id, name, category, price, unit, kind, description, contraindications, "
            "next_steps, pairs_with, offered_at, extra) VALUES (:id, :name, :category, 100, 'month', "
            ":kind, :description, '[]', '[]', '[]', '[]', '{}')"
        )
        connection.execute(
            insert,
            [
                {
                    "id": "glp",
                    "name": "Medical weight loss",
                    "category": "weight",
                    "kind": "program",
                    "description": "",
                },
                {
                    "id": "trt",
                    "name": "TRT",
                    "category": "men",
                    "kind": "program",
                    "description": "Prescribed testosterone.",
                },
                {
                    "id": "peel",
                    "name": "Peel",
                    "category": "skin",
                    "kind": "treatment",
                    "description": "An acid peel.",
                },
            ],
        )
    database.migrate(engine)
    with engine.connect() as connection:
        flags = dict(connection.execute(text("SELECT id, sensitive FROM services")).all())
    assert flags == {"glp": True, "trt": True, "peel": False}
