"""Each week's control group: drawn, recorded with its chance, kept from offers, measured."""

from __future__ import annotations

from assistant.app.learning import Learning
from assistant.domain.eligibility import Reason
from assistant.reports import lift_line
from tests.review_desk import AS_OF, build_desk


def test_the_weeks_control_group_gets_no_draft_and_the_report_measures_the_lift(tmp_path, matcher):
    desk = build_desk(tmp_path, matcher)
    practice, review, u = desk.practice, desk.review, desk.users
    practice.set_rule("holdout_share", "0.5")
    week = review.draft_week(u["coordinator"], AS_OF)
    held = {r.patient.id: r.service.id for r in week.held_out}
    assert held and week.drafts
    assert not held.keys() & {d.patient_id for d in week.drafts}
    for patient_id, service_id in held.items():
        (event,) = practice.repository.history(patient_id).of_kind("held_out")
        assert event.service_id == service_id and event.number("probability") == 0.5
    again = review.draft_week(u["coordinator"], AS_OF)  # drafting the week again: the same group
    assert not again.drafts and not again.held_out
    suppressed = {s.patient_id: s.reason for s in practice.scan(AS_OF).suppressed}
    assert all(suppressed[p] is Reason.HELD_OUT for p in held)

    patient_id, service_id = next(iter(held.items()))
    visit = {
        "type": "event",
        "id": "held-visit",
        "patient_id": patient_id,
        "kind": "visit_completed",
        "at": "2026-11-28T15:00:00Z",
        "service_id": service_id,
        "amount": 321,
    }
    assert not practice.import_records([visit]).rejected
    lift = Learning(practice).report(AS_OF.replace(day=30))["lift"]
    assert lift["share"] == 0.5 and lift["since"] == AS_OF.isoformat()
    assert lift["held_out"]["patients"] == len(held) and lift["held_out"]["converted"] == 1
    assert lift["held_out"]["revenue_per_patient"] == round(321 / len(held), 2)
    assert lift["offered"]["patients"] == 0  # nothing was sent yet: drafts are not offers


def test_the_owner_reads_the_lift_in_one_sentence(tmp_path, matcher):
    desk = build_desk(tmp_path, matcher)
    before = lift_line(Learning(desk.practice).report(AS_OF)["lift"])
    assert before == "Lift: no patient has been held out yet (10% of each week's ready patients will be)."
    desk.practice.set_rule("holdout_share", "0.5")
    desk.review.draft_week(desk.users["coordinator"], AS_OF)
    held = len(desk.practice.repository.events_of_kinds(["held_out"], 0, 2**40))
    said = lift_line(Learning(desk.practice).report(AS_OF)["lift"])
    assert f"held out {held}, 0%" in said and "too few patients in a group" in said
