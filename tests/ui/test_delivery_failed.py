"""A message the carrier could not deliver, as the coordinator sees it: the draft is back to
approved with a warning that says why, and Send is offered again."""

from __future__ import annotations

from tests.ui.helpers import messages, open_draft


def test_a_carrier_failure_shows_on_the_draft_and_it_can_be_sent_again(screen, clinic):
    draft = clinic.draft("sent")
    review = clinic.review
    [row] = review.repository.messages(draft_id=draft.id)
    review.outbox.undelivered(row, "undelivered", "30005")
    assert clinic.stored(draft.id).status == "approved"
    at = open_draft(screen("carol"), draft.id)
    [warning] = [w for w in messages(at, "warning") if w.startswith("Delivery failed")]
    assert "unknown or no longer in service" in warning and "30005" in warning
    assert "does not count as offered" in warning
    assert any(b.label == "Send" for b in at.button)
