"""The shared known-answer cases, end to end through the commands a practice runs."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from tests.conftest import CASES

runner = CliRunner()


def _scan(case: str) -> tuple[dict, dict]:
    expected = json.loads((CASES / "dev" / f"{case}.expected.json").read_text())
    imported = runner.invoke(app, ["import", str(CASES / "dev" / expected["file"]), "--quiet"])
    assert imported.exit_code == 0, imported.output
    scanned = runner.invoke(app, ["scan", "--as-of", expected["as_of"], "--format", "json"])
    assert scanned.exit_code == 0, scanned.output
    return json.loads(scanned.stdout), expected


@pytest.mark.parametrize("case", ["practice", "learning"])
def test_dev_cases_give_exactly_their_expected_answers(home, case):
    result, expected = _scan(case)
    ready = {r["patient_id"]: r for r in result["ready"]}
    suppressed = {s["patient_id"]: s for s in result["suppressed"]}
    for patient_id, want in expected["patients"].items():
        got = ready.get(patient_id)
        if "pairs" in want:
            assert got is not None, (patient_id, suppressed.get(patient_id))
            assert [got["moment"], got["offer"]] in want["pairs"], (patient_id, got)
        if "none" in want:
            assert got is None, (patient_id, got)
            assert suppressed[patient_id]["reason"] == want["none"], patient_id
        if got is not None:
            assert got["offer"] not in want.get("not_offer", []), (patient_id, got)


def test_scan_json_has_the_documented_shape_and_order(home):
    result, _ = _scan("practice")
    assert set(result) == {"as_of", "ready", "suppressed"}
    keys = {
        "patient_id",
        "name",
        "moment",
        "offer",
        "offer_name",
        "price",
        "p_accept",
        "expected_value",
        "evidence",
        "reasons",
    }
    for item in result["ready"]:
        assert keys <= set(item) and item["reasons"] and all(isinstance(r, str) for r in item["reasons"])
    values = [r["expected_value"] for r in result["ready"]]
    assert values == sorted(values, reverse=True)
    for item in result["suppressed"]:
        assert {"patient_id", "moment", "reason"} <= set(item)


def test_learning_case_explains_its_evidence(home):
    result, _ = _scan("learning")
    (chosen,) = result["ready"]
    assert "accepted Hormone optimization 10 of 30 times; 95% interval" in chosen["evidence"]
    assert "at first results visible" in chosen["evidence"]


def test_limit_and_table(home):
    _scan("practice")
    limited = runner.invoke(app, ["scan", "--as-of", "2026-11-24", "--limit", "3", "--format", "json"])
    assert len(json.loads(limited.stdout)["ready"]) == 3
    table = runner.invoke(app, ["scan", "--as-of", "2026-11-24", "--limit", "12"])
    assert table.exit_code == 0 and "Ready this week" in table.stdout and "Nadia" in table.stdout
