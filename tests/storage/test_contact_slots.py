"""The patient's contact slot: however many sends race for one patient, one wins inside the
cooldown; after it, or once the winner's message failed, the next may go."""

from __future__ import annotations

import threading

import pytest

from assistant.settings import Settings
from assistant.storage import database, schema
from assistant.storage.repository import Repository
from tests.storage.rows import stored_draft

COOLDOWN = 30 * 86_400
NOW = 1_795_000_000


@pytest.fixture
def repository(tmp_path) -> Repository:
    repository = Repository(database.create(Settings(home=tmp_path, llm="none")))
    rows = [stored_draft(f"dr-{n}", NOW, status="sent") for n in range(6)]
    assert all(repository.add_drafts(rows))
    return repository


def _message(n: int, at: int) -> dict:
    return {
        "id": f"msg-{n}",
        "draft_id": f"dr-{n}",
        "draft_version": 2,
        "patient_id": "p1",
        "channel": "email",
        "state": "queued",
        "attempts": 0,
        "next_attempt_at": at,
        "created_at": at,
        "updated_at": at,
        "message": "{}",
    }


def _enqueue(repository: Repository, n: int, at: int) -> str:
    return repository.enqueue(f"dr-{n}", 1, {"version": 2}, _message(n, at), at - COOLDOWN, [])


def test_six_sends_at_once_for_one_patient_queue_one_message(repository):
    answers: list[str] = []
    threads = [
        threading.Thread(target=lambda n=n: answers.append(_enqueue(repository, n, NOW))) for n in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["held"] * 5 + ["queued"]
    assert len(repository.messages()) == 1
    assert {r.version for r in _drafts(repository)} == {1, 2}  # the losers' drafts are untouched


def test_the_slot_frees_after_the_cooldown_or_when_the_message_failed(repository):
    assert _enqueue(repository, 0, NOW) == "queued"
    assert _enqueue(repository, 1, NOW + COOLDOWN - 60) == "held"
    with repository.engine.begin() as conn:
        conn.execute(schema.contact_slots.update().values(released=True))
    assert _enqueue(repository, 2, NOW + 60) == "queued"
    assert _enqueue(repository, 3, NOW + 60 + COOLDOWN + 1) == "queued"
    assert [m.id for m in repository.messages()] == ["msg-0", "msg-2", "msg-3"]


def _drafts(repository: Repository) -> list:
    with repository.engine.connect() as conn:
        return list(conn.execute(schema.drafts.select()))
