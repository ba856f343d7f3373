"""The compliance guard: guarantees, claims beyond the knowledge pages, each channel's rules."""

from __future__ import annotations

import pytest

from assistant.drafting.content import DraftContent
from tests.drafting.conftest import AS_OF
from tests.drafting.guards.conftest import GOOD, check, failed


@pytest.mark.parametrize(
    "claim",
    [
        "Your results are guaranteed.",
        "The results are permanent.",
        "It will cure your acne.",
        "It boosts your immune system.",
    ],
)
def test_guarantees_and_claims_beyond_the_knowledge_pages_fail_compliance(drafting, delia, claim):
    results = check(drafting, delia, GOOD.replace("Warm regards", claim + "\n\nWarm regards"))
    assert "compliance" in failed(results), claim


def test_an_email_over_150_words_fails_compliance(drafting, delia):
    padding = " ".join(["We hope you are well and enjoying the season."] * 12)
    results = check(drafting, delia, GOOD.replace("Warm regards", padding + "\n\nWarm regards"))
    assert "email is" in results["compliance"].detail


def test_sms_limits_and_opt_out(drafting):
    brief, grounds = drafting.brief("d003", AS_OF, channel="sms")
    good = (
        "Hi Delia, it's your care team. Your Botox results look lovely. Our Skin care "
        "membership ($149/month) protects them between visits. Reply or book a time if "
        "you'd like to hear more. Reply STOP to opt out"
    )
    content = DraftContent(body=good)
    assert all(g.passed for g in drafting.guards.check(content, brief, grounds))
    missing_stop = DraftContent(body=good.replace(" Reply STOP to opt out", ""))
    results = {g.name: g for g in drafting.guards.check(missing_stop, brief, grounds)}
    assert not results["compliance"].passed and "Reply STOP" in results["compliance"].detail
    too_long = DraftContent(body=good.replace("Your Botox", "Your Botox results. " * 15 + "Your"))
    results = {g.name: g for g in drafting.guards.check(too_long, brief, grounds)}
    assert not results["compliance"].passed and "characters" in results["compliance"].detail
