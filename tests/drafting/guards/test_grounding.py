"""The grounding guard against invented terms, prices, treatments and dates."""

from __future__ import annotations

import pytest

from tests.drafting.guards.conftest import GOOD, check, failed


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
    ],
)
def test_invented_terms_prices_treatments_and_dates_fail_grounding(drafting, delia, invented, found):
    results = check(drafting, delia, GOOD.replace("Warm regards", invented + "\n\nWarm regards"))
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
