""" "Needs me" over HTTP (/v1 only): each role gets the drafts that wait for it, with who did
what, when and their comment, in the shape the spec gives."""

from __future__ import annotations

from tests.api.test_app import assert_described
from tests.review_desk import AS_OF

DAY = AS_OF.isoformat()


def _items(body: dict, key: str) -> list[dict]:
    (group,) = [g for g in body["groups"] if g["key"] == key]
    assert group["count"] == len(group["items"])
    return group["items"]


def test_each_role_gets_what_waits_for_it_as_the_spec_says(client, auth, desk):
    co, pr = auth["coordinator"], auth["provider"]
    patients = desk.ready()[:2]
    rejected, pending = (
        client.post("/v1/drafts", headers=co, json={"patient_id": p, "as_of": DAY}).json() for p in patients
    )
    for draft in (rejected, pending):
        answer = client.post(f"/v1/drafts/{draft['id']}/submit", headers=co, json={"comment": "Please check"})
        assert answer.status_code == 200, answer.text
    version = rejected["version"] + 1
    comment = {"comment": "Mention the <i>follow-up</i> visit", "version": version}
    assert client.post(f"/v1/drafts/{rejected['id']}/reject", headers=pr, json=comment).status_code == 200

    spec = client.get("/openapi.json").json()
    schema = spec["paths"]["/v1/needs"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    answers = {
        role: client.get("/v1/needs", headers=auth[role]) for role in ("coordinator", "provider", "qa")
    }
    for role, answer in answers.items():
        assert answer.status_code == 200, answer.text
        assert_described(spec, schema, answer.json(), f"/v1/needs as {role}")

    mine = answers["coordinator"].json()
    (back,) = [i for i in _items(mine, "rejected") if i["id"] == rejected["id"]]
    assert (back["rejected_by"], back["rejection_comment"]) == (
        "provider1",
        "Mention the <i>follow-up</i> visit",
    )
    assert back["patient_name"] == desk.practice.repository.patient(patients[0]).name

    theirs = answers["provider"].json()
    assert [g["key"] for g in theirs["groups"]] == ["to_approve"]
    (waiting,) = [i for i in _items(theirs, "to_approve") if i["id"] == pending["id"]]
    assert (waiting["submitted_by"], waiting["submit_note"]) == ("coordinator1", "Please check")
    assert waiting["submitted_at"] == waiting["since"]
    assert rejected["id"] not in {i["id"] for i in _items(theirs, "to_approve")}

    qa = answers["qa"].json()
    assert qa["groups"] == [] and qa["total"] == 0 and qa["note"]


def test_needs_asks_for_a_login(client):
    answer = client.get("/v1/needs")
    assert answer.status_code == 401
    assert set(answer.json()) == {"error", "status"}
