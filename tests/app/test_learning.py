"""The learning loop end to end: outcomes re-rank offers the way the evidence says, every
presented offer carries the probability it was chosen, and the report, the diagnostic and the
owner's report read the practice's own data."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from assistant.app.accounts import SYSTEM
from assistant.app.demo import build_demo
from assistant.app.drafting import Drafting
from assistant.app.learning import ARTICLE, Learning
from assistant.app.practice import Practice
from assistant.app.review import Review
from assistant.cli import app
from assistant.clock import Clock
from assistant.settings import Settings
from tests.conftest import CASES

runner = CliRunner()
LEARNING = CASES / "dev" / "learning.jsonl"
EXPECTED = json.loads((CASES / "dev" / "learning.expected.json").read_text())
AS_OF = date.fromisoformat(EXPECTED["as_of"])
READY = next(p for p, v in EXPECTED["patients"].items() if v.get("learning"))


def _flipped(line: str) -> str:
    """The same history with the answers the other way round."""
    record = json.loads(line)
    if record.get("kind") in ("offer_accepted", "offer_declined"):
        record["kind"] = "offer_declined" if record["kind"] == "offer_accepted" else "offer_accepted"
    return json.dumps(record)


def test_outcomes_change_the_ranking_the_way_the_evidence_says(tmp_path, matcher):
    chosen = {}
    for name, transform in (("as recorded", str), ("flipped", _flipped)):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(transform(line) for line in LEARNING.read_text().splitlines()))
        practice = Practice(Settings(home=tmp_path / name, llm="none"), matcher=matcher)
        assert not practice.import_file(path).rejected
        ready = {r.patient.id: r for r in practice.scan(AS_OF).ready}[READY]
        chosen[name] = (ready.service.id, ready.estimate)
    ((expected_moment, expected_offer),) = EXPECTED["patients"][READY]["pairs"]
    assert chosen["as recorded"][0] == expected_offer
    assert chosen["flipped"][0] != expected_offer
    assert chosen["flipped"][1].accepted > 0 and "95% interval" in chosen["flipped"][1].text


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    home, _, _ = build_demo(tmp_path_factory.mktemp("demo") / "demo", date(2026, 11, 24), 120, seed=5)
    return Practice(Settings(home=home, database_url=None, llm="none"), clock=Clock.fixed(date(2026, 11, 24)))


def test_a_sent_offer_logs_its_choice_probability_for_offline_evaluation(demo):
    review = Review(demo, Drafting(demo))
    provider, _ = review.accounts.add("doc", "provider", "long-enough-pw")
    week = review.draft_week(SYSTEM, date(2026, 11, 24), limit=3)
    draft = week.drafts[0]
    assert draft.decision and 0 < draft.decision["propensity"] <= 1
    submitted = review.submit(SYSTEM, draft.id)
    review.approve(provider, draft.id, submitted.version)
    review.send(SYSTEM, draft.id)
    review.outcome(SYSTEM, draft.id, accepted=True)
    offers, _ = demo.repository.offers_and_outcomes(2**40)
    logged = [o for o in offers if o.policy]
    assert [o.service_id for o in logged] == [draft.offer]
    assert logged[0].policy["rule_choice"] and logged[0].policy["options"]
    estimate = Learning(demo).report(date(2026, 11, 26))["off_policy"]
    assert estimate["presentations"] == 1
    assert estimate["logged_policy"] == draft.price
    assert estimate["current_policy"]["ips"] >= 0 and "top_rule" in estimate


def test_the_learn_report_shows_converters_with_intervals_and_sample_sizes(demo, monkeypatch):
    monkeypatch.setenv("CROSSSELL_HOME", str(demo.settings.home))
    result = runner.invoke(app, ["learn", "report", "--as-of", "2026-11-24", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["outcomes"] > 0 and report["by_moment"] and report["by_segment"]
    for ends in [*report["by_moment"].values(), *report["by_segment"].values()]:
        for row in ends["top"] + ends["bottom"]:
            assert row["trials"] >= 1 and 0 <= row["low"] <= (row["rate"] or 0) <= row["high"]
    table = runner.invoke(app, ["learn", "report", "--as-of", "2026-11-24"])
    assert "Converters by moment" in table.stdout and "95% interval" in table.stdout


def test_the_diagnostic_computes_the_articles_figures_from_the_practice(demo, monkeypatch):
    monkeypatch.setenv("CROSSSELL_HOME", str(demo.settings.home))
    result = runner.invoke(app, ["diagnostic", "--as-of", "2026-11-24", "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    measured, article = figures["what_if"]["measured"], figures["what_if"]["article"]
    assert article["annual"] == 54000 == ARTICLE["patients"] * 3 * 0.15 * 600
    assert measured["annual"] == pytest.approx(
        measured["patients"]
        * measured["touchpoints"]
        * measured["acceptance"]
        * measured["average_cross_sell"],
        rel=1e-3,
    )
    assert 0 < figures["touchpoints_in_use"] <= 8 == len(figures["touchpoints"])
    assert 0 < figures["revenue"]["after_first_visit_share"] < 1
    assert figures["cancellation"]["cross_sell_patients"] > 0
    table = runner.invoke(app, ["diagnostic", "--as-of", "2026-11-24"])
    assert "$54,000" in table.stdout and "this practice" in table.stdout


def test_the_printable_report_has_every_section(demo, monkeypatch, tmp_path):
    monkeypatch.setenv("CROSSSELL_HOME", str(demo.settings.home))
    target = tmp_path / "owner.html"
    result = runner.invoke(app, ["learn", "report", "--as-of", "2026-11-24", "--html", str(target)])
    assert result.exit_code == 0, result.output
    html = target.read_text()
    for section in (
        "This week's funnel",
        "Acceptance by moment",
        "What converts, by segment",
        "Revenue from accepted offers",
        "Revenue diagnostic",
        "$54,000",
    ):
        assert section in html


def test_a_patients_own_evaluation_agrees_with_the_weekly_scan(demo):
    """A draft for one patient offers what the queue showed for them: the model and the draw
    are the same whether the whole practice or one patient is read."""
    day = date(2026, 11, 24)
    for ready in demo.scan(day).ready[:25]:
        _, alone = demo.evaluate(ready.patient.id, day)
        assert (alone.moment, alone.service.id) == (ready.moment, ready.service.id)
        assert alone.estimate.p == pytest.approx(ready.estimate.p)
        assert alone.decision.propensity == pytest.approx(ready.decision.propensity)
