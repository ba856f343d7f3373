"""The outcome correction route beside the outcome route: change, undo, refusals in JSON."""

from __future__ import annotations

from tests.test_sending import _approved


def test_an_outcome_is_corrected_and_undone_over_the_api(client, auth, desk):
    draft = _approved(desk, "email")
    url = f"/v1/drafts/{draft.id}"
    client.post(f"{url}/send", json={}, headers=auth["coordinator"]).raise_for_status()
    answer = client.post(f"{url}/outcome", json={"outcome": "accepted"}, headers=auth["coordinator"]).json()
    body = {"outcome": "declined", "version": answer["version"]}
    corrected = client.post(f"{url}/outcome/correction", json=body, headers=auth["coordinator"])
    assert corrected.status_code == 200 and corrected.json()["status"] == "declined"
    undone = client.post(f"{url}/outcome/correction", json={"outcome": None}, headers=auth["coordinator"])
    assert undone.status_code == 200 and undone.json()["status"] == "sent"
    again = client.post(f"{url}/outcome/correction", json={"outcome": None}, headers=auth["coordinator"])
    assert again.status_code == 409 and "only an accepted or declined one" in again.json()["error"]
    refused = client.post(f"{url}/outcome/correction", json={"outcome": "accepted"}, headers=auth["qa"])
    assert refused.status_code == 403
    wrong = client.post(f"{url}/outcome/correction", json={"outcome": "maybe"}, headers=auth["coordinator"])
    assert wrong.status_code == 422 and "outcome" in wrong.json()["error"]


def test_the_preview_and_a_test_send_over_the_api(client, auth, desk):
    draft = _approved(desk, "email")
    url = f"/v1/drafts/{draft.id}"
    preview = client.get(f"{url}/preview", headers=auth["coordinator"]).json()
    assert preview["subject"] == draft.subject and "To stop these emails:" in preview["text"]
    assert "***@" in preview["to"] and preview["segments"] is None
    sent = client.post(f"{url}/test", json={"to": "me@practice.example"}, headers=auth["coordinator"]).json()
    assert sent == {"channel": "email", "to": "m***@practice.example", "via": "outbox"}
    assert client.get(url, headers=auth["coordinator"]).json()["status"] == "approved"
