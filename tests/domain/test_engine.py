"""Each moment, and each reason not to offer, on a patient's story (default and made-up menus)."""

from __future__ import annotations

import pytest

from assistant.domain.conversion import HierarchicalModel
from assistant.domain.eligibility import Reason
from assistant.domain.engine import OfferEngine, ReadyOffer, Suppression
from assistant.domain.moments import Moment
from assistant.domain.rules import Rules
from tests.builders import (
    AS_OF,
    default_menu,
    event,
    history,
    offer,
    outcome,
    sentiment,
    tiny_menu,
)


def engine(menu=None, rules=None, matcher=None) -> OfferEngine:
    rules = rules or Rules()
    return OfferEngine(menu or default_menu(), rules, sentiment(), HierarchicalModel([], rules), matcher)


def ready(answer) -> tuple[str, str]:
    assert isinstance(answer, ReadyOffer), answer
    return answer.moment.value, answer.service.id


def suppressed(answer) -> Reason:
    assert isinstance(answer, Suppression), answer
    return answer.reason


def test_booking_offers_an_add_on_that_pairs_with_the_booked_service():
    h = history(event("appointment_booked", "2026-11-20", "botox", ref="2026-11-30"))
    assert ready(engine().evaluate(h, AS_OF)) == ("booking", "hydrafacial")


def test_booking_that_already_happened_or_was_cancelled_is_no_signal():
    past = history(event("appointment_booked", "2026-11-12", "botox", ref="2026-11-20"))
    assert suppressed(engine().evaluate(past, AS_OF)) is Reason.NO_SIGNAL
    cancelled = history(
        event("appointment_booked", "2026-11-20", "botox", ref="2026-11-30"),
        event("appointment_cancelled", "2026-11-21", "botox", reason="travel"),
    )
    assert suppressed(engine().evaluate(cancelled, AS_OF)) is Reason.NO_SIGNAL


def test_intake_offers_the_membership_after_a_first_consult():
    h = history(event("consultation", "2026-11-23", "botox", note="first consult"))
    assert ready(engine().evaluate(h, AS_OF)) == ("intake", "skincare_membership")


def test_results_visible_from_a_provider_note():
    h = history(
        event("visit_completed", "2026-11-01", "botox", amount=450),
        event("result_observed", "2026-11-18", "botox", note="lines softened"),
    )
    assert ready(engine().evaluate(h, AS_OF)) == ("results_visible", "skincare_membership")


def test_results_visible_from_a_measured_milestone():
    h = history(
        event("visit_completed", "2026-08-01", "glp1_program"),
        event("measurement", "2026-08-02", metric="weight", value=200, unit="lb"),
        event("measurement", "2026-11-20", metric="weight", value=188, unit="lb"),
    )
    answer = engine().evaluate(h, AS_OF)
    assert ready(answer) == ("results_visible", "body_contouring")
    assert "6.0% down" in answer.signal.summary


def test_a_small_weight_change_is_not_a_milestone():
    h = history(
        event("visit_completed", "2026-08-01", "glp1_program"),
        event("measurement", "2026-08-02", metric="weight", value=200, unit="lb"),
        event("measurement", "2026-11-20", metric="weight", value=196, unit="lb"),
    )
    assert suppressed(engine().evaluate(h, AS_OF)) is Reason.NO_SIGNAL


def test_peak_feedback_before_any_treatment_is_not_a_result():
    h = history(event("feedback", "2026-11-20", score=10, comment="Lovely front desk"))
    assert suppressed(engine().evaluate(h, AS_OF)) is Reason.NO_SIGNAL


def test_post_treatment_summary_offers_the_complementary_product():
    h = history(
        event("visit_completed", "2026-05-01", "hydrafacial"),
        event("visit_completed", "2026-11-22", "hydrafacial"),
    )
    assert ready(engine().evaluate(h, AS_OF)) == ("post_treatment_summary", "product_kit")


def test_check_in_needs_a_positive_answer():
    good = history(
        event("visit_completed", "2026-10-20", "chemical_peel"),
        event("check_in", "2026-11-20", score=9, comment="dark spots fading"),
    )
    assert ready(engine().evaluate(good, AS_OF)) == ("check_in", "product_kit")
    words_only = history(
        event("visit_completed", "2026-10-20", "chemical_peel"),
        event("check_in", "2026-11-20", comment="I love my skin now"),
    )
    assert ready(engine().evaluate(words_only, AS_OF)) == ("check_in", "product_kit")


def test_rebooking_and_renewal():
    renewal = history(
        event("membership_renewal_due", "2026-11-19", "skincare_membership", ref="2026-12-06"),
        memberships=("skincare_membership",),
    )
    assert ready(engine().evaluate(renewal, AS_OF)) == ("rebooking_renewal", "vip_membership")
    far = history(
        event("membership_renewal_due", "2026-11-19", "skincare_membership", ref="2027-01-30"),
        memberships=("skincare_membership",),
    )
    assert suppressed(engine().evaluate(far, AS_OF)) is Reason.NO_SIGNAL
    repeat = history(
        event("visit_completed", "2026-08-01", "botox"),
        event("appointment_booked", "2026-11-20", "botox", ref="2026-12-01"),
    )
    answer = engine().evaluate(repeat, AS_OF)
    assert isinstance(answer, ReadyOffer)
    assert answer.service.id in {"hydrafacial", "skincare_membership"}


