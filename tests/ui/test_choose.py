"""A coordinator's own calls on the screen: another eligible offer in the draft's place, a
patient dismissed for the week with a reason (and taken back), which is never the patient's
answer, and a regeneration in new words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.app.learning import Learning
from tests.app.test_alternatives import TWO_OFFERS, _two_offers
from tests.ui.conftest import AS_OF, Clinic, build_clinic
from tests.ui.helpers import (
    field,
    go_to,
    labels,
    listed,
    messages,
    open_draft,
    press,
    ran,
    section,
    select,
    shown,
)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory, matcher) -> Clinic:
    """The screens' practice, with three patients eligible for two offers each (a HydraFacial
    add-on at their Botox booking, or the skin care kit after the facial)."""
    clinic = build_clinic(tmp_path_factory.mktemp("choose"), matcher)
    records = [r for n, p in enumerate(TWO_OFFERS) for r in _two_offers(p, f"+1555029{n:04d}")]
    assert not clinic.review.practice.import_records(records).rejected
    return clinic


@pytest.fixture(autouse=True)
def no_dismissals_left(clinic: Clinic) -> Iterator[None]:
    """Each test starts with nobody dismissed, whatever the one before left."""
    yield
    coordinator = clinic.people["carol"]
    for dismissal in clinic.review.dismissals(coordinator, AS_OF):
        clinic.review.undo_dismissal(coordinator, dismissal["patient_id"], AS_OF)


def _name(patient_id: str) -> str:
    return f"Ines Moreau {patient_id}"


def _fresh_draft(clinic: Clinic, patient_id: str):
    """A new draft for the patient, whatever an earlier test left open."""
    clinic._retire_open_draft(patient_id)
    return clinic.review.create(clinic.people["carol"], patient_id, AS_OF)


def _alternatives_tables(at) -> list:
    """The tables of eligible offers on the page (by their columns)."""
    return [d.value for d in at.dataframe if "Chance" in d.value.columns]


def test_a_coordinator_changes_the_offer_to_another_eligible_one_with_its_evidence(screen, clinic):
    draft = _fresh_draft(clinic, "t001")
    at = open_draft(screen("carol"), draft.id)
    assert not _alternatives_tables(at)  # read only when asked for
    at = ran(at.toggle(key=f"change-offer-{draft.id}-{draft.version}").set_value(True).run())
    (table,) = _alternatives_tables(at)
    found = clinic.review.alternatives(clinic.people["carol"], draft.id)
    assert list(table["Offer"]) == [a["offer_name"] for a in found] and len(found) == 2
    assert list(table[""]) == ["current" if a["current"] else "" for a in found]
    for row, alternative in zip(table.to_dict("records"), found, strict=True):
        assert row["Expected value"] == f"${round(alternative['expected_value']):,}"
        assert row["Chance"].startswith(f"{alternative['p_accept']:.0%} (")
        assert row["Evidence"] == alternative["evidence"] and "Expected value" in row["Why"]
    other = next(a for a in found if not a["current"])
    at = ran(at.radio(key=f"offer-choice-{draft.id}-{draft.version}").set_value(other["offer"]).run())
    at = press(at, "Use this offer")
    stored = clinic.stored(draft.id)
    assert (stored.offer, stored.version, stored.status) == (other["offer"], draft.version + 1, "drafted")
    assert any(f"Now offering {other['offer_name']}" in m for m in messages(at, "success"))
    assert field(at, "Body").value == stored.body != draft.body
    assert other["offer_name"] in shown(at)  # the heading names the new offer


def test_a_provider_is_not_offered_to_change_the_offer_or_dismiss(screen, clinic):
    draft = _fresh_draft(clinic, "t001")
    at = open_draft(screen("pat"), draft.id)
    assert not [t for t in at.toggle if t.label == "Change offer"]
    assert "Confirm dismissal" not in labels(at)


def test_a_patient_dismissed_from_the_queue_leaves_it_is_not_a_decline_and_can_be_taken_back(screen, clinic):
    draft = _fresh_draft(clinic, "t002")
    learning = Learning(clinic.review.practice)
    before = learning.report(AS_OF)
    answers = clinic.review.practice.repository.offers_and_outcomes(2**40)
    at = select(section(go_to(screen("carol"), "Ready this week"), "All ready"), _name("t002"))
    at.selectbox(key="dismiss-reason-queue-t002").set_value("spoke_already")  # sent on confirming
    field(at, "Note").input("talked at the front desk")
    at = press(at, "Confirm dismissal")

    assert _name("t002") not in listed(at)
    assert any("not counted as the patient's answer" in m for m in messages(at, "success"))
    assert clinic.stored(draft.id).status == "superseded"
    assert [e.label for e in at.expander if e.label.startswith("Dismissed this week")] == [
        "Dismissed this week (1)"
    ]
    assert "talked at the front desk" in shown(at)
    assert learning.report(AS_OF) == before  # the model learned nothing
    assert clinic.review.practice.repository.offers_and_outcomes(2**40) == answers
    outcomes = clinic.review.practice.repository.history("t002", 2**40).outcomes
    assert not [o for o in outcomes if not o.accepted]  # no decline recorded

    at = press(at, "Take back")
    assert _name("t002") in listed(at)
    assert any("back in this week's queue" in m for m in messages(at, "success"))
    assert clinic.review.dismissals(clinic.people["carol"], AS_OF) == []
    assert not [e for e in at.expander if e.label.startswith("Dismissed this week")]


def test_another_reason_without_a_note_or_no_reason_is_refused(screen, clinic):
    at = select(section(go_to(screen("carol"), "Ready this week"), "All ready"), _name("t003"))
    at = press(at, "Confirm dismissal")
    assert any("choose a reason" in m for m in messages(at, "error"))
    at.selectbox(key="dismiss-reason-queue-t003").set_value("other")
    at = press(at, "Confirm dismissal")
    assert any("say why in the note" in m for m in messages(at, "error"))
    assert _name("t003") in listed(at)
    assert clinic.review.dismissals(clinic.people["carol"], AS_OF) == []


def test_a_patient_dismissed_from_the_draft_view_closes_the_draft_and_returns_to_the_list(screen, clinic):
    draft = _fresh_draft(clinic, "t003")
    at = open_draft(screen("carol"), draft.id)
    at.selectbox(key=f"dismiss-reason-draft-{draft.id}").set_value("not_now")
    at = press(at, "Confirm dismissal")
    assert clinic.stored(draft.id).status == "superseded"
    assert any("not counted as the patient's answer" in m for m in messages(at, "success"))
    assert "Back to the list" not in labels(at)  # the draft is closed with the dismissal
    assert [d["patient_id"] for d in clinic.review.dismissals(clinic.people["carol"], AS_OF)] == ["t003"]


def test_regenerate_says_it_writes_new_words_and_does(screen, clinic):
    draft = _fresh_draft(clinic, "t001")
    at = press(open_draft(screen("carol"), draft.id), "Regenerate in new words")
    stored = clinic.stored(draft.id)
    assert stored.body != draft.body and stored.version == draft.version + 1
    assert any(f"in new words as version {stored.version}" in m for m in messages(at, "success"))
    assert field(at, "Body").value == stored.body
