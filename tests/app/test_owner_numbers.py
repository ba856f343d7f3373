"""The owner's numbers as the report layer gives them: revenue received apart from the
projection, every month of the year with empty ones as zero, and converters named only once
they have enough outcomes."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from assistant.app.learning import MIN_OUTCOMES, owner_report, render_owner_report
from assistant.app.practice import Practice
from assistant.cli import app
from assistant.settings import Settings, bundled
from tests.answered_offers import accepted_revenue, add_answered_offers
from tests.conftest import CASES

AS_OF = date.fromisoformat(json.loads((CASES / "dev" / "practice.expected.json").read_text())["as_of"])


@pytest.fixture(scope="module")
def practice(tmp_path_factory, matcher) -> Practice:
    home = tmp_path_factory.mktemp("owner")
    practice = Practice(Settings(home=home / "practice", llm="none"), matcher=matcher)
    assert not practice.import_file(CASES / "dev" / "practice.jsonl").rejected
    add_answered_offers(practice, home)
    return practice


@pytest.fixture(scope="module")
def figures(practice) -> dict:
    return owner_report(practice, AS_OF)


def test_measured_revenue_is_what_accepted_offers_brought_in_this_year_and_over_12_months(practice, figures):
    year, last = figures["measured"]["year_to_date"], figures["measured"]["last_12_months"]
    assert (year["from"], year["to"]) == (f"{AS_OF.year}-01-01", AS_OF.isoformat())
    assert year["revenue"] == accepted_revenue(practice, year["from"], year["to"]) > 0
    assert last["revenue"] == accepted_revenue(practice, last["from"], last["to"]) > year["revenue"]
    assert figures["report"]["measured"] == figures["measured"]


def test_measured_acceptance_carries_its_interval_and_the_count_it_rests_on(figures):
    for window in figures["measured"].values():
        acceptance = window["acceptance"]
        assert acceptance["trials"] >= acceptance["accepted"] > 0
        assert 0 <= acceptance["low"] < acceptance["rate"] < acceptance["high"] <= 1
        assert window["offers_made"] >= acceptance["trials"]


def test_the_projection_is_a_formula_apart_from_what_was_measured(figures):
    what_if = figures["diagnostic"]["what_if"]
    assert "x" in what_if["formula"] and "acceptance" in what_if["formula"]
    assert what_if["measured"]["annual"] != figures["measured"]["year_to_date"]["revenue"]


def test_every_month_of_the_year_is_in_the_revenue_by_month_and_empty_ones_are_zero(figures):
    months = figures["revenue"]
    keys = [m["month"] for m in months]
    assert keys[0] == figures["measured"]["last_12_months"]["from"][:7] and keys[-1] == AS_OF.isoformat()[:7]
    assert len(keys) == len(set(keys)) == 13
    for earlier, later in zip(keys, keys[1:], strict=False):
        y, m = map(int, earlier.split("-"))
        assert later == (f"{y + 1}-01" if m == 12 else f"{y}-{m + 1:02d}")
    by_month = {m["month"]: m for m in months}
    assert by_month["2026-03"] == {"month": "2026-03", "label": "Mar 2026", "revenue": 0.0, "accepted": 0}
    assert sum(m["revenue"] for m in months) == figures["measured"]["last_12_months"]["revenue"]


def test_converters_are_named_only_with_enough_outcomes(figures):
    report = figures["report"]
    assert report["min_outcomes"] == MIN_OUTCOMES == 5
    check_in = report["by_moment"]["check_in"]
    named = [r["offer"] for r in check_in["top"] + check_in["bottom"]]
    assert "chemical_peel" in named and "microneedling" not in named
    assert check_in["offers"] > check_in["enough_outcomes"] >= 1
    for ends in [*report["by_moment"].values(), *report["by_segment"].values()]:
        assert all(row["trials"] >= MIN_OUTCOMES for row in ends["top"] + ends["bottom"])
        if not ends["enough_outcomes"]:
            assert ends["top"] == ends["bottom"] == []


def test_the_printable_report_splits_measured_from_projected_in_the_same_words(figures):
    html = render_owner_report(bundled("ui/templates"), figures)
    year = figures["measured"]["year_to_date"]
    measured, projected = html.index("<h2>Measured</h2>"), html.index("<h2>Projected</h2>")
    assert measured < html.index(f"${year['revenue']:,.0f}") < projected
    assert "annual cross-sell revenue (projection)" in html
    assert f"at least {MIN_OUTCOMES} outcomes" in html and "Post-treatment check-in" in html
    assert 'Mar 2026</td><td class="num">$0</td>' in html
    assert "results_visible" not in html and "True" not in html


def test_learn_report_json_keeps_its_keys_and_adds_the_measured_figures(practice, monkeypatch):
    monkeypatch.setenv("CROSSSELL_HOME", str(practice.settings.home))
    result = CliRunner().invoke(app, ["learn", "report", "--as-of", AS_OF.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    for key in (
        "as_of",
        "outcomes",
        "practice_rate",
        "by_moment",
        "by_segment",
        "by_offer",
        "off_policy",
        "lift",
    ):
        assert key in report
    assert report["measured"]["year_to_date"]["revenue"] == accepted_revenue(
        practice, f"{AS_OF.year}-01-01", AS_OF.isoformat()
    )
    assert report["min_outcomes"] == MIN_OUTCOMES
