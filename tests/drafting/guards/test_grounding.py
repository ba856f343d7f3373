"""The grounding guard against invented terms, prices, treatments, dates and numbers, and a
second offer; each number is held against the fact it states."""

from __future__ import annotations

import pytest

from tests.drafting.conftest import AS_OF
from tests.drafting.guards.conftest import GOOD, check, failed


@pytest.fixture(scope="package")
def beatriz(drafting):
    """Beatriz (d004): GLP-1 weight loss, 212 to 191 lb, a 9/10 check-in, offered Body contouring."""
    return drafting.brief("d004", AS_OF)


PROGRESS = (
    "Hi Beatriz,\n\nCongratulations on your progress with the GLP-1 medical weight loss program: {}\n\n"
    "As weight comes off, our Body contouring can help firm loose skin on the stomach, arms and "
    "thighs. It is $750 per session.\n\nIf you would like to hear more, just reply.\n\n"
    "Warm regards,\nYour care team"
)


def added(sentence: str) -> str:
    return GOOD.replace("Warm regards", sentence + "\n\nWarm regards")


@pytest.mark.parametrize(
    "invented, found",
    [
        ("Your first month is free.", "free"),
        ("We can give you 20% off your first month.", "20% off"),
        ("As a thank-you, the first facial is complimentary.", "complimentary"),
        ("We have a special offer for you.", "special offer"),
        ("It is only $99 per month.", "$99"),
        ("We could also add CoolSculpting.", "CoolSculpting"),
        ("We have a spot for you on December 12.", "December 12"),
        ("We have openings from the 27th.", "27th"),
        ("We have openings on the 3rd.", "3rd"),
        ("We have a spot on 10/10.", "date '10/10'"),
    ],
)
def test_invented_terms_prices_treatments_and_dates_fail_grounding(drafting, delia, invented, found):
    results = check(drafting, delia, added(invented))
    assert "grounding" in failed(results)
    assert found.lower() in results["grounding"].detail.lower()


def test_a_wrong_price_for_a_named_service_fails_grounding(drafting, delia):
    body = GOOD.replace("It is $149 per month.", "It is $149 per month, and a HydraFacial is $99.")
    results = check(drafting, delia, body)
    assert "grounding" in failed(results)
    assert "HydraFacial costs $225" in results["grounding"].detail


def test_polite_free_is_not_an_offer(drafting, delia):
    body = GOOD.replace("just reply", "feel free to reply")
    assert "grounding" not in failed(check(drafting, delia, body))


@pytest.mark.parametrize(
    "offered",
    [
        "Our HydraFacial ($225) pairs nicely too.",
        "A HydraFacial at $225 would also help.",
        "You could also try a HydraFacial.",
        "We would also recommend our Chemical peel.",
        "A HydraFacial pairs well with it, too.",
        "Ask about a $225 HydraFacial at your next visit.",
    ],
)
def test_a_second_menu_service_offered_fails_grounding(drafting, delia, offered):
    results = check(drafting, delia, added(offered))
    assert "grounding" in failed(results) and "one offer" in results["grounding"].detail


@pytest.mark.parametrize(
    "history",
    [
        "We hope you are enjoying your Botox results.",
        "After your Botox, many patients keep up their skin care at home.",
        "It was lovely to see you for your Botox on November 6.",
    ],
)
def test_the_patients_own_treatments_are_history_not_a_second_offer(drafting, delia, history):
    assert "grounding" not in failed(check(drafting, delia, added(history)))


@pytest.mark.parametrize(
    "unlisted",
    [
        "Our new microcurrent facial is lovely too.",
        "A B12 shot could help your energy.",
        "We also do PRP.",
        "LED therapy pairs well with it.",
        "An oxygen facial would brighten things up.",
        "Our new glow facial is popular.",
        "Our Signature Peel is a favourite.",
    ],
)
def test_a_treatment_not_on_the_menu_fails_grounding(drafting, delia, unlisted):
    results = check(drafting, delia, added(unlisted))
    assert "grounding" in failed(results) and "not on the menu" in results["grounding"].detail


@pytest.mark.parametrize(
    "said",
    [
        "you are down 21 pounds.",
        "you are 21 lb lighter.",
        "you have lost twenty-one pounds.",
        "you have lost over 20 pounds.",
        "you are down almost 10%.",
        "your weight went from 212 to 191 lb.",
        "thank you for your 9/10 check-in.",
        "thank you for rating us a 9 out of 10.",
        "it was lovely to see you at your second visit.",
        "a series of four to six sessions is typical.",
        "a series of 4-6 sessions is typical.",
        "a session takes 45 to 60 minutes.",
        "results build over about three months.",
        "in the 3 months since you started, you have done so well.",
        "we saw you on Thursday, November 19.",
        "we saw you on November 19 (Thursday).",
        "we saw you on the 19th.",
        "we have your goal of losing 30 pounds in mind.",
        "you have done so well since August 2026.",
    ],
)
def test_numbers_that_state_the_records_facts_pass(drafting, beatriz, said):
    results = check(drafting, beatriz, PROGRESS.format(said), subject="Your progress")
    assert "grounding" not in failed(results), results["grounding"].detail


@pytest.mark.parametrize(
    "said, found",
    [
        ("you are down 24 pounds.", "change 'down 24 pounds'"),
        ("you are 24 lb lighter.", "change"),
        ("you have lost twenty-four pounds.", "change"),
        ("you are down 15%.", "change"),
        ("you are now 264 lb.", "measurement '264 lb'"),
        ("thank you for your 10/10 check-in.", "score '10/10'"),
        ("thank you for rating us a 10.", "score"),
        ("it was lovely to see you at your fifth visit.", "fifth visit"),
        ("a series of eight sessions is typical.", "eight sessions"),
        ("a session takes 90 minutes.", "length of time '90 minutes'"),
        ("results show in 3 to 5 days.", "3 to 5 days"),
        ("in the 7 months since you started, you have done so well.", "7 months"),
        ("we saw you on Wednesday, November 19.", "November 19 is not a Wednesday"),
        ("see you on Tuesday.", "Tuesday"),
        ("we saw you on the 24th.", "day '24th'"),
        ("we have your goal of losing 50 pounds in mind.", "50 pounds"),
        ("you have done so well since 2024.", "2024"),
    ],
)
def test_numbers_that_do_not_state_the_records_facts_fail(drafting, beatriz, said, found):
    results = check(drafting, beatriz, PROGRESS.format(said), subject="Your progress")
    assert "grounding" in failed(results) and found in results["grounding"].detail


def test_a_score_is_not_a_date(drafting, delia):
    """Delia scored her visit 10: "10/10" is her score, not October 10."""
    for said in ("Thank you for the 10/10.", "A 10/10 score means a lot to us."):
        assert "grounding" not in failed(check(drafting, delia, added(said)))
    results = check(drafting, delia, added("Thank you for the 9/10."))
    assert "grounding" in failed(results) and "score '9/10'" in results["grounding"].detail


@pytest.mark.parametrize(
    "said, passes",
    [
        ("It is $149 per month.", True),
        ("It is $149 a month.", True),
        ("It is $149 monthly.", True),
        ("It is $149/month.", True),
        ("It is $149 per visit.", False),
        ("It is $149 a year.", False),
        ("It is $149 per session.", False),
    ],
)
def test_a_price_is_per_the_menus_unit(drafting, delia, said, passes):
    results = check(drafting, delia, GOOD.replace("It is $149 per month.", said))
    assert ("grounding" not in failed(results)) is passes, results["grounding"].detail
