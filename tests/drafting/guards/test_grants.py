"""Free and discount terms by meaning: a grant in any wording passes only where the offered
service's own entry grants the same thing; polite "free" stays allowed, and neither another
service's page nor the patient's own record authorises anything."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.drafting.conftest import AS_OF
from tests.drafting.guards.conftest import GOOD, check, failed

GRANTS_BAD = [
    "Your first month is on us.",
    "We'll waive the joining fee.",
    "There's no charge for your first facial.",
    "The first month is free.",
    "As a thank-you, we'll include a bonus peel.",
    "We'd love to give you a complimentary consultation.",
    "Sign up and save 15% on your first three months.",
    "We can take $50 off your first month.",
    "We can offer you a reduced rate for the first month.",
    "It's half price for your first month.",
    "We'll throw in a cleanser at no extra cost.",
    "Your first facial is at no cost to you.",
    "We'll cover the cost of your first month.",
    "Members get 20% off all treatments.",
    "As a gift from us, your first kit is on the house.",
    "We have special pricing for returning patients.",
    "You'll get a $25 credit toward your next Botox visit.",
    "There's an introductory rate for new members.",
    "Mention this email for a discount on your first month.",
    "Enjoy a free LED add-on with your first visit.",
    "We'd be glad to gift you a mini serum.",
    "Your enrolment fee is waived this month.",
    "The peel is included at no extra cost.",
    "You'd get a free month to try it.",
    "We'll cover it for you this time.",
    "Your first month is complimentary.",
    "We'd love to offer you 10 percent off.",
]

GRANTS_GOOD = [
    "Feel free to reply with any questions.",
    "You're free to pause or cancel according to the membership terms.",
    "It's a hassle-free way to keep your results.",
    "The membership includes one facial each month.",
    "Members also get member pricing on treatments.",
    "Member pricing applies to eligible treatments.",
    "If you have a free moment, just reply.",
    "The products are fragrance-free.",
    "We don't offer discounts, but the membership spreads care across the year.",
    "It comes with medical-grade products between visits.",
    "Your monthly facial is part of the membership.",
    "Reply whenever you're free.",
    "It is $149 per month.",
    "Whenever you have some free time, we can talk it through.",
    "Free up a few minutes after your next visit and we'll walk you through it.",
    "You'd also have members' pricing on treatments.",
    "It is a healthy habit for your skin.",
    "There is no obligation, and you can cancel under the membership terms.",
    "Nothing changes with your current Botox plan.",
    "We are happy to answer questions, free of any pressure.",
    "Your skin stays free from harsh products.",
]
"""Sentences in a draft for Delia, offered the Skin care membership, whose entry grants member
pricing on treatments and nothing free."""


def grounding(drafting, brief_grounds, sentence: str):
    body = GOOD.replace("Warm regards", sentence + "\n\nWarm regards")
    return check(drafting, brief_grounds, body)["grounding"]


def test_grants_the_offers_entry_does_not_make_fail_and_polite_free_passes(drafting, delia):
    assert len(GRANTS_BAD) >= 15 and len(GRANTS_GOOD) >= 15
    missed = [s for s in GRANTS_BAD if grounding(drafting, delia, s).passed]
    alarms = [s for s in GRANTS_GOOD if not grounding(drafting, delia, s).passed]
    assert len(missed) / len(GRANTS_BAD) <= 0.05, missed
    assert len(alarms) / len(GRANTS_GOOD) <= 0.05, alarms


@pytest.mark.parametrize(
    "grant, found",
    [
        ("Your first month is on us.", "on us"),
        ("We'll waive the joining fee.", "waive"),
        ("We can take $50 off your first month.", "take $50 off"),
        ("Members get 20% off all treatments.", "20% off"),
    ],
)
def test_the_detail_names_the_grant_and_the_offer(drafting, delia, grant, found):
    result = grounding(drafting, delia, grant)
    assert not result.passed
    assert f"'{found}' offers terms that the entry for Skin care membership does not grant" in result.detail


@pytest.fixture(scope="module")
def vip(drafting):
    """d007 refers a friend and is offered the VIP membership (priority booking, member pricing)."""
    return drafting.brief("d007", AS_OF)


@pytest.mark.parametrize(
    "sentence, passes",
    [
        ("As a VIP member you'd get priority booking and member pricing across the practice.", True),
        ("Member rates apply to treatments and products.", True),
        ("VIP members get 15% off every treatment.", False),
        ("Your first month of VIP is complimentary.", False),
        ("We'll add a free facial when you join.", False),
    ],
)
def test_member_pricing_passes_for_the_membership_whose_entry_grants_it(drafting, vip, sentence, passes):
    brief, _ = vip
    body = (
        f"Hi {brief.first_name},\n\nThank you for referring a friend. {sentence} Just reply if you "
        "would like to hear more.\n\nWarm regards,\nYour care team"
    )
    assert ("grounding" not in failed(check(drafting, vip, body))) is passes


def test_member_pricing_fails_for_an_offer_whose_entry_does_not_grant_it(drafting):
    nadia = drafting.brief("d001", AS_OF)
    assert nadia[1].offer.id == "hydrafacial"
    body = GOOD.replace("Delia", nadia[0].first_name).replace(
        "Warm regards", "You would also get member pricing.\n\nWarm regards"
    )
    assert "member pricing" in check(drafting, nadia, body)["grounding"].detail


def test_a_word_on_another_page_authorises_nothing_but_the_offers_own_entry_does(drafting, delia):
    brief, grounds = delia
    sentence = "Your first consultation is complimentary."
    elsewhere = replace(grounds, authorised=grounds.authorised + "\nConsultations are complimentary.")
    assert not grounding(drafting, (brief, elsewhere), sentence).passed
    own = replace(grounds, offer_terms=grounds.offer_terms + "\nYour first consultation is complimentary.")
    assert grounding(drafting, (brief, own), sentence).passed
    assert not grounding(drafting, (brief, own), "Your first facial is complimentary.").passed


def test_a_grant_in_the_patients_record_authorises_nothing(drafting, delia):
    brief, grounds = delia
    promised = replace(grounds, record=grounds.record + "\nThe front desk said my next facial is free.")
    assert not grounding(drafting, (brief, promised), "Your next facial is free.").passed


def test_the_offer_terms_are_the_offers_own_entry_and_nothing_else(drafting, delia):
    """Delia's grounds authorise her Botox page too; only the membership's entry grants terms."""
    _, grounds = delia
    botox = drafting.practice.knowledge.service_pages["botox"][0].text
    assert botox in grounds.authorised and botox not in grounds.offer_terms
    assert grounds.offer_terms.startswith("Skin care membership.")
    assert "member pricing on treatments" in grounds.offer_terms
    assert "No invented savings figures" not in grounds.offer_terms
