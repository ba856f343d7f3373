"""A coordinator's own calls on a draft: another eligible offer in its place, a patient set
aside for the week (which is not the patient's answer), and a regeneration in new words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.app.learning import Learning
from assistant.domain.review import Status
from assistant.errors import Conflict, Forbidden, InputError, NotFound
from tests.review_desk import AS_OF, build_desk

TWO_OFFERS = ("t001", "t002", "t003")
"""Patients who had a HydraFacial and booked Botox: a HydraFacial add-on at the booking, or the
skin care kit after the facial."""


def _two_offers(patient_id: str, phone: str) -> list[dict]:
    return [
        {
            "type": "patient",
            "id": patient_id,
            "first_name": "Ines",
            "last_name": f"Moreau {patient_id}",
            "birth_date": "1985-03-03",
            "email": f"{patient_id}@example.com",
            "phone": phone,
            "preferred_channel": "email",
            "marketing_consent": True,
            "goals": [],
            "flags": [],
            "memberships": [],
        },
        {
            "type": "event",
            "id": f"{patient_id}-facial",
            "patient_id": patient_id,
            "at": "2026-11-20T15:00:00Z",
            "kind": "visit_completed",
            "service_id": "hydrafacial",
            "amount": 225,
        },
        {
            "type": "event",
            "id": f"{patient_id}-booked",
            "patient_id": patient_id,
            "at": "2026-11-22T15:00:00Z",
            "kind": "appointment_booked",
            "service_id": "botox",
            "scheduled_for": "2026-11-30T15:00:00Z",
        },
    ]


@pytest.fixture(scope="module")
def desk(tmp_path_factory, matcher):
    desk = build_desk(tmp_path_factory.mktemp("alternatives"), matcher)
    records = [r for n, p in enumerate(TWO_OFFERS) for r in _two_offers(p, f"+1555019{n:04d}")]
    assert not desk.practice.import_records(records).rejected
    return desk


def _draft(desk, patient_id: str):
    review, coordinator = desk.review, desk.users["coordinator"]
    for open_draft in review.drafting.open_drafts([patient_id]).values():
        review.dismiss(coordinator, patient_id, "not_now")
        review.undo_dismissal(coordinator, patient_id)
        assert review.drafting.open_drafts([patient_id]) == {}, open_draft.id
    return review.create(coordinator, patient_id, AS_OF)


def test_alternatives_are_the_eligible_offers_best_first_with_their_evidence(desk):
    draft = _draft(desk, "t001")
    found = desk.review.alternatives(desk.users["coordinator"], draft.id)
    assert [a["offer"] for a in found] == ["hydrafacial", "product_kit"]
    assert [a["current"] for a in found] == [draft.offer == "hydrafacial", draft.offer == "product_kit"]
    values = [a["expected_value"] for a in found]
    assert values == sorted(values, reverse=True)
    for alternative in found:
        worth = alternative["price"] * alternative["p_accept"]
        assert alternative["expected_value"] == pytest.approx(worth, 0.01)
        assert alternative["evidence"] and alternative["reasons"]
        assert any("Expected value" in r for r in alternative["reasons"])
    trail = desk.review.audit(desk.users["qa"], draft_id=draft.id)
    assert trail[-1].action == "read_alternatives"
    assert trail[-1].detail["offers"] == ["hydrafacial", "product_kit"]


def test_changing_the_offer_redrafts_for_it_checked_and_audited_before_and_after(desk):
    review, coordinator = desk.review, desk.users["coordinator"]
    draft = _draft(desk, "t001")
    other = next(a for a in review.alternatives(coordinator, draft.id) if not a["current"])
    changed = review.change_offer(coordinator, draft.id, other["offer"], draft.version)
    assert (changed.offer, changed.offer_name) == (other["offer"], other["offer_name"])
    assert changed.price == other["price"]
    assert changed.version == draft.version + 1 and changed.status == Status.DRAFTED
    assert changed.body != draft.body and all(g.passed for g in changed.guards)
    assert "$180" in changed.body  # the kit's price, not the facial's
    assert changed.decision["policy"] == "coordinator's choice" and changed.decision["propensity"] is None
    stored = review.get(coordinator, draft.id)
    assert stored.offer == other["offer"] and stored.body == changed.body
    entry = next(e for e in review.audit(desk.users["qa"], draft_id=draft.id) if e.action == "change_offer")
    assert entry.detail["before"]["offer"] == draft.offer and entry.detail["after"]["offer"] == other["offer"]
    assert entry.detail["before"]["body"] == draft.body and entry.detail["after"]["body"] == changed.body
    now = review.alternatives(coordinator, draft.id)
    assert [a["offer"] for a in now if a["current"]] == [other["offer"]]


def test_an_offer_the_patient_is_not_eligible_for_is_refused_naming_those_they_are(desk):
    review, coordinator = desk.review, desk.users["coordinator"]
    draft = _draft(desk, "t002")
    for service in ("vip_membership", "botox", "no_such_thing"):
        with pytest.raises(InputError, match="not an offer t002 is eligible for now; choose one of"):
            review.change_offer(coordinator, draft.id, service, draft.version)
    with pytest.raises(InputError, match="already offers"):
        review.change_offer(coordinator, draft.id, draft.offer, draft.version)
    with pytest.raises(Forbidden):
        review.change_offer(desk.users["provider"], draft.id, "product_kit", draft.version)
    submitted = review.submit(coordinator, draft.id, draft.version)
    with pytest.raises(Conflict, match="pending approval"):
        review.change_offer(coordinator, draft.id, "product_kit", submitted.version)
    assert review.get(coordinator, draft.id).offer == draft.offer


def test_regenerate_words_the_draft_anew_and_it_still_passes_the_guards(desk):
    review, coordinator = desk.review, desk.users["coordinator"]
    draft = review.create(coordinator, desk.ready()[0], AS_OF)
    seen = [draft.body]
    for _ in range(3):
        fresh = review.regenerate(coordinator, draft.id)
        assert fresh.body != seen[-1]
        assert fresh.status == Status.DRAFTED and all(g.passed for g in fresh.guards), fresh.guards
        assert fresh.offer == draft.offer and fresh.price == draft.price
        seen.append(fresh.body)
    assert len(set(seen)) >= 3


def test_a_dismissal_takes_the_patient_out_of_the_week_and_closes_their_draft(desk):
    review, coordinator = desk.review, desk.users["coordinator"]
    draft = _draft(desk, "t003")
    assert "t003" in desk.ready()
    dismissal = review.dismiss(coordinator, "t003", "spoke_already", "  talked at the front desk ")
    assert dismissal["note"] == "talked at the front desk" and dismissal["closed_draft"] == draft.id
    assert "t003" not in desk.ready()
    assert review.get(coordinator, draft.id).status == Status.SUPERSEDED
    assert [d["patient_id"] for d in review.dismissals(coordinator, AS_OF)] == ["t003"]
    week = review.draft_week(coordinator, AS_OF)
    assert "t003" not in {d.patient_id for d in week.drafts + week.already_open}
    with pytest.raises(Conflict, match="already dismissed"):
        review.dismiss(coordinator, "t003", "not_now")
    trail = review.audit(desk.users["qa"], patient_id="t003")
    dismissed = next(e for e in trail if e.action == "dismissed")
    assert dismissed.detail["reason"] == "spoke_already" and dismissed.actor == "coordinator1"

    review.undo_dismissal(coordinator, "t003")
    assert "t003" in desk.ready()
    assert review.dismissals(coordinator, AS_OF) == []
    undone = [e for e in review.audit(desk.users["qa"], patient_id="t003") if e.action == "dismissal_undone"]
    assert undone and undone[-1].detail["before"]["reason"] == "spoke_already"
    with pytest.raises(NotFound, match="not dismissed"):
        review.undo_dismissal(coordinator, "t003")
    assert review.create(coordinator, "t003", AS_OF).id != draft.id


def test_a_dismissal_is_not_a_decline_and_teaches_the_model_nothing(desk):
    review, coordinator = desk.review, desk.users["coordinator"]
    patient = desk.ready()[-1]
    learning = Learning(desk.practice)
    before = learning.report(AS_OF)
    offers, outcomes = desk.practice.repository.offers_and_outcomes(2**40)
    review.dismiss(coordinator, patient, "not_a_fit")
    try:
        assert learning.report(AS_OF) == before
        assert desk.practice.repository.offers_and_outcomes(2**40) == (offers, outcomes)
        history = desk.practice.repository.history(patient, 2**40)
        assert not [e for e in history.events if e.kind.startswith("offer_")]
    finally:
        review.undo_dismissal(coordinator, patient)


def test_a_dismissal_needs_a_known_reason_and_a_note_for_other_and_a_coordinator(desk):
    review, coordinator = desk.review, desk.users["coordinator"]
    patient = desk.ready()[0]
    with pytest.raises(InputError, match="unknown reason"):
        review.dismiss(coordinator, patient, "bored")
    with pytest.raises(InputError, match="say why"):
        review.dismiss(coordinator, patient, "other", "  ")
    with pytest.raises(InputError, match="keep it to 200"):
        review.dismiss(coordinator, patient, "other", "x" * 201)
    with pytest.raises(Forbidden):
        review.dismiss(desk.users["provider"], patient, "not_now")
    with pytest.raises(NotFound):
        review.dismiss(coordinator, "nobody", "not_now")
    with pytest.raises(Conflict, match="is over"):
        review.dismiss(coordinator, patient, "not_now", as_of=AS_OF - timedelta(days=7))
    assert review.dismissals(coordinator, AS_OF) == []


def test_a_past_weeks_dismissal_cannot_be_undone(desk):
    review, coordinator = desk.review, desk.users["coordinator"]
    patient = desk.ready()[1]
    review.dismiss(coordinator, patient, "other", "moving away", as_of=AS_OF)
    clock = desk.practice.clock
    try:
        clock.advance(days=7)
        with pytest.raises(Conflict, match="is over"):
            review.undo_dismissal(coordinator, patient, AS_OF)
    finally:
        clock.advance(days=-7)
    review.undo_dismissal(coordinator, patient, AS_OF)
