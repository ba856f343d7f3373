"""The specificity guard: this patient's own history, this offer and its price."""

from __future__ import annotations

from tests.drafting.guards.conftest import GOOD, check, failed


def test_generic_or_priceless_drafts_fail_specificity(drafting, delia):
    generic = (
        "Hi Delia,\n\nWe also offer hormone therapy and many other services. Reply or book "
        "a time.\n\nYour care team"
    )
    results = check(drafting, delia, generic, subject="News from our practice")
    assert "specificity" in failed(results)
    detail = results["specificity"].detail
    assert "Skin care membership" in detail and "own treatments" in detail and "generic" in detail
    priceless = GOOD.replace(" It is $149 per month.", "")
    assert "price" in check(drafting, delia, priceless)["specificity"].detail
