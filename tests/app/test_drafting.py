"""`crosssell draft`: one patient or the whole week, offline, stored for review."""

from __future__ import annotations

import json

import orjson
from typer.testing import CliRunner

from assistant.app.practice import Practice
from assistant.cli import app
from assistant.settings import Settings
from tests.conftest import CASES

runner = CliRunner()
EXPECTED = json.loads((CASES / "dev" / "practice.expected.json").read_text())
AS_OF = EXPECTED["as_of"]
GUARDS = ["schema", "grounding", "tone", "compliance", "privacy", "discretion", "specificity"]


def _import(home) -> None:
    result = runner.invoke(app, ["import", str(CASES / "dev" / "practice.jsonl"), "--quiet"])
    assert result.exit_code == 0, result.output


def test_the_week_is_drafted_offline_checked_and_stored(home, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    _import(home)
    assert runner.invoke(app, ["rules", "set", "holdout_share", "0"]).exit_code == 0  # no control group
    assert runner.invoke(app, ["rules", "set", "weekly_capacity", "100"]).exit_code == 0  # every one
    result = runner.invoke(app, ["draft", "--week", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 0, result.output
    week = json.loads(result.stdout)
    drafts = {d["patient_id"]: d for d in week["drafts"]}
    assert len(drafts) == week["ready"] > 0 and week["held_out"] == []
    for patient_id, want in EXPECTED["draft"].items():
        draft = drafts[patient_id]
        text = f"{draft['subject']}\n{draft['body']}".lower()
        for alternatives in want["must_include_any"]:
            assert any(a.lower() in text for a in alternatives), (patient_id, alternatives)
        for banned in want["must_not_include"]:
            assert banned.lower() not in text, (patient_id, banned)
    for draft in drafts.values():
        assert draft["drafter"] == "template" and draft["attempts"] == 1
        assert [g["name"] for g in draft["guards"]] == GUARDS
        assert all(g["passed"] for g in draft["guards"]), draft
        assert draft["sources"] and all(s["id"] for s in draft["sources"])
    repository = Practice(Settings()).repository
    stored = [orjson.loads(r) for r in repository.drafts(as_of=AS_OF)]
    assert {d["id"] for d in stored} == {d["id"] for d in drafts.values()}
    assert all(d["status"] == "drafted" and d["attempts"][0]["guards"] for d in stored)
    created = {e.draft_id for e in repository.audit() if e.action == "create"}
    assert created == {d["id"] for d in stored}


def test_one_patient_as_json_and_as_text(home, monkeypatch):
    monkeypatch.setenv("LOGNAME", "maria")
    _import(home)
    sms = runner.invoke(app, ["draft", "d006", "--as-of", AS_OF, "--channel", "sms"])
    assert sms.exit_code == 0, sms.output
    assert "Reply STOP to opt out" in sms.stdout and "pass compliance" in sms.stdout
    result = runner.invoke(app, ["draft", "d006", "--as-of", AS_OF, "--format", "json", "--actor", "ana"])
    assert result.exit_code == 0, result.output
    draft = json.loads(result.stdout)
    assert {
        "patient_id",
        "moment",
        "offer",
        "channel",
        "subject",
        "body",
        "drafter",
        "guards",
        "sources",
        "attempts",
    } <= set(draft)
    assert (draft["patient_id"], draft["moment"], draft["offer"]) == ("d006", "check_in", "product_kit")
    assert draft["channel"] == "sms" and draft["id"] in sms.stdout  # the open draft, not a second
    trail = Practice(Settings()).repository.audit(draft_id=draft["id"])
    assert [(e.actor, e.action) for e in trail] == [("cli:maria", "create"), ("cli:ana", "view")]
    email = runner.invoke(app, ["draft", "d006", "--as-of", AS_OF, "--channel", "email"])
    assert email.exit_code != 0 and "already has an open sms draft" in email.output


def test_an_ineligible_patient_gets_the_reason_and_no_draft(home):
    _import(home)
    result = runner.invoke(app, ["draft", "d013", "--as-of", AS_OF])
    assert result.exit_code == 2
    assert "no marketing consent" in result.output
    assert Practice(Settings()).repository.drafts(patient_id="d013") == []


def test_bad_requests_are_named(home):
    _import(home)
    unknown = runner.invoke(app, ["draft", "nobody", "--as-of", AS_OF])
    assert unknown.exit_code == 3 and "unknown patient 'nobody'" in unknown.output
    neither = runner.invoke(app, ["draft"])
    assert neither.exit_code == 2 and "PATIENT_ID or --week" in neither.output
    both = runner.invoke(app, ["draft", "d006", "--week"])
    assert both.exit_code == 2
    bad_day = runner.invoke(app, ["draft", "d006", "--as-of", "24/11/2026"])
    assert bad_day.exit_code == 2 and "--as-of" in bad_day.output
