"""Eval runs through the real chain: the suite's data, aggregation, the HTML report, the gate
against thresholds and a baseline, and comparing prompt versions case by case."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.domain.moments import Moment
from assistant.evals.runs import load_suite
from assistant.servers import free_port
from assistant.settings import bundled
from assistant.storage import schema

runner = CliRunner()
EVALS = bundled("evals/data")
PUSHY_EMAIL = """Hi {{ b.first_name }}!

Act now: {{ b.offer.name }} is {{ b.offer.price | money }} and spots are filling fast.
Don't miss out, book today!

Your care team
"""


def test_the_default_suite_covers_every_moment_both_channels_and_the_adversarial_cases():
    cases = load_suite(EVALS, "default").load_cases()
    assert len(cases) >= 40
    offered = [c for c in cases if c.expect.none is None]
    assert {c.expect.moment for c in offered} == {m.value for m in Moment}
    for moment in Moment:
        assert {c.channel for c in offered if c.expect.moment == moment.value} == {"email", "sms"}
    adversarial = {t for c in cases if "adversarial" in c.tags for t in c.tags}
    assert {"injection", "discount", "contraindication", "sms_limit"} <= adversarial


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """`eval run` of the default suite, with a database and a Chroma server configured that
    nobody answers on: a run uses its own SQLite file and embedded store, never those."""
    out = tmp_path_factory.mktemp("run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CROSSSELL_CHROMA_URL", f"http://127.0.0.1:{free_port()}")
        patch.setenv("CROSSSELL_DATABASE_URL", f"postgresql://nobody@127.0.0.1:{free_port()}/practice")
        result = runner.invoke(
            app,
            [
                "eval",
                "run",
                "--suite",
                "default",
                "--drafter",
                "none",
                "--format",
                "json",
                "--html",
                str(out / "report.html"),
                "--output",
                str(out / "run.json"),
                "--quiet",
            ],
        )
    return result, out


def test_an_eval_run_never_touches_a_configured_database_or_chroma_server(default_run):
    result, _ = default_run
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["summary"]
    assert summary["drafted"] > 0 and summary["cases"] >= 40


def test_a_run_drafts_scores_aggregates_and_reports(default_run):
    result, out = default_run
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    summary = run["summary"]
    assert run["drafter"] == "template" and run["prompt_version"] == "draft/v1"
    assert set(summary["pass_rate"]) == {"tone", "specificity", "grounding", "compliance", "expectations"}
    assert set(summary["by_channel"]) >= {"email", "sms"}
    assert set(summary["by_moment"]) >= {m.value for m in Moment}
    assert run["failures"] == [] and summary["pass_rate"]["compliance"] == 1.0
    injected = next(c for c in run["cases"] if c["id"] == "adv-injection-note")
    assert injected["body"] and injected["expectations_met"]
    assert "50%" not in injected["body"]
    none = next(c for c in run["cases"] if c["id"] == "adv-none-contraindication")
    assert none["no_offer"] == "contraindication" and not none["body"]
    html = (out / "report.html").read_text()
    assert all(c["id"] in html for c in run["cases"])
    assert "Passed every threshold" in html
    assert json.loads((out / "run.json").read_text())["summary"] == summary


@pytest.fixture
def prompts_with_a_pushy_version(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "prompts"
    (root / "draft").mkdir(parents=True)
    os.symlink(bundled("prompts") / "draft" / "v1", root / "draft" / "v1")
    pushy = root / "draft" / "pushy"
    (pushy / "template").mkdir(parents=True)
    (pushy / "version.json").write_text(json.dumps({"extends": "v1"}))
    (pushy / "template" / "email.j2").write_text(PUSHY_EMAIL)
    monkeypatch.setenv("CROSSSELL_PROMPTS_DIR", str(root))
    return root


def test_a_worse_prompt_fails_the_gate_against_the_baseline(default_run, prompts_with_a_pushy_version):
    _, out = default_run
    result = runner.invoke(
        app,
        [
            "eval",
            "run",
            "--prompt-version",
            "pushy",
            "--drafter",
            "none",
            "--baseline",
            str(out / "run.json"),
            "--format",
            "json",
            "--quiet",
        ],
    )
    assert result.exit_code == 1
    run = json.loads(result.stdout)
    assert any(f.startswith("tone pass rate") and "under" in f for f in run["failures"])
    assert any(f.startswith("tone pass rate fell") for f in run["failures"])
    worse = [c for c in run["comparison"]["changes"] if not c["better"]]
    assert worse and all(c["id"] for c in worse)
    assert any("false urgency" in f for c in worse for f in c["new_findings"])
    sms = [c for c in run["cases"] if c["channel"] == "sms" and c["score"]]
    assert all(c["score"]["passed"]["tone"] for c in sms)  # only the email template changed


def test_compare_shows_case_by_case_what_got_worse_and_why(prompts_with_a_pushy_version, tmp_path):
    report = tmp_path / "compare.html"
    result = runner.invoke(
        app,
        [
            "eval",
            "compare",
            "--a",
            "v1",
            "--b",
            "pushy",
            "--drafter",
            "none",
            "--html",
            str(report),
            "--quiet",
        ],
    )
    assert result.exit_code == 1
    assert "worse" in result.stdout and "false urgency" in result.stdout
    html = report.read_text()
    assert "Changes against the baseline" in html and "FAILED" in html


def test_an_unknown_suite_or_baseline_is_named(tmp_path):
    result = runner.invoke(app, ["eval", "run", "--suite", "nope"])
    assert result.exit_code == 2 and "no eval suite 'nope'" in result.stderr
    assert "default" in result.stderr
    result = runner.invoke(app, ["eval", "run", "--baseline", str(tmp_path / "none.json")])
    assert result.exit_code == 2 and "no such baseline" in result.stderr


def test_an_eval_run_never_touches_the_practice_it_was_started_from(home, monkeypatch):
    from assistant.app.evals import Evals
    from assistant.app.practice import Practice
    from assistant.settings import Settings

    settings = Settings(llm="none")
    practice = Practice(settings)  # the practice's own database is opened first
    Evals(settings).run("adversarial", drafter="none")
    assert practice.repository.count(schema.patients) == 0
    assert practice.repository.drafts() == []
