"""The registry is the one list of guards: the drafting loop, the review desk and the eval scorers
all read it, so a guard added there is run, shown, scored and, if it blocks, held to."""

from __future__ import annotations

from assistant.app.drafting import Drafting
from assistant.app.evals import Evals
from assistant.drafting.content import DraftContent, GuardResult
from assistant.drafting.guards import Checked, Finding, Guard, blocks_submission, contains, registry
from assistant.settings import Settings
from tests.drafting.guards.conftest import GOOD, check, failed


def test_a_calm_specific_grounded_draft_passes_every_guard(drafting, delia):
    assert failed(check(drafting, delia, GOOD)) == set()


def test_seven_guards_in_order_and_only_compliance_privacy_and_discretion_block():
    assert [(g.name, g.blocks) for g in registry.GUARDS] == [
        ("schema", False),
        ("grounding", False),
        ("tone", False),
        ("compliance", True),
        ("privacy", True),
        ("discretion", True),
        ("specificity", False),
    ]


def test_each_result_says_whether_it_blocks_even_with_no_message_to_check(drafting, delia):
    brief, grounds = delia
    results = drafting.guards.check(None, brief, grounds, "the answer was not JSON")
    assert [(g.name, g.passed, g.detail, g.blocks) for g in results] == [
        ("schema", False, "the answer was not JSON", False),
        ("grounding", False, "no message to check", False),
        ("tone", False, "no message to check", False),
        ("compliance", False, "no message to check", True),
        ("privacy", False, "no message to check", True),
        ("discretion", False, "no message to check", True),
        ("specificity", False, "no message to check", False),
    ]


def test_a_result_stored_before_guards_said_whether_they_block_still_blocks():
    stored = [
        GuardResult.model_validate({"name": n, "passed": False, "detail": "x"})
        for n in ("tone", "compliance", "privacy")
    ]
    assert [blocks_submission(g) for g in stored] == [False, True, True]
    assert blocks_submission(GuardResult(name="new", passed=False, detail="x", blocks=True))


class Fruit(Guard):
    """A guard a later issue might add: no talk of fruit, scored under tone."""

    name = "fruit"
    blocks = True
    dimension = "tone"
    passing = "no fruit"

    def check(self, draft: Checked) -> list[Finding]:
        return [Finding("fruit", "talks of bananas")] if contains(draft.text, "bananas") else []


def test_a_guard_added_to_the_registry_is_run_by_the_drafting_loop_and_the_scorer(
    drafting, delia, monkeypatch
):
    monkeypatch.setattr(registry, "GUARDS", [*registry.GUARDS, Fruit])
    brief, grounds = delia
    content = DraftContent(
        subject="Your Botox results", body=GOOD.replace("Warm regards", "Bananas help too.\n\nWarm regards")
    )
    results = {g.name: g for g in Drafting(drafting.practice).guards.check(content, brief, grounds)}
    assert list(results)[-1] == "fruit"
    assert not results["fruit"].passed and results["fruit"].blocks
    assert results["fruit"].detail == "talks of bananas"
    score = Evals(Settings(llm="none")).scorer.score("m1", content, brief, grounds)
    assert "tone: talks of bananas" in score.findings and score.tone < 1
