"""A practice's patients never show up where they should not: in any log line (every logger at
DEBUG), in an error's body or in the audit log, through a whole day of the API that goes
wrong twice (the mail server refuses the patient's address, the database refuses a write)."""

from __future__ import annotations

import logging

import orjson
import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.app.drafting import Drafting
from assistant.app.practice import Practice
from assistant.app.review import Review
from assistant.servers import free_port
from assistant.settings import Settings
from assistant.synthetic import write_practice
from tests.review_desk import AS_OF, PASSWORD
from tests.storage.rows import refuse_writes

DAY = AS_OF.isoformat()
ROLES = ("coordinator", "provider", "admin")


class Refusing:
    """A mail server that refuses every recipient, quoting the address back, as real ones do."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        return f"550 5.1.1 <{address}>: mailbox unavailable"


@pytest.fixture
def refusing_smtp():
    controller = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port
    controller.stop()


def _patients(source) -> list[dict]:
    return [r for r in map(orjson.loads, source.read_bytes().splitlines()) if r["type"] == "patient"]


def _identifying(patients: list[dict]) -> set[str]:
    """What would identify a patient: full name, email, phone."""
    found = set()
    for p in patients:
        found |= {f"{p['first_name']} {p['last_name']}", p.get("email") or "", p.get("phone") or ""}
    return found - {""}


class Day:
    """The API over a practice, keeping every answer it gives."""

    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client, self.tokens = client, tokens
        self.answers: list = []

    def __call__(self, method: str, path: str, role: str, **kwargs):
        headers = {"Authorization": f"Bearer {self.tokens[role]}", **kwargs.pop("headers", {})}
        answer = self.client.request(method, path, headers=headers, **kwargs)
        self.answers.append(answer)
        return answer


def _send_an_email(day: Day) -> dict:
    """Drafts, approves and sends an offer to the first ready patient reached by email."""
    ready = day("get", "/v1/queue", "coordinator", params={"as_of": DAY}).json()["ready"]
    patient = next(r["patient_id"] for r in ready if r["channel"] == "email")
    draft = day("post", "/v1/drafts", "coordinator", json={"patient_id": patient, "as_of": DAY}).json()
    submitted = day("post", f"/v1/drafts/{draft['id']}/submit", "coordinator", json={}).json()
    approve = {"version": submitted["version"]}
    day("post", f"/v1/drafts/{draft['id']}/approve", "provider", json=approve)
    return day("post", f"/v1/drafts/{draft['id']}/send", "coordinator", json={}).json()


def _refuse_patient_writes(practice: Practice) -> None:
    """The database turns every write of a patient down (locked, full, failing)."""
    for on in ("INSERT", "UPDATE"):
        refuse_writes(practice.repository.engine, "patients", "the disk is full", on=on)


def _every_logger_at_debug(caplog) -> None:
    """Libraries set their own levels (SQLAlchemy's is WARNING): each one is set here."""
    for name in [None, *list(logging.root.manager.loggerDict)]:
        caplog.set_level(logging.DEBUG, logger=name)


def _our_log(caplog) -> str:
    """Every line this process logged, tracebacks included; not the fake mail server's."""
    return "\n".join(caplog.handler.format(r) for r in caplog.records if not r.name.startswith("mail."))


def test_no_patient_is_named_in_a_log_line_an_error_or_the_audit(tmp_path, matcher, caplog, refusing_smtp):
    _every_logger_at_debug(caplog)
    source = tmp_path / "practice.jsonl"
    write_practice(source, 60, AS_OF, seed=11)
    patients = _patients(source)
    smtp = {
        "smtp_host": "127.0.0.1",
        "smtp_port": refusing_smtp,
        "smtp_security": "none",
        "practice_address": "1 Main Street, Springfield",
        "public_url": "https://practice.example",
    }
    settings = Settings(home=tmp_path / "home", llm="none", **smtp)
    practice = Practice(settings, matcher=matcher)
    review = Review(practice, Drafting(practice))
    tokens = {role: review.accounts.add(f"{role}1", role, PASSWORD)[1] for role in ROLES}
    with TestClient(create_app(review), raise_server_exceptions=False) as client:
        day = Day(client, tokens)
        ndjson = {"Content-Type": "application/x-ndjson"}
        pushed = day("post", "/v1/events", "coordinator", content=source.read_bytes(), headers=ndjson)
        assert pushed.status_code == 200 and pushed.json()["rejected"] == 0
        sent = _send_an_email(day)
        assert sent["delivery"]["state"] == "queued"
        assert "550" in sent["delivery"]["error"] and "mailbox unavailable" in sent["delivery"]["error"]

        someone = patients[1]
        garbled = {"patient_id": "x", "channel": someone["email"], "text": 1, "at": someone["phone"]}
        assert day("post", "/v1/replies", "coordinator", json=garbled).status_code == 422

        _refuse_patient_writes(practice)
        changed = {**patients[0], "goals": ["a new goal for the new year"]}
        refused = day("post", "/v1/events", "coordinator", json=changed)
        assert refused.status_code >= 400
        audit = day("get", "/v1/audit", "admin", params={"limit": 10000}).json()

    errors = [a.text for a in day.answers if a.status_code >= 400]
    places = {
        "the log": _our_log(caplog),
        "an error body": "\n".join(errors),
        "the delivery": sent["delivery"]["error"],
        "the audit": orjson.dumps(audit).decode(),
    }
    assert len(caplog.records) > 100 and errors and audit  # there was something to look in
    for where, text in places.items():
        named = sorted(value for value in _identifying(patients) if value in text)
        assert not named, f"{where} names patients: {named[:5]}"
