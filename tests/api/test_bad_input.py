"""Bad input over HTTP is a 4xx with a message, never a 5xx; a push's audit entry names the
patients and fields it changed."""

from __future__ import annotations

import orjson
import pytest

from tests.review_desk import AS_OF

DAYS = "from 1900-01-01 to 2100-12-31"
FAR = ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"]


def _refused(answer, name: str) -> None:
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["status"] == 422 and name in body["error"] and DAYS in body["error"]


@pytest.mark.parametrize("day", FAR)
@pytest.mark.parametrize("path", ["/queue", "/diagnostic", "/learning", "/drafts"])
def test_a_day_outside_the_range_in_a_query_is_422(client, auth, path, day):
    _refused(client.get(f"/v1{path}", params={"as_of": day}, headers=auth["admin"]), "as_of")


@pytest.mark.parametrize("day", FAR)
def test_a_day_outside_the_range_in_a_drafting_body_is_422(client, auth, desk, day):
    patient = desk.ready()[0]
    new = client.post("/v1/drafts", json={"patient_id": patient, "as_of": day}, headers=auth["coordinator"])
    _refused(new, "as_of")
    _refused(client.post("/v1/drafts/week", json={"as_of": day}, headers=auth["coordinator"]), "as_of")


def test_a_reply_at_a_time_outside_the_range_is_422(client, auth, desk):
    patient = desk.ready()[0]
    body = {"patient_id": patient, "channel": "sms", "text": "thanks", "at": "0001-01-01T00:00:00+14:00"}
    _refused(client.post("/v1/replies", json=body, headers=auth["coordinator"]), "at")


def test_drafting_the_week_when_nobody_is_ready_is_an_empty_answer(client, auth):
    answer = client.post("/v1/drafts/week", json={"as_of": "1990-01-01"}, headers=auth["coordinator"])
    assert answer.status_code == 201, answer.text
    assert answer.json() == {
        "as_of": "1990-01-01",
        "ready": 0,
        "drafts": [],
        "not_drafted": [],
        "already_open": [],
        "held_out": [],
    }


def test_a_body_that_is_not_utf8_is_422_with_the_error_shape(client, auth):
    answer = client.post(
        "/v1/drafts/week",
        content=b'{"as_of": "\xff\xfe"}',
        headers={**auth["coordinator"], "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.json() == {
        "error": "body: could not be read (There was an error parsing the body)",
        "status": 422,
    }


PATIENT = {"type": "patient", "id": "h1", "first_name": "Hana", "marketing_consent": True}
VISIT = {
    "type": "event",
    "id": "h1-visit",
    "patient_id": "h1",
    "at": "2026-11-02T15:00:00Z",
    "kind": "visit_completed",
    "service_id": "botox",
}


def test_an_event_at_the_end_of_the_calendar_is_a_rejected_line(client, auth):
    far = {**VISIT, "id": "h1-far", "at": "0001-01-01T00:00:00+14:00"}
    body = b"\n".join(orjson.dumps(x) for x in (PATIENT, far, VISIT))
    answer = client.post(
        "/v1/events", content=body, headers={**auth["coordinator"], "Content-Type": "application/x-ndjson"}
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert [(r["line"], r["reason"]) for r in report["rejections"]] == [(2, "bad value")]
    assert f"field 'at' must be a time {DAYS}" in report["rejections"][0]["message"]


@pytest.mark.parametrize("content_type", ["application/json", "application/x-ndjson"])
def test_a_byte_order_mark_before_a_pushed_body_is_ignored(client, auth, content_type):
    bom = b"\xef\xbb\xbf"
    if content_type == "application/json":
        body = bom + orjson.dumps([PATIENT, VISIT], option=orjson.OPT_INDENT_2)
    else:
        body = bom + b"\n".join(orjson.dumps(x) for x in (PATIENT, VISIT))
    answer = client.post(
        "/v1/events", content=body, headers={**auth["coordinator"], "Content-Type": content_type}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["rejected"] == 0 and answer.json()["lines"] == 2


def test_a_push_audits_the_patients_and_fields_it_changed_and_no_values(client, auth):
    email = "hana.new@example.com"
    moved = {**PATIENT, "id": "h2", "first_name": "Hugo"}
    client.post("/v1/events", json=[PATIENT, moved], headers=auth["coordinator"])
    pushed = [{**PATIENT, "email": email}, {**VISIT, "id": "h1-visit-2"}, moved]
    answer = client.post("/v1/events", json=pushed, headers=auth["coordinator"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] == {"h1": {"fields": ["email"], "events": 1}}
    entries = client.get("/v1/audit", params={"actor": "coordinator1"}, headers=auth["admin"]).json()
    push = [e for e in entries if e["action"] == "push"][-1]
    assert push["detail"]["changed"] == {"h1": ["email", "events"]}
    assert push["detail"]["lines"] == 3 and push["detail"]["rejected"] == 0
    assert email not in orjson.dumps(push).decode()


def test_pushing_nothing_is_422_with_the_error_shape(client, auth):
    answer = client.post("/v1/events", content=b"  \n", headers=auth["coordinator"])
    assert answer.status_code == 422
    assert set(answer.json()) == {"error", "status"}


def test_as_of_at_the_ends_of_the_range_is_answered(client, auth):
    for day in ("1900-01-01", "2100-12-31"):
        answer = client.get("/v1/queue", params={"as_of": day}, headers=auth["qa"])
        assert answer.status_code == 200 and answer.json()["as_of"] == day
    assert AS_OF.isoformat() == client.get("/v1/queue", headers=auth["qa"]).json()["as_of"]


def test_an_over_long_id_or_phone_or_a_nul_in_a_name_or_an_id_is_a_rejected_line_never_a_500(
    client, auth, desk
):
    lines = [
        PATIENT,
        {**PATIENT, "id": "h" * 120},
        {**PATIENT, "id": "h3", "phone": "5" * 60},
        {**PATIENT, "id": "h4", "first_name": "Ha\x00na"},
        {**VISIT, "id": "h1-visit\x00"},  # the practice's events are stored: what this id held is looked up
        {**VISIT, "id": "h1-visit-3"},
    ]
    body = b"\n".join(orjson.dumps(x) for x in lines)
    answer = client.post(
        "/v1/events", content=body, headers={**auth["coordinator"], "Content-Type": "application/x-ndjson"}
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert [(r["line"], r["reason"], r["message"].split(" must")[0]) for r in report["rejections"]] == [
        (2, "too long", "field 'id'"),
        (3, "too long", "field 'phone'"),
        (4, "control character", "field 'first_name'"),
        (5, "control character", "field 'id'"),
    ]
    history = desk.practice.repository.history("h1")
    assert history is not None and "h1-visit-3" in {e.id for e in history.events}
    assert desk.practice.repository.patient("h3") is None
