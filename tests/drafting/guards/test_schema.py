"""The schema guard: a well-formed answer that cites only known sources and leaves nothing for a
person to fill in."""

from __future__ import annotations

import pytest

from assistant.drafting.content import Fact
from tests.drafting.guards.conftest import GOOD, check, failed


def test_citing_an_unknown_source_fails_schema(drafting, delia):
    results = check(drafting, delia, GOOD, facts=[Fact(text="smooth", source="d999-e1")])
    assert "schema" in failed(results) and "d999-e1" in results["schema"].detail


@pytest.mark.parametrize(
    "before, after",
    [
        ("Your care team", "[Practice Name]"),
        ("Your care team", "[Your Name], [Clinic]"),
        ("Hi Delia", "Hi {first_name}"),
        ("Hi Delia", "Hi {{ first_name }}"),
        ("just reply", "book at <booking link>"),
        ("just reply", "come in on [insert date]"),
        ("$149", "$XX"),
        ("$149", "XX dollars"),
        ("just reply", "reply by TBD"),
        ("just reply", "call us at ____"),
        ("Your care team", "Your care team at $practice_name"),
    ],
)
def test_a_placeholder_left_in_fails_schema(drafting, delia, before, after):
    results = check(drafting, delia, GOOD.replace(before, after))
    assert "schema" in failed(results) and "placeholder" in results["schema"].detail


def test_a_placeholder_in_the_subject_fails_schema(drafting, delia):
    results = check(drafting, delia, GOOD, subject="Your Botox results at [Practice Name]")
    assert "schema" in failed(results)
