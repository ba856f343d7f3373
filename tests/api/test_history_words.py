"""A draft's history over HTTP keeps its fields and adds each event as a sentence in words."""

from __future__ import annotations

import re

from tests.review_desk import AS_OF


def test_a_drafts_history_says_each_event_in_words_beside_its_fields(client, auth, desk):
    asked = {"patient_id": desk.ready()[0], "as_of": AS_OF.isoformat()}
    draft = client.post("/v1/drafts", json=asked, headers=auth["coordinator"])
    assert draft.status_code == 201, draft.text
    events = client.get(f"/v1/drafts/{draft.json()['id']}/history", headers=auth["provider"]).json()
    assert events
    for event in events:
        assert {"id", "date", "kind", "service", "text", "sentence"} <= set(event)
        words = re.sub(r'"[^"]*"', "", event["sentence"])  # quoted words are the patient's own
        assert words and not re.search(r"\d{4}-\d{2}-\d{2}|\b[a-z]+_[a-z_]+\b", words), event
