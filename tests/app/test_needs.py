""" "Needs me": what waits for a coordinator and for a provider, with who did what, when and
their comment, oldest first; what is sent or closed waits for nobody; the reading is audited."""

from __future__ import annotations

import pytest

from tests.review_desk import AS_OF, build_desk


@pytest.fixture(scope="module")
def desk(tmp_path_factory, matcher):
    return build_desk(tmp_path_factory.mktemp("needs"), matcher)


def _group(needs: dict, key: str) -> dict:
    (group,) = [g for g in needs["groups"] if g["key"] == key]
    assert group["count"] == len(group["items"])
    return group


def _ids(needs: dict, key: str) -> list[str]:
    return [i["id"] for i in _group(needs, key)["items"]]


def _listed(needs: dict) -> set[str]:
    return {i["id"] for g in needs["groups"] for i in g["items"]}


def test_a_coordinator_sees_a_rejected_draft_with_the_providers_comment(desk):
    review, u = desk.review, desk.users
    clock = desk.practice.clock
    draft = review.create(u["coordinator"], desk.ready()[0], AS_OF)
    assert draft.id in _ids(review.needs(u["coordinator"]), "to_submit")
    review.submit(u["coordinator"], draft.id, comment="First offer for her")
    clock.advance(hours=3)
    try:
        review.reject(u["provider"], draft.id, "Too pushy about the price; soften it", draft.version + 1)
        needs = review.needs(u["coordinator"])
    finally:
        clock.advance(hours=-3)

    (item,) = [i for i in _group(needs, "rejected")["items"] if i["id"] == draft.id]
    assert item["rejected_by"] == "provider1"
    assert item["rejection_comment"] == "Too pushy about the price; soften it"
    assert item["rejected_at"] == item["since"] == "2026-11-24T18:00:00+00:00"
    patient = desk.practice.repository.patient(draft.patient_id)
    assert item["patient_name"] == patient.name and " " in item["patient_name"]
    assert (item["moment"], item["offer"], item["status"]) == (draft.moment, draft.offer, "rejected")
    assert draft.id not in _ids(needs, "to_submit")
    assert draft.id not in _listed(review.needs(u["provider"]))


def test_a_provider_sees_who_submitted_when_and_their_note_oldest_first(desk):
    review, u = desk.review, desk.users
    clock = desk.practice.clock
    later, earlier = (review.create(u["coordinator"], p, AS_OF) for p in desk.ready()[1:3])
    try:
        clock.advance(hours=1)
        review.submit(u["coordinator"], earlier.id)
        clock.advance(hours=1)
        review.submit(u["admin"], later.id, comment="She asked about <b>this</b> last visit")
        needs = review.needs(u["provider"])
    finally:
        clock.advance(hours=-2)

    assert [g["key"] for g in needs["groups"]] == ["to_approve"]
    order = _ids(needs, "to_approve")
    assert order.index(earlier.id) < order.index(later.id)
    first, second = (
        next(i for i in _group(needs, "to_approve")["items"] if i["id"] == d.id) for d in (earlier, later)
    )
    assert (first["submitted_by"], first["submitted_at"]) == ("coordinator1", "2026-11-24T16:00:00+00:00")
    assert first["submit_note"] == "" and first["since"] == first["submitted_at"]
    assert (second["submitted_by"], second["submitted_at"]) == ("admin1", "2026-11-24T17:00:00+00:00")
    assert second["submit_note"] == "She asked about <b>this</b> last visit"
    assert needs["total"] == sum(g["count"] for g in needs["groups"])


def test_an_approved_draft_waits_to_be_sent_and_a_sent_one_is_not_listed(desk):
    review, u = desk.review, desk.users
    draft = review.create(u["coordinator"], desk.ready("email")[3], AS_OF)
    submitted = review.submit(u["coordinator"], draft.id)
    approved = review.approve(u["provider"], draft.id, submitted.version, comment="Lovely")
    needs = review.needs(u["coordinator"])
    (item,) = [i for i in _group(needs, "to_send")["items"] if i["id"] == draft.id]
    assert (item["approved_by"], item["approval_note"]) == ("provider1", "Lovely")
    assert draft.id not in _listed(review.needs(u["provider"]))

    review.send(u["coordinator"], draft.id, approved.version)
    assert draft.id not in _listed(review.needs(u["coordinator"]))
    assert draft.id not in _listed(review.needs(u["admin"]))


def test_qa_has_nothing_to_act_on_and_every_reading_is_audited(desk):
    review, u = desk.review, desk.users
    needs = review.needs(u["qa"])
    assert needs["groups"] == [] and needs["total"] == 0 and needs["note"]
    assert review.needs_count(u["qa"]) == 0

    coordinator = review.needs(u["coordinator"])
    assert review.needs_count(u["coordinator"]) == coordinator["total"] > 0
    (entry,) = [e for e in review.audit(u["qa"], user="coordinator1") if e.action == "read_needs"][-1:]
    listed = {i["patient_id"] for g in coordinator["groups"] for i in g["items"]}
    assert entry.detail["patients"] == sorted(listed)
    assert entry.detail["groups"] == {g["key"]: g["count"] for g in coordinator["groups"]}
