"""The sample exports in `assistant/evals/data/imports/` (messy on purpose) import with exactly
their expected results, a second import changes nothing, and the Vagaro pair gives a queue."""

from __future__ import annotations

import json
from datetime import date

import pytest

from assistant.app.practice import Practice
from assistant.settings import Settings
from assistant.storage import schema
from tests.exports.samples import (
    FRESHA,
    HEADER,
    ROOT,
    ROWS,
    expected_path,
    imported,
    manifest,
    relied_on,
)

PRACTICES = manifest()["practices"]


@pytest.fixture
def sample_practice(home, matcher) -> Practice:
    return Practice(Settings(), matcher=matcher)


@pytest.mark.parametrize("name", sorted(PRACTICES))
def test_each_sample_imports_with_exactly_its_expected_result(sample_practice, name):
    files = PRACTICES[name]["files"]
    for entry, summary in zip(files, imported(sample_practice, files), strict=True):
        expected = json.loads(expected_path(entry["file"]).read_text(encoding="utf-8"))
        assert relied_on(summary) == expected, entry["file"]


@pytest.mark.parametrize("name", sorted(PRACTICES))
def test_importing_the_samples_again_changes_nothing(sample_practice, name):
    files = PRACTICES[name]["files"]
    first = imported(sample_practice, files)
    stored = (sample_practice.repository.patient_records(), _events(sample_practice))
    again = imported(sample_practice, files)
    for entry, before, after in zip(files, first, again, strict=True):
        assert sum(after["added"].values()) == 0, entry["file"]
        assert sum(after["updated"].values()) == 0, entry["file"]
        assert sum(after["unchanged"].values()) == after["records"] > 0, entry["file"]
        assert after["rejections"] == before["rejections"], entry["file"]
    assert (sample_practice.repository.patient_records(), _events(sample_practice)) == stored


def _events(practice: Practice) -> int:
    return practice.repository.count(schema.events)


@pytest.mark.parametrize("name", sorted(n for n, p in PRACTICES.items() if "scan" in p))
def test_a_scan_after_a_practices_samples_finds_ready_patients_and_holds_back_the_unsettled(
    sample_practice, name
):
    practice = PRACTICES[name]
    imported(sample_practice, practice["files"])
    expected = practice["scan"]
    result = sample_practice.scan(date.fromisoformat(expected["as_of"])).as_dict()
    assert len(result["ready"]) >= expected["min_ready"]
    held = {s["patient_id"]: s["reason"] for s in result["suppressed"]}
    assert {pid: held.get(pid) for pid in expected["held_back"]} == expected["held_back"]
    ready = {r["patient_id"] for r in result["ready"]}
    assert ready.isdisjoint(expected["held_back"])


def test_the_fresha_workbook_holds_the_rows_its_writer_keeps():
    from openpyxl import load_workbook

    workbook = load_workbook(FRESHA / "clients.xlsx", read_only=True)
    try:
        rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    written = [HEADER, *[[None if v == "" else v for v in row] for row in ROWS]]
    assert [[_plain(v) for v in row] for row in rows] == [[_plain(v) for v in row] for row in written]


def _plain(value: object) -> object:
    """A cell as openpyxl gives it back: dates as datetimes, blanks as None."""
    from datetime import datetime

    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return None if value == "" else value


def test_the_readme_walkthrough_runs_as_written(home, monkeypatch):
    """The three commands of the README's "From a booking system's export", through the CLI,
    from the checkout's root as the README runs them."""
    from typer.testing import CliRunner

    from assistant.cli import app

    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    vagaro = PRACTICES["vagaro"]
    for entry in vagaro["files"]:
        consent = ["--consent", "on-file"] if entry["consent_on_file"] else []
        args = ["import", f"assistant/evals/data/imports/{entry['file']}", "--preset", entry["preset"]]
        done = runner.invoke(app, [*args, *consent, "--format", "json", "--quiet"])
        assert done.exit_code == 1, done.output  # each sample has rejected rows
        assert relied_on(json.loads(done.stdout)) == json.loads(expected_path(entry["file"]).read_text())
    done = runner.invoke(
        app, ["scan", "--as-of", vagaro["scan"]["as_of"], "--limit", "12", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    assert len(json.loads(done.stdout)["ready"]) == 12
