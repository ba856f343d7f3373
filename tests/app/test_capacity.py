"""The week's capacity: the queue's top N are this week's, and drafting the week drafts N."""

from __future__ import annotations

import json
from datetime import date, timedelta

from typer.testing import CliRunner

from assistant.cli import app
from assistant.domain.capacity import fill
from tests.conftest import CASES

runner = CliRunner()
AS_OF = json.loads((CASES / "dev" / "practice.expected.json").read_text())["as_of"]


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_week_takes_the_top_n_and_a_held_out_patient_takes_no_place():
    week = fill(["a", "b", "c", "d", "e"], 3, lambda patient_id: patient_id == "b")
    assert week.this_week == ["a", "c", "d"] and week.held_out == ["b"]
    assert fill(["a", "b"], 5, lambda _: False).this_week == ["a", "b"]


def test_scan_marks_the_weeks_n_and_drafting_the_week_drafts_them(home):
    _cli("import", str(CASES / "dev" / "practice.jsonl"), "--quiet")
    _cli("rules", "set", "holdout_share", "0")
    _cli("rules", "set", "weekly_capacity", "3")
    ready = json.loads(_cli("scan", "--as-of", AS_OF, "--format", "json"))["ready"]
    assert len(ready) > 3  # every ready patient stays in `ready`
    marked = [r["patient_id"] for r in ready if r["this_week"]]
    by_value = sorted(ready, key=lambda r: -r["expected_value"])
    assert len(marked) == 3 and set(marked) == {r["patient_id"] for r in by_value[:3]}
    week = json.loads(_cli("draft", "--week", "--as-of", AS_OF, "--format", "json"))
    assert sorted(d["patient_id"] for d in week["drafts"]) == sorted(marked)
    limited = json.loads(_cli("draft", "--week", "--as-of", AS_OF, "--limit", "5", "--format", "json"))
    assert len(limited["drafts"]) + len(limited["already_open"]) == 5  # --limit overrides the rule


def test_offers_made_earlier_in_the_week_take_their_places(home):
    _cli("import", str(CASES / "dev" / "practice.jsonl"), "--quiet")
    _cli("rules", "set", "holdout_share", "0")
    _cli("rules", "set", "weekly_capacity", "3")
    ready = json.loads(_cli("scan", "--as-of", AS_OF, "--format", "json"))["ready"]
    first = ready[0]
    monday = date.fromisoformat(AS_OF) - timedelta(days=date.fromisoformat(AS_OF).weekday())
    _cli(
        "record", first["patient_id"], first["offer"], "presented",
        "--moment", first["moment"], "--at", f"{monday.isoformat()}T09:00:00Z",
    )  # fmt: skip
    again = json.loads(_cli("scan", "--as-of", AS_OF, "--format", "json"))["ready"]
    assert first["patient_id"] not in [r["patient_id"] for r in again]
    assert sum(r["this_week"] for r in again) == 2  # 3 a week, 1 already offered

    last_week = monday - timedelta(days=1)
    _cli("rules", "set", "weekly_capacity", "4")
    second = again[0]
    _cli(
        "record", second["patient_id"], second["offer"], "presented",
        "--moment", second["moment"], "--at", f"{last_week.isoformat()}T09:00:00Z",
    )  # fmt: skip
    later = json.loads(_cli("scan", "--as-of", AS_OF, "--format", "json"))["ready"]
    assert sum(r["this_week"] for r in later) == 3  # last Sunday's offer is last week's
