"""The ways a careless or hostile user once got an unsafe message to a patient, tried again
through the API: each is refused with a clear 4xx, and nothing reaches the outbox."""

from __future__ import annotations

import threading

from assistant.storage import schema
from tests.review_desk import AS_OF, overwrite_draft

DAY = AS_OF.isoformat()


def _draft(client, auth, desk, index: int) -> dict:
    patient = desk.ready()[index]
    answer = client.post(
        "/v1/drafts", json={"patient_id": patient, "as_of": DAY}, headers=auth["coordinator"]
    )
    assert answer.status_code in (200, 201), answer.text  # new, or the one the week drafted
    assert answer.json()["status"] == "drafted"
    return answer.json()


def _step(client, auth, role: str, draft: dict, step: str, **body) -> dict:
    answer = client.post(f"/v1/drafts/{draft['id']}/{step}", json=body, headers=auth[role])
    assert answer.status_code == 200, answer.text
    return answer.json()


def _approved(client, auth, desk, index: int) -> dict:
    submitted = _step(client, auth, "coordinator", _draft(client, auth, desk, index), "submit")
    return _step(client, auth, "provider", submitted, "approve", version=submitted["version"])


def _messages(desk, draft: dict) -> list:
    return desk.practice.repository.messages(draft_id=draft["id"])


def _another_patient(desk, patient_id: str):
    repository = desk.practice.repository
    other = next(p for p in sorted(repository.ids(schema.patients)) if p != patient_id)
    return repository.patient(other)


def test_a_blocked_text_edited_in_after_approval_cannot_be_approved_or_sent(client, auth, desk):
    approved = _approved(client, auth, desk, 0)
    other = _another_patient(desk, approved["patient_id"])
    unsafe = (
        approved["body"]
        + f" {other.first_name} {other.last_name} loved hers, call her on {other.phone}."
        + " Results are guaranteed."
    )
    url = f"/v1/drafts/{approved['id']}"
    edited = client.patch(
        url, json={"version": approved["version"], "body": unsafe}, headers=auth["coordinator"]
    ).json()
    assert edited["status"] == "needs_attention" and edited["approved_by"] is None
    assert {g["name"] for g in edited["guards"] if not g["passed"] and g["blocks"]} >= {"privacy"}
    for role, step, body in (
        ("provider2", "approve", {"version": edited["version"]}),
        ("coordinator", "send", {}),
        ("coordinator", "submit", {}),
    ):
        answer = client.post(f"{url}/{step}", json=body, headers=auth[role])
        assert answer.status_code == 409, (step, answer.text)
    assert "privacy failed" in answer.json()["error"]
    assert not _messages(desk, approved)


def test_guards_run_again_on_the_stored_text_whatever_its_stored_results_say(client, auth, desk):
    """A draft whose stored guard results say it passed (an old record, or a bug elsewhere) is
    still checked at approve and at send."""
    review = desk.review
    submitted = _step(client, auth, "coordinator", _draft(client, auth, desk, 1), "submit")
    draft = review.drafting.open_drafts([submitted["patient_id"]])[submitted["patient_id"]]
    draft.body += " Write to someone@example.com or call 555-010-9999. Results are guaranteed."
    for guard in draft.guards:
        guard.passed = True
    overwrite_draft(review, draft)
    answer = client.post(
        f"/v1/drafts/{draft.id}/approve", json={"version": draft.version}, headers=auth["provider"]
    )
    assert answer.status_code == 409 and "cannot approve" in answer.json()["error"]

    draft.status, draft.approved_by, draft.approved_version = "approved", "provider1", draft.version
    overwrite_draft(review, draft)
    answer = client.post(f"/v1/drafts/{draft.id}/send", json={}, headers=auth["coordinator"])
    assert answer.status_code == 409 and "cannot send" in answer.json()["error"]
    assert not desk.practice.repository.messages(draft_id=draft.id)


