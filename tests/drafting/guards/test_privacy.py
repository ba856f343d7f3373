"""The privacy guard: other patients and people, contact details, the right greeting."""

from __future__ import annotations

import pytest

from assistant.drafting.content import DraftContent
from tests.drafting.conftest import AS_OF
from tests.drafting.guards.conftest import GOOD, check, failed


@pytest.mark.parametrize(
    "leak, found",
    [
        ("Nadia Haddad loved her HydraFacial too.", "Nadia Haddad"),
        ("Write to us at delia.reid@example.com.", "email address"),
        ("Call us on +1 555 010 0003.", "phone number"),
        ("Patient d001 had the same result.", "d001"),
    ],
)
def test_other_patients_and_contact_details_fail_privacy(drafting, delia, leak, found):
    results = check(drafting, delia, GOOD.replace("Warm regards", leak + "\n\nWarm regards"))
    assert "privacy" in failed(results)
    assert found in results["privacy"].detail


def test_greeting_the_wrong_patient_fails_privacy(drafting, delia):
    results = check(drafting, delia, GOOD.replace("Hi Delia", "Hi Nadia"))
    assert "privacy" in failed(results)


def test_the_referred_friend_is_not_named(drafting):
    brief, grounds = drafting.brief("d007", AS_OF)
    body = (
        f"Hi Jenna,\n\nThank you for referring Sam to us after your Botox visits. Our "
        f"{brief.offer.name} is ${brief.offer.price:.0f} per month. Reply or book a time."
    )
    results = {
        g.name: g for g in drafting.guards.check(DraftContent(subject="Thanks", body=body), brief, grounds)
    }
    assert not results["privacy"].passed and "Sam" in results["privacy"].detail
