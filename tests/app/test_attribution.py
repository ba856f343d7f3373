"""A booking after an offer is its answer: the outcome comes back with no one clicking."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import select

from assistant.app.practice import Practice
from assistant.storage import schema

PATIENT = {"type": "patient", "id": "p1", "first_name": "Ana", "marketing_consent": True}


def event(event_id: str, kind: str, at: str, service_id: str = "botox", **more) -> dict:
    line = {"type": "event", "id": event_id, "patient_id": "p1", "kind": kind, "at": at, **more}
    return line | {"service_id": service_id} if service_id else line


def booked(event_id: str, at: str, service_id: str = "botox") -> dict:
    return event(event_id, "appointment_booked", at, service_id, scheduled_for="2026-11-30T15:00:00Z")


@pytest.fixture
def offered(practice: Practice) -> Practice:
    report = practice.import_records(
        [PATIENT, event("o1", "offer_presented", "2026-11-02T15:00:00Z", moment="rebooking_renewal")]
    )
    assert not report.rejected
    return practice


def outcomes(practice: Practice) -> list:
    history = practice.repository.history("p1")
    assert history is not None
    return history.outcomes


def test_a_visit_of_the_offered_service_in_the_window_is_an_accepted_outcome_with_its_revenue(offered):
    visit = event("v1", "visit_completed", "2026-11-20T15:00:00Z", amount=450)
    assert not offered.import_records([visit]).rejected
    (outcome,) = outcomes(offered)
    assert outcome.accepted and outcome.service_id == "botox"
    assert outcome.at.date().isoformat() == "2026-11-20"
    with offered.repository.engine.connect() as conn:
        row = conn.execute(select(schema.outcomes.c.data).where(schema.outcomes.c.id == outcome.id)).one()
    stored = orjson.loads(row.data)
    assert stored["amount"] == 450 and "visited (v1)" in stored["source"]
    entries = [r for r in offered.repository.audit(patient_id="p1") if r.action == "outcome_attributed"]
    assert len(entries) == 1 and entries[0].actor == "attribution"
    offered.import_records([visit])  # the same export again: nothing new
    assert len(outcomes(offered)) == 1


def test_a_booking_pushed_by_the_booking_system_counts_too(offered):
    offered.import_lines([orjson_line(booked("b1", "2026-11-05T15:00:00Z"))])
    assert [o.accepted for o in outcomes(offered)] == [True]


@pytest.mark.parametrize(
    "line",
    [
        booked("b2", "2026-12-03T15:00:00Z"),  # past the 30 days
        booked("b3", "2026-11-05T15:00:00Z", "hydrafacial"),  # another service
        booked("b4", "2026-11-01T15:00:00Z"),  # before the offer
    ],
)
def test_a_booking_out_of_the_window_or_of_another_service_answers_nothing(offered, line):
    assert not offered.import_records([line]).rejected
    assert outcomes(offered) == []


def test_an_offer_already_answered_is_not_answered_again(offered):
    offered.import_records([event("d1", "offer_declined", "2026-11-03T15:00:00Z")])
    offered.import_records([booked("b5", "2026-11-10T15:00:00Z")])
    assert [o.accepted for o in outcomes(offered)] == [False]


def test_the_window_is_the_practices_rule(offered):
    offered.set_rule("attribution_days", "7")
    offered.import_records([booked("b6", "2026-11-12T15:00:00Z")])
    assert outcomes(offered) == []


def orjson_line(line: dict) -> bytes:
    return orjson.dumps(line)
