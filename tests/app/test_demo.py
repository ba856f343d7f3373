"""`crosssell demo`: reproducible, every moment and every reason not to offer is in it."""

from __future__ import annotations

import re
from datetime import date

from typer.testing import CliRunner

from assistant.app.demo import build_demo
from assistant.cli import app
from assistant.domain.moments import Moment
from assistant.synthetic.scenarios import SCENARIOS

EXPECTED_REASONS = {s.expect.reason for s in SCENARIOS.values() if s.expect.reason}


def test_demo_has_every_moment_and_every_suppression(tmp_path):
    _, report, result = build_demo(tmp_path / "demo", date(2026, 11, 24), 200, seed=7)
    assert report.added["patients"] == 200 and report.added["outcomes"] > 0
    assert {r.moment for r in result.ready} == set(Moment)
    assert EXPECTED_REASONS and {s.reason for s in result.suppressed} >= EXPECTED_REASONS


def test_demo_is_reproducible_and_prints_the_queue(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSSELL_HOME", str(tmp_path / "home"))
    first = runner_output(tmp_path)
    second = runner_output(tmp_path)
    assert "Ready this week" in first and "pass specificity" in first
    assert "drafts are waiting for review" in first
    assert all(user in first for user in ("maria", "drlee", "quinn", "owner"))
    assert _without_draft_ids(first) == _without_draft_ids(second)


def _without_draft_ids(text: str) -> str:
    return re.sub(r"dr-[0-9a-f]{12}", "dr-…", text)


def runner_output(tmp_path) -> str:
    result = CliRunner().invoke(
        app, ["demo", "--no-serve", "--home", str(tmp_path / "d"), "--as-of", "2026-11-24"]
    )
    assert result.exit_code == 0, result.output
    return result.stdout
