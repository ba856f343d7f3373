"""The tone guard against pushy drafts: what a careless or manipulated drafter might write."""

from __future__ import annotations

import pytest

from tests.drafting.guards.conftest import GOOD, check, failed


@pytest.mark.parametrize(
    "pushy",
    [
        "Act now! This is a limited time offer.",
        "Don't miss out, spots are filling fast.",
        "You need to book before your results fade.",
        "LAST CHANCE to book this week.",
        "Book now!!! You'll regret waiting!",
    ],
)
def test_pushy_phrasing_fails_tone(drafting, delia, pushy):
    results = check(drafting, delia, GOOD.replace("Warm regards", pushy + "\n\nWarm regards"))
    assert "tone" in failed(results), pushy


def test_a_calm_negation_is_not_urgency(drafting, delia):
    body = GOOD.replace("Warm regards", "There is no hurry at all.\n\nWarm regards")
    assert "tone" not in failed(check(drafting, delia, body))
