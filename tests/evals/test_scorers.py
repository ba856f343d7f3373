"""The scorers rank messages as people label them, explain themselves, and agree with the
drafting guards (one implementation, two uses)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.app.evals import Evals
from assistant.cli import app
from assistant.evals.calibration import auc, cohen_kappa
from assistant.evals.messages import brief_and_grounds, content_of, read_messages
from assistant.settings import Settings, bundled
from tests.conftest import CASES

SHARED = CASES / "messages" / "labelled.jsonl"
OURS = bundled("evals/data") / "messages" / "labelled.jsonl"
runner = CliRunner()


@pytest.fixture(scope="module")
def evals() -> Evals:
    return Evals(Settings(llm="none"))


@pytest.mark.parametrize("path", [SHARED, OURS], ids=["shared-sample", "our-labelled-set"])
def test_tone_and_specificity_rank_messages_as_the_labels_do(evals, path):
    scored, bad = evals.score_file(path)
    assert not bad and len(scored) >= 4
    calm = [not m.labels["pushy"] for m, _ in scored]
    specific = [m.labels["specific"] for m, _ in scored]
    assert auc([s.tone for _, s in scored], calm) >= 0.9
    assert auc([s.specificity for _, s in scored], specific) >= 0.9


def test_every_lowered_score_says_why(evals):
    scored, _ = evals.score_file(OURS)
    for message, score in scored:
        for dimension in ("tone", "specificity", "grounding"):
            if score.value(dimension) < 1:
                assert any(f.startswith(dimension + ":") for f in score.findings), message.id


def test_pushy_words_lower_tone_and_a_generic_message_scores_low_on_specificity(evals):
    scored = dict((m.id, s) for m, s in evals.score_file(SHARED)[0])
    calm, pushy, generic = scored["p01"], scored["p02"], scored["p03"]
    assert calm.tone == 1 and pushy.tone < 0.5
    assert any("false urgency" in f for f in pushy.findings)
    assert generic.specificity < 0.5 and any("generic" in f for f in generic.findings)


def test_a_scorer_fails_exactly_where_the_guard_fails(evals):
    """The guard fails on blocking findings; the score then falls under the pass threshold."""
    for _, message in read_messages(OURS):
        brief, grounds = brief_and_grounds(message, evals.policy, evals.known)
        content = content_of(message)
        score = evals.scorer.score(message.id, content, brief, grounds)
        results = {g.name: g for g in evals.scorer.guards.check(content, brief, grounds)}
        if not results["tone"].passed:
            assert not score.passed["tone"], message.id
        scored = [g.name for g in evals.scorer.guards if g.dimension == "compliance"]
        assert score.compliance_passed == all(results[name].passed for name in scored), message.id
        for name in scored:
            if not results[name].passed:
                assert score.compliance < 1, (message.id, name)


def test_compliance_catches_sms_rules_and_other_people(evals, tmp_path):
    base = json.loads(SHARED.read_text().splitlines()[0])
    lines = [
        {**base, "id": "long-sms", "channel": "sms", "body": "Hi Rosa, " + "lovely " * 60},
        {**base, "id": "no-stop", "channel": "sms", "body": "Hi Rosa, your Botox looks great."},
        {**base, "id": "guarantee", "body": base["body"] + " Results are guaranteed for life."},
        {**base, "id": "contact", "body": base["body"] + " Write to dana@example.com."},
    ]
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    scores = {m.id: s for m, s in evals.score_file(path)[0]}
    assert not any(s.compliance_passed for s in scores.values())
    assert any("characters" in f for f in scores["long-sms"].findings)
    assert any("STOP" in f for f in scores["no-stop"].findings)
    assert any("guarantee" in f for f in scores["guarantee"].findings)
    assert any("email address" in f for f in scores["contact"].findings)


def test_a_scored_message_s_claims_are_checked_against_its_service_s_pages(evals, tmp_path):
    """An offer named like a service of the default menu gets that service's pages; any other
    offer's claims can rest on nothing but its name."""
    base = {
        "id": "",
        "channel": "email",
        "context": {"first_name": "Aisha", "offer": {"name": "Body contouring", "price": 750}},
    }
    opening = "Hi Aisha, congratulations on your progress. "
    closing = " It is $750 per session. Reply if you would like to hear more."
    paraphrase = "It can help firm loose skin, and improvement builds gradually over about three months."
    lines = {
        "paraphrase": paraphrase,
        "too-soon": "You will see firmer skin within a month.",
        "off-menu": paraphrase,
    }
    rows = [{**base, "id": key, "body": opening + claim + closing} for key, claim in lines.items()]
    rows[2]["context"] = {**base["context"], "offer": {"name": "Glow sculpt", "price": 750}}
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows))
    scores = {m.id: s for m, s in evals.score_file(path)[0]}
    assert scores["paraphrase"].compliance_passed, scores["paraphrase"].findings
    assert not scores["too-soon"].compliance_passed
    assert any("'within a month' not supported" in f for f in scores["too-soon"].findings)
    assert not scores["off-menu"].compliance_passed
    assert any("for Glow sculpt" in f for f in scores["off-menu"].findings)


def test_eval_score_prints_json_and_names_bad_lines(tmp_path):
    good = SHARED.read_text().splitlines()[0]
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join([good, "{not json", json.dumps({"id": "x", "channel": "fax"})]))
    result = runner.invoke(app, ["eval", "score", str(path), "--format", "json"])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["p01"]
    assert {"id", "tone", "specificity", "grounding", "compliance_passed", "findings"} <= set(rows[0])
    assert "line 2: not JSON" in result.stderr and "line 3:" in result.stderr
    assert "channel" in result.stderr


def test_auc_and_kappa():
    assert auc([0.9, 0.8, 0.1], [True, True, False]) == 1.0
    assert auc([0.5, 0.5], [True, False]) == 0.5
    assert auc([1.0], [True]) is None
    assert cohen_kappa([True, False, True, False], [True, False, True, False]) == 1.0
    assert cohen_kappa([True, True, False, False], [True, False, True, False]) == 0.0


def test_calibrate_reports_agreement_for_each_scorer(tmp_path):
    result = runner.invoke(
        app, ["eval", "calibrate", str(SHARED), str(OURS), "--format", "json", "--no-judge"]
    )
    assert result.exit_code == 0, result.output
    rows = {r["dimension"]: r for r in json.loads(result.stdout)["agreements"]}
    assert rows["tone"]["n"] == rows["specificity"]["n"] >= 36
    assert rows["tone"]["auc"] >= 0.9 and rows["specificity"]["auc"] >= 0.9
    assert -1 <= rows["tone"]["kappa"] <= 1


def test_loosely_written_lines_are_still_scored(evals, tmp_path):
    line = {
        "id": 7,
        "channel": "SMS",
        "body": "Hi Dana, lovely progress since August. Body "
        "contouring is $750 per session if you would like to talk. Reply STOP to opt out",
        "context": {
            "history": ["Weight 212 lb in August, 191 lb on Nov 21"],
            "offer": {"name": "Body contouring", "price": "$750/session"},
        },
    }
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps(line))
    ((message, score),) = evals.score_file(path)[0]
    assert message.id == "7" and message.channel == "sms"
    assert score.compliance_passed and score.specificity == 1.0
