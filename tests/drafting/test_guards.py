"""Each guard against adversarial drafts: what a careless or manipulated drafter might write."""

from __future__ import annotations

import pytest

from assistant.drafting.content import DraftContent, Fact
from tests.drafting.conftest import AS_OF


@pytest.fixture(scope="module")
def delia(drafting):
    """Delia (d003): Botox, forehead smoother at two weeks, offered the Skin care membership."""
    return drafting.brief("d003", AS_OF)


GOOD = ("Hi Delia,\n\nIt is lovely to see your Botox results coming through, and your forehead "
        "looks smoother, just as you hoped.\n\nAs a next step, we think our Skin care membership "
        "would suit you well: it protects Botox results between visits. It is $149 per month.\n\n"
        "If you would like to hear more, just reply or book a time that suits you.\n\n"
        "Warm regards,\nYour care team")


def check(drafting, brief_grounds, body, subject="Your Botox results", facts=()):
    brief, grounds = brief_grounds
    content = DraftContent(subject=subject, body=body, facts=list(facts))
    return {g.name: g for g in drafting.guards.check(content, brief, grounds)}


def failed(results) -> set[str]:
    return {name for name, g in results.items() if not g.passed}


def test_a_calm_specific_grounded_draft_passes_every_guard(drafting, delia):
    assert failed(check(drafting, delia, GOOD)) == set()


@pytest.mark.parametrize("pushy", [
    "Act now! This is a limited time offer.",
    "Don't miss out, spots are filling fast.",
    "You need to book before your results fade.",
    "LAST CHANCE to book this week.",
    "Book now!!! You'll regret waiting!",
])
def test_pushy_phrasing_fails_tone(drafting, delia, pushy):
    results = check(drafting, delia, GOOD.replace("Warm regards", pushy + "\n\nWarm regards"))
    assert "tone" in failed(results), pushy


def test_a_calm_negation_is_not_urgency(drafting, delia):
    body = GOOD.replace("Warm regards", "There is no hurry at all.\n\nWarm regards")
    assert "tone" not in failed(check(drafting, delia, body))


@pytest.mark.parametrize("invented, found", [
    ("Your first month is free.", "free"),
    ("We can give you 20% off your first month.", "20% off"),
    ("As a thank-you, the first facial is complimentary.", "complimentary"),
    ("We have a special offer for you.", "special offer"),
    ("It is only $99 per month.", "$99"),
    ("We could also add CoolSculpting.", "CoolSculpting"),
    ("We have a spot for you on December 12.", "December 12"),
])
def test_invented_terms_prices_treatments_and_dates_fail_grounding(drafting, delia, invented,
                                                                     found):
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


@pytest.mark.parametrize("claim", [
    "Your results are guaranteed.",
    "The results are permanent.",
    "It will cure your acne.",
    "It boosts your immune system.",
])
def test_guarantees_and_claims_beyond_the_knowledge_pages_fail_compliance(drafting, delia, claim):
    results = check(drafting, delia, GOOD.replace("Warm regards", claim + "\n\nWarm regards"))
    assert "compliance" in failed(results), claim


def test_an_email_over_150_words_fails_compliance(drafting, delia):
    padding = " ".join(["We hope you are well and enjoying the season."] * 12)
    results = check(drafting, delia, GOOD.replace("Warm regards", padding + "\n\nWarm regards"))
    assert "email is" in results["compliance"].detail


def test_sms_limits_and_opt_out(drafting):
    brief, grounds = drafting.brief("d003", AS_OF, channel="sms")
    good = ("Hi Delia, it's your care team. Your Botox results look lovely. Our Skin care "
            "membership ($149/month) protects them between visits. Reply or book a time if "
            "you'd like to hear more. Reply STOP to opt out")
    content = DraftContent(body=good)
    assert all(g.passed for g in drafting.guards.check(content, brief, grounds))
    missing_stop = DraftContent(body=good.replace(" Reply STOP to opt out", ""))
    results = {g.name: g for g in drafting.guards.check(missing_stop, brief, grounds)}
    assert not results["compliance"].passed and "Reply STOP" in results["compliance"].detail
    too_long = DraftContent(body=good.replace("Your Botox", "Your Botox results. " * 15 + "Your"))
    results = {g.name: g for g in drafting.guards.check(too_long, brief, grounds)}
    assert not results["compliance"].passed and "characters" in results["compliance"].detail


@pytest.mark.parametrize("leak, found", [
    ("Nadia Haddad loved her HydraFacial too.", "Nadia Haddad"),
    ("Write to us at delia.reid@example.com.", "email address"),
    ("Call us on +1 555 010 0003.", "phone number"),
    ("Patient d001 had the same result.", "d001"),
])
def test_other_patients_and_contact_details_fail_privacy(drafting, delia, leak, found):
    results = check(drafting, delia, GOOD.replace("Warm regards", leak + "\n\nWarm regards"))
    assert "privacy" in failed(results)
    assert found in results["privacy"].detail


def test_greeting_the_wrong_patient_fails_privacy(drafting, delia):
    results = check(drafting, delia, GOOD.replace("Hi Delia", "Hi Nadia"))
    assert "privacy" in failed(results)


def test_the_referred_friend_is_not_named(drafting):
    brief, grounds = drafting.brief("d007", AS_OF)
    body = (f"Hi Jenna,\n\nThank you for referring Sam to us after your Botox visits. Our "
            f"{brief.offer.name} is ${brief.offer.price:.0f} per month. Reply or book a time.")
    results = {g.name: g for g in drafting.guards.check(DraftContent(subject="Thanks", body=body),
                                                        brief, grounds)}
    assert not results["privacy"].passed and "Sam" in results["privacy"].detail


def test_generic_or_priceless_drafts_fail_specificity(drafting, delia):
    generic = ("Hi Delia,\n\nWe also offer hormone therapy and many other services. Reply or book "
               "a time.\n\nYour care team")
    results = check(drafting, delia, generic, subject="News from our practice")
    assert "specificity" in failed(results)
    detail = results["specificity"].detail
    assert "Skin care membership" in detail and "own treatments" in detail and "generic" in detail
    priceless = GOOD.replace(" It is $149 per month.", "")
    assert "price" in check(drafting, delia, priceless)["specificity"].detail


def test_citing_an_unknown_source_fails_schema(drafting, delia):
    results = check(drafting, delia, GOOD, facts=[Fact(text="smooth", source="d999-e1")])
    assert "schema" in failed(results) and "d999-e1" in results["schema"].detail
