"""The coordinator's own calls over HTTP (/v1 only): a draft's alternatives, a change of
offer, and a patient dismissed for the week and taken back, with errors as the other routes
answer them."""

from __future__ import annotations

from typing import get_args

import pytest

from assistant.api.routers.offers import Reason
from assistant.domain.review import DISMISS_REASONS
from tests.app.test_alternatives import _two_offers
from tests.review_desk import AS_OF, build_desk

DAY = AS_OF.isoformat()


@pytest.fixture(scope="module")
def desk(tmp_path_factory, matcher):
    desk = build_desk(tmp_path_factory.mktemp("api-offers"), matcher)
    assert not desk.practice.import_records(_two_offers("t001", "+15550190001")).rejected
    return desk


def test_the_reasons_the_api_takes_are_the_domains():
    assert get_args(Reason) == tuple(DISMISS_REASONS)


def test_a_coordinator_changes_a_drafts_offer_to_an_alternative(client, auth):
    co = auth["coordinator"]
    draft = client.post("/v1/drafts", headers=co, json={"patient_id": "t001", "as_of": DAY}).json()
    answer = client.get(f"/v1/drafts/{draft['id']}/alternatives", headers=co)
    assert answer.status_code == 200
    found = answer.json()
    assert [a["offer"] for a in found] == ["hydrafacial", "product_kit"]
    assert {"expected_value", "p_accept", "evidence", "reasons", "current"} <= set(found[0])
    other = next(a["offer"] for a in found if not a["current"])

    refused = client.post(f"/v1/drafts/{draft['id']}/offer", headers=co, json={"offer": "vip_membership"})
    assert refused.status_code == 422 and "choose one of" in refused.json()["error"]
    stale = client.post(f"/v1/drafts/{draft['id']}/offer", headers=co, json={"offer": other, "version": 99})
    assert stale.status_code == 409
    forbidden = client.post(
        f"/v1/drafts/{draft['id']}/offer", headers=auth["provider"], json={"offer": other}
    )
    assert forbidden.status_code == 403

    changed = client.post(
        f"/v1/drafts/{draft['id']}/offer", headers=co, json={"offer": other, "version": draft["version"]}
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["offer"] == other and body["version"] == draft["version"] + 1 and body["status"] == "drafted"
    assert body["body"] != draft["body"]
    assert client.get("/v1/drafts/nothing/alternatives", headers=co).status_code == 404


def test_a_patient_is_dismissed_for_the_week_and_taken_back(client, auth, desk):
    co = auth["coordinator"]
    patient = desk.ready()[0]
    bad = client.post(f"/v1/patients/{patient}/dismiss", headers=co, json={"reason": "bored"})
    assert bad.status_code == 422
    vague = client.post(f"/v1/patients/{patient}/dismiss", headers=co, json={"reason": "other"})
    assert vague.status_code == 422 and "say why" in vague.json()["error"]

    made = client.post(
        f"/v1/patients/{patient}/dismiss",
        headers=co,
        json={"reason": "not_now", "note": "away", "as_of": DAY},
    )
    assert made.status_code == 201, made.text
    assert made.json()["reason"] == "not_now" and made.json()["by"] == "coordinator1"
    queue = client.get("/v1/queue", headers=co, params={"as_of": DAY}).json()
    assert patient not in [r["patient_id"] for r in queue["ready"]]
    listed = client.get("/v1/dismissals", headers=auth["qa"], params={"as_of": DAY}).json()
    assert [d["patient_id"] for d in listed] == [patient]
    again = client.post(f"/v1/patients/{patient}/dismiss", headers=co, json={"reason": "not_now"})
    assert again.status_code == 409

    undone = client.delete(f"/v1/patients/{patient}/dismiss", headers=co, params={"as_of": DAY})
    assert undone.status_code == 200 and undone.json()["note"] == "away"
    queue = client.get("/v1/queue", headers=co, params={"as_of": DAY}).json()
    assert patient in [r["patient_id"] for r in queue["ready"]]
    gone = client.delete(f"/v1/patients/{patient}/dismiss", headers=co, params={"as_of": DAY})
    assert gone.status_code == 404


def test_the_new_routes_are_under_v1_only_and_in_the_spec(client, auth):
    spec = client.get("/openapi.json").json()
    for path in (
        "/drafts/{draft_id}/alternatives",
        "/drafts/{draft_id}/offer",
        "/patients/{patient_id}/dismiss",
    ):
        assert "/v1" + path in spec["paths"] and path not in spec["paths"]
    assert client.get("/drafts/x/alternatives", headers=auth["coordinator"]).status_code == 404