def test_the_provider_who_edits_cannot_approve_and_approval_names_its_version(client, auth, desk):
    submitted = _step(client, auth, "coordinator", _draft(client, auth, desk, 2), "submit")
    url = f"/v1/drafts/{submitted['id']}"
    edited = client.patch(
        url,
        json={"version": submitted["version"], "body": submitted["body"] + "\n\nSee you soon."},
        headers=auth["provider"],
    ).json()
    assert edited["status"] == "pending_approval" and edited["edited_by"] == "provider1"
    own = client.post(f"{url}/approve", json={"version": edited["version"]}, headers=auth["provider"])
    assert own.status_code == 403 and "another provider" in own.json()["error"]
    unnamed = client.post(f"{url}/approve", json={}, headers=auth["provider2"])
    assert unnamed.status_code == 422 and "version" in unnamed.json()["error"]
    stale = client.post(f"{url}/approve", json={"version": submitted["version"]}, headers=auth["provider2"])
    assert stale.status_code == 409 and "version" in stale.json()["error"]
    stale = client.post(
        f"{url}/reject", json={"version": submitted["version"], "comment": "no"}, headers=auth["provider2"]
    )
    assert stale.status_code == 409
    approved = _step(client, auth, "provider2", edited, "approve", version=edited["version"])
    assert approved["approved_by"] == "provider2"


def test_drafting_twice_gives_the_open_draft_back_and_the_week_is_not_doubled(client, auth, desk):
    first = _draft(client, auth, desk, 3)
    again = client.post(
        "/v1/drafts", json={"patient_id": first["patient_id"], "as_of": DAY}, headers=auth["coordinator"]
    )
    assert again.status_code == 200 and again.json()["id"] == first["id"]

    week = client.post("/v1/drafts/week", json={"as_of": DAY}, headers=auth["coordinator"])
    assert week.status_code == 201
    listed = client.get("/v1/drafts", headers=auth["qa"]).json()
    second = client.post("/v1/drafts/week", json={"as_of": DAY}, headers=auth["coordinator"]).json()
    assert second["drafts"] == []
    assert len(second["already_open"]) == len(week.json()["drafts"]) + len(week.json()["already_open"])
    assert len(client.get("/v1/drafts", headers=auth["qa"]).json()) == len(listed)
    patients = [d["patient_id"] for d in listed if d["status"] not in ("sent", "accepted", "declined")]
    assert len(patients) == len(set(patients))


def test_pressing_send_five_times_at_once_sends_one_message(client, auth, desk):
    approved = _approved(client, auth, desk, 4)
    answers: list[int] = []

    def press() -> None:
        answer = client.post(f"/v1/drafts/{approved['id']}/send", json={}, headers=auth["coordinator"])
        answers.append(answer.status_code)

    threads = [threading.Thread(target=press) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 409, 409, 409, 409]
    messages = _messages(desk, approved)
    assert [m.state for m in messages] == ["delivered"]


def test_an_opt_out_cannot_be_erased_by_pushing_its_id_again(client, auth, desk):
    approved = _approved(client, auth, desk, 5)
    patient = approved["patient_id"]
    stop = client.post(
        "/v1/replies",
        json={"patient_id": patient, "channel": approved["channel"], "text": "STOP"},
        headers=auth["coordinator"],
    )
    assert stop.status_code == 200
    opt_out = next(
        e for e in desk.practice.repository.history(patient, 2**40).events if e.kind == "opted_out"
    )
    overwrite = {
        "type": "event",
        "id": opt_out.id,
        "kind": "feedback",
        "patient_id": patient,
        "at": DAY,
        "score": 10,
    }
    stored = desk.practice.repository.patient(patient)
    line = {"type": "patient", "id": patient, "first_name": stored.first_name, "last_name": stored.last_name}
    line.update(email=stored.email, phone=stored.phone, preferred_channel=stored.preferred_channel)
    withdrawn = client.post(
        "/v1/events", json={**line, "marketing_consent": False}, headers=auth["coordinator"]
    ).json()
    assert withdrawn["rejected"] == 0
    consent = {**line, "marketing_consent": True}
    pushed = client.post("/v1/events", json=[overwrite, consent], headers=auth["coordinator"]).json()
    assert pushed["rejected"] == 2
    assert all(r["reason"] == "consent record" for r in pushed["rejections"])
    assert (
        opt_out.id in pushed["rejections"][0]["message"] or opt_out.id in pushed["rejections"][1]["message"]
    )
    answer = client.post(f"/v1/drafts/{approved['id']}/send", json={}, headers=auth["coordinator"])
    assert answer.status_code == 409 and "not sent" in answer.json()["error"]
    assert not _messages(desk, approved)
    trail = client.get("/v1/audit", params={"patient_id": patient}, headers=auth["qa"]).json()
    changes = [e["detail"] for e in trail if e["action"] == "consent_changed"]
    assert {(c["channel"], c["before"], c["after"]) for c in changes} >= {
        (approved["channel"], True, False),
        ("marketing", True, False),
    }
