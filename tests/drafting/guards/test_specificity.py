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


STOP = " Reply STOP to opt out"


def _specific(drafting, patient, body, channel="sms"):
    from tests.drafting.conftest import AS_OF

    brief, grounds = drafting.brief(patient, AS_OF, channel)
    return check(drafting, (brief, grounds), body, subject="" if channel == "sms" else "A note from us")


def test_the_offer_may_be_named_by_its_distinctive_words(drafting):
    """Paula (d005, HydraFacial) is offered the Medical-grade skin care kit."""
    named = "Hi Paula, thank you for your HydraFacial. Our skin care kit is $180. Reply to order." + STOP
    assert _specific(drafting, "d005", named)["specificity"].passed
    vague = "Hi Paula, thank you for your HydraFacial. Something for home is $180." + STOP
    assert "does not name the offer" in _specific(drafting, "d005", vague)["specificity"].detail


def test_sensitive_care_may_be_named_discreetly_but_plain_care_may_not(drafting):
    """Sofia (d008, GLP-1 at goal) is offered the Weight maintenance program, which is sensitive;
    Paula's kit is not."""
    discreet = (
        "Hi Sofia, congratulations on reaching your goal. The program we talked about is $199 a "
        "month. Reply with any questions. Reply STOP to opt out"
    )
    assert _specific(drafting, "d008", discreet)["specificity"].passed
    plain = "Hi Paula, thank you for your HydraFacial. The plan we discussed is $180." + STOP
    assert "does not name the offer" in _specific(drafting, "d005", plain)["specificity"].detail


def test_the_patients_own_care_counts_in_a_shorter_name_or_in_words_of_the_moment(drafting):
    """ "Thank you for the referral": about this patient, in other words than the record's."""
    jenna = "Hi Jenna, thank you so much for the referral. Our VIP membership is $99 a month." + STOP
    assert _specific(drafting, "d007", jenna)["specificity"].passed
    nothing = "Hi Jenna, we hope you are well. Our VIP membership is $99 a month." + STOP
    assert "own treatments" in _specific(drafting, "d007", nothing)["specificity"].detail