def test_referral_offers_the_tier_the_menu_offers_at_referral():
    h = history(
        event("visit_completed", "2026-10-01", "botox"),
        event("referral_made", "2026-11-20", referred_name="a coworker"),
    )
    assert ready(engine().evaluate(h, AS_OF)) == ("referral", "vip_membership")


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        ("I want to stay at my goal weight and not regain it", "weight_maintenance"),
        ("tighten the saggy skin on my belly", "body_contouring"),
        ("more energy, and sleeping through the night again", "hormone_optimization"),
    ],
)
def test_goal_change_serves_the_new_goal_in_the_patients_words(matcher, goal, expected):
    h = history(
        event("visit_completed", "2026-06-01", "glp1_program"),
        event("goal_changed", "2026-11-21", **{"from": "lose weight", "to": goal}),
        memberships=("glp1_program",),
    )
    answer = engine(matcher=matcher).evaluate(h, AS_OF)
    assert ready(answer) == ("goal_change", expected)
    assert any("Serves the new goal" in r for r in answer.reasons)


def test_a_made_up_menu_works_the_same_way():
    menu = tiny_menu()
    results = history(
        event("visit_completed", "2026-11-01", "tox"), event("feedback", "2026-11-20", score=10)
    )
    assert ready(engine(menu).evaluate(results, AS_OF)) == ("results_visible", "glow_club")
    booking = history(event("appointment_booked", "2026-11-20", "tox", ref="2026-12-01"))
    assert ready(engine(menu).evaluate(booking, AS_OF)) == ("booking", "facial")
    referral = history(event("referral_made", "2026-11-20"))
    assert ready(engine(menu).evaluate(referral, AS_OF)) == ("referral", "elite")


# Suppressions -------------------------------------------------------------------------------

PEAK = (
    event("visit_completed", "2026-11-01", "botox"),
    event("feedback", "2026-11-20", score=10, comment="love it"),
)


@pytest.mark.parametrize(
    ("story", "fields", "reason"),
    [
        ((), {"marketing_consent": False}, Reason.NO_CONSENT),
        ((event("opted_out", "2026-11-10", channel="all"),), {}, Reason.OPTED_OUT),
        ((event("complaint", "2026-11-21", note="bruising"),), {}, Reason.COMPLAINT),
        ((event("feedback", "2026-11-02", score=3, comment="meh"),), {}, Reason.NEGATIVE),
        ((event("check_in", "2026-11-22", score=7),), {}, Reason.LUKEWARM),
        (
            (event("appointment_cancelled", "2026-11-15", "botox", reason="unhappy with results"),),
            {},
            Reason.NEGATIVE,
        ),
        ((), {"memberships": ("skincare_membership",)}, Reason.HOLDS),
        ((), {"flags": ("pregnant",)}, None),
    ],
)
def test_each_reason_not_to_offer_is_explained(story, fields, reason):
    answer = engine().evaluate(history(*PEAK, *story, **fields), AS_OF)
    if reason is None:
        # skincare membership has no contraindication: pregnancy does not block it
        assert ready(answer) == ("results_visible", "skincare_membership")
        return
    assert suppressed(answer) is reason
    assert answer.moment is Moment.RESULTS_VISIBLE
    assert answer.detail


def test_opting_out_of_one_channel_moves_the_offer_to_the_other():
    h = history(*PEAK, event("opted_out", "2026-11-10", channel="email"))
    answer = engine().evaluate(h, AS_OF)
    assert isinstance(answer, ReadyOffer) and answer.channel == "sms"


def test_contraindication_and_minimum_age():
    pregnant = history(event("consultation", "2026-11-21", "glp1_program"), flags=("pregnant",))
    answer = engine().evaluate(pregnant, AS_OF)
    assert suppressed(answer) is Reason.CONTRAINDICATION
    assert "pregnant" in answer.detail
    from datetime import date

    teen = history(event("consultation", "2026-11-21", "botox"), birth_date=date(2010, 1, 1))
    assert suppressed(engine().evaluate(teen, AS_OF)) is Reason.UNDER_AGE


def test_cooldown_after_any_offer_and_decline_window():
    cooling = history(*PEAK, offers=[offer("vip_membership", "2026-11-10")])
    answer = engine().evaluate(cooling, AS_OF)
    assert suppressed(answer) is Reason.COOLDOWN and "2026-12-10" in answer.detail
    declined = history(
        *PEAK,
        offers=[offer("skincare_membership", "2026-09-01")],
        outcomes=[outcome("skincare_membership", "2026-09-02", False)],
    )
    assert suppressed(engine().evaluate(declined, AS_OF)) is Reason.DECLINED
    long_ago = history(
        *PEAK,
        offers=[offer("skincare_membership", "2026-07-01")],
        outcomes=[outcome("skincare_membership", "2026-07-02", False)],
    )
    assert ready(engine().evaluate(long_ago, AS_OF)) == ("results_visible", "skincare_membership")


def test_rules_are_per_practice():
    h = history(*PEAK, offers=[offer("vip_membership", "2026-11-10")])
    relaxed = Rules(cooldown_days=7)
    assert isinstance(engine(rules=relaxed).evaluate(h, AS_OF), ReadyOffer)
    stale = history(
        event("visit_completed", "2026-10-01", "botox"), event("feedback", "2026-11-01", score=10)
    )
    assert suppressed(engine().evaluate(stale, AS_OF)) is Reason.NO_SIGNAL
    assert isinstance(engine(rules=Rules(signal_days=30)).evaluate(stale, AS_OF), ReadyOffer)


def test_no_candidate_when_the_menu_has_no_next_step():
    h = history(
        event("visit_completed", "2026-11-01", "product_kit"), event("feedback", "2026-11-20", score=10)
    )
    assert suppressed(engine().evaluate(h, AS_OF)) is Reason.NO_CANDIDATE
