"""Claims must be supported by the offer's own pages: promises, timeframes and what a treatment
does are stopped when the pages do not say them, and good paraphrases of the pages pass.

`claims.jsonl` holds claim sentences for the default menu's services, written as a careful
strong model writes them: `good` ones paraphrase the service's pages (hedged, reordered, in other
words), `bad` ones claim what the pages do not (another effect, a shorter timeframe, a count,
certainty), `none` are sentences that claim nothing (greetings, the patient's own record,
prices, logistics)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from assistant.drafting.brief import aliases, short_name
from assistant.drafting.guards.claims import Claims, Said
from assistant.knowledge import Knowledge
from assistant.semantic import MiniLMMeaning
from assistant.settings import bundled
from tests.drafting.guards.conftest import GOOD, check, failed

SET = [json.loads(line) for line in (Path(__file__).parent / "claims.jsonl").read_text().splitlines()]
KNOWLEDGE = Knowledge.at(bundled("knowledge"))
MENU = KNOWLEDGE.default_menu


def said(service_id: str) -> Said:
    service = MENU.get(service_id)
    assert service is not None
    return Said(
        short_name(service), (*aliases(service), service.name), tuple(KNOWLEDGE.said_about(service, MENU))
    )


def unsupported(claims: Claims, row: dict) -> list:
    others = [said(s) for s in row.get("treatments", [])]
    return claims.check(row["text"], said(row["offer"]), others, ["Dana"], frozenset(row.get("numbers", [])))


def rates(claims: Claims) -> dict[str, float]:
    """The share of each kind the check gets right: good and none kept, bad stopped."""
    right: Counter[str] = Counter()
    for row in SET:
        right[row["kind"]] += bool(unsupported(claims, row)) == (row["kind"] == "bad")
    total = Counter(row["kind"] for row in SET)
    return {kind: right[kind] / total[kind] for kind in total}


@pytest.fixture(scope="module")
def policy(drafting):
    return drafting.policy


def test_the_set_spreads_over_the_menu():
    kinds = Counter(row["kind"] for row in SET)
    assert kinds["good"] >= 40 and kinds["bad"] >= 40 and kinds["none"] >= 20
    for kind in ("good", "bad"):
        services = Counter(row["offer"] for row in SET if row["kind"] == kind)
        assert len(services) == len(MENU) and min(services.values()) >= 3, kind


def test_by_words_alone_good_claims_pass_and_bad_ones_fail(policy):
    found = rates(Claims(policy.claims, policy.stopwords))
    assert found["good"] >= 0.95 and found["bad"] >= 0.95 and found["none"] >= 0.95, found


def test_with_meaning_paraphrases_pass_too(policy, matcher):
    found = rates(Claims(policy.claims, policy.stopwords, MiniLMMeaning(matcher.embedder)))
    assert found["good"] >= 0.97 and found["bad"] >= 0.95 and found["none"] >= 0.95, found


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        ("You will see firmer skin within a month.", "timeframe 'within a month' not supported"),
        ("It melts away stubborn belly fat.", "'melts' is not what the pages say it does"),
        ("These are results that stay with you for good.", "certainty 'for good' is never supported"),
        ("Just one session will take inches off your waist.", "number 'one session' not supported"),
        ("It works just like a tummy tuck.", "'just like' is not what the pages say"),
    ],
)
def test_an_unsupported_claim_says_why(policy, claim, reason):
    (found,) = Claims(policy.claims, policy.stopwords).check(claim, said("body_contouring"))
    assert (found.sentence, found.about, found.reason) == (claim, "Body contouring", reason)


@pytest.mark.parametrize(
    "sentence",
    [
        "Body contouring uses gentle radiofrequency to help firm and tighten loose skin, and most "
        "people see improvement build over a few months.",
        "Many patients find it can help smooth stubborn areas as the weight comes off.",
        "Each session typically takes under an hour, with no downtime.",
        "You told us your stomach is the area that bothers you most.",
        "It is $750 per session, and you can reply to this email to book.",
        "You can book at https://glow.example/book whenever it suits you.",
        "You can book online at glow.example/book/contouring whenever it suits you, or reply.",
    ],
)
def test_paraphrases_hedges_and_sentences_that_claim_nothing_pass(policy, sentence):
    assert Claims(policy.claims, policy.stopwords).check(sentence, said("body_contouring")) == []


def test_a_link_beside_a_claim_does_not_hide_it(policy):
    claim = "It melts away stubborn belly fat: book at https://glow.example/book today."
    (found,) = Claims(policy.claims, policy.stopwords).check(claim, said("body_contouring"))
    assert found.reason == "'melts' is not what the pages say it does"


def test_the_compliance_guard_names_the_sentence_and_why(drafting, delia):
    claim = "You will see firmer skin within a month."
    results = check(drafting, delia, GOOD.replace("Warm regards", claim + "\n\nWarm regards"))
    assert "compliance" in failed(results)
    assert results["compliance"].detail == (
        f"claim not in the practice's pages for Skin care membership: '{claim}' "
        "(timeframe 'within a month' not supported)"
    )


@pytest.mark.parametrize(
    "claim",
    [
        "Botox results usually last about three to four months, and the membership helps protect them.",
        "Many members find a monthly facial keeps their skin looking healthier and more even.",
    ],
)
def test_a_claim_may_rest_on_the_pages_of_the_service_it_names(drafting, delia, claim):
    results = check(drafting, delia, GOOD.replace("Warm regards", claim + "\n\nWarm regards"))
    assert "compliance" not in failed(results), results["compliance"].detail


def test_a_quoted_goal_is_the_patients_words_not_a_claim(drafting, delia):
    quoted = 'You said your goal is "skin that stays smooth for good".'
    results = check(drafting, delia, GOOD.replace("Warm regards", quoted + "\n\nWarm regards"))
    assert "compliance" not in failed(results), results["compliance"].detail
