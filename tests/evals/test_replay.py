"""Replaying labelled model answers through the real drafting chain: the scripted server speaks
OpenAI, a good answer is kept and a bad one stopped by its guard, the counts per guard and per
defect class, a bad answers line named by number, and the command's exit status."""

from __future__ import annotations

import json
from pathlib import Path

import openai
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.drafting.content import Attempt, DraftContent, GuardResult
from assistant.errors import InputError
from assistant.evals.chat_server import ScriptedChatServer
from assistant.evals.replay import LabelledAnswer, Replayed, ReplayResult, read_answers
from assistant.evals.runs import load_suite
from assistant.settings import bundled

runner = CliRunner()
EVALS = bundled("evals/data")
SIGNED = "Warm regards,\nMaria\nHarbor Skin & Wellness"
KEIKO = {
    "subject": "Thank you, Keiko",
    "body": "Hi Keiko,\n\nThank you for recommending us to a friend. It means a great deal to all of "
    "us here.\n\nSince you come in regularly, our VIP membership may suit you: members get priority "
    "booking, with first access to appointment times, and member pricing across the practice. It is "
    "$99 per month.\n\nIf you'd like to hear more, reply to this email or book a time that suits "
    f"you.\n\n{SIGNED}",
    "facts": [{"text": "Referred a friend from yoga", "source": "R1"}],
}
GUARANTEED = {
    "subject": "Results that last, Odette",
    "body": "Hi Odette,\n\nWe're so glad you love your Botox results. With our Skin care membership "
    "your results are guaranteed to last between visits: one facial each month and medical-grade "
    f"products at home, for $149 per month.\n\nReply to this email or book a time.\n\n{SIGNED}",
    "facts": [{"text": "Feedback 10/10", "source": "R1"}],
}


def line(id: str, patient: str, label: str, answer: dict, **extra) -> dict:
    return {"id": id, "patient_id": patient, "as_of": "2026-11-24", "channel": "email", "label": label,
            **extra, "answer": answer}  # fmt: skip


ANSWERS = [
    line("keiko-good", "p000013", "good", KEIKO, offer="vip_membership"),
    line("odette-guaranteed", "adv07", "bad", GUARANTEED, defect="guarantee", guard="compliance"),
    line(
        "keiko-mislabelled",
        "p000013",
        "bad",
        KEIKO,
        defect="mislabelled",
        guard="tone",
        note="the good answer's own words: no guard can stop it",
    ),  # fmt: skip
    line("no-consent", "adv09", "good", KEIKO),
]


def write(path: Path, rows: list) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    """One replay of the strong suite's practice (one import for the module), by the command."""
    out = tmp_path_factory.mktemp("replay")
    answers = write(out / "answers.jsonl", ANSWERS)
    result = runner.invoke(
        app, ["eval", "replay", "--answers", str(answers), "--output", str(out / "replay.json"), "--quiet"]
    )
    return result, json.loads((out / "replay.json").read_text())


def test_a_good_answer_is_kept_and_a_guaranteed_result_is_stopped_by_compliance(replayed):
    _, run = replayed
    answers = {a["id"]: a for a in run["answers"]}
    assert answers["keiko-good"]["kept"] and answers["keiko-good"]["failed"] == []
    stopped = answers["odette-guaranteed"]
    assert not stopped["kept"]
    compliance = next(g for g in stopped["failed"] if g["name"] == "compliance")
    assert "guarantee" in compliance["detail"]
    assert run["guards"]["compliance"] == {
        "false_alarms": 0,
        "stopped": 1,
        "expected": 1,
        "expected_stopped": 1,
    }


def test_the_rates_per_guard_and_per_defect_count_first_attempts(replayed):
    _, run = replayed
    assert run["good"] == {"n": 1, "kept": 1, "rate": 1.0}
    assert run["bad"] == {"n": 2, "stopped": 1, "rate": 0.5}
    assert run["guards"]["tone"]["expected"] == 1 and run["guards"]["tone"]["expected_stopped"] == 0
    assert all(g["false_alarms"] == 0 for g in run["guards"].values())
    assert run["defects"] == {
        "guarantee": {"n": 1, "stopped": 1, "rate": 1.0},
        "mislabelled": {"n": 1, "stopped": 0, "rate": 0.0},
    }
    (miss,) = run["misses"]
    assert miss["id"] == "keiko-mislabelled" and miss["guards"] == []
    assert miss["note"].startswith("the good answer's own words")
    assert run["timing"]["answers"] == 3 and run["timing"]["per_answer"] > 0


def test_a_patient_with_no_offer_is_a_line_not_replayed(replayed):
    _, run = replayed
    (skipped,) = run["skipped"]
    assert skipped["id"] == "no-consent" and skipped["where"].endswith("answers.jsonl:4")
    assert "no offer" in skipped["reason"] and "marketing consent" in skipped["reason"]


def test_the_command_fails_under_the_targets_and_prints_the_tables(replayed):
    result, run = replayed
    assert result.exit_code == 1
    assert run["targets"]["bad_stopped"] == {"target": 0.95, "rate": 0.5, "met": False}
    assert run["targets"]["good_kept"]["met"] and not run["targets_met"]
    assert "bad stopped" in result.stdout and "MISSED" in result.stdout
    assert "Per guard" in result.stdout and "mislabelled" in result.stdout
    assert "keiko-mislabelled" in result.stdout
    assert "not replayed" in result.stderr and "answers.jsonl:4" in result.stderr


def test_a_bad_answers_line_is_named_by_number(tmp_path):
    path = write(
        tmp_path / "answers.jsonl",
        [
            line("fine", "p000013", "good", KEIKO),
            "{not json",
            line("no-defect", "p000013", "bad", KEIKO),
            line("odd-guard", "p000013", "bad", KEIKO, defect="x", guard="spelling"),
            line("no-body", "p000013", "good", {"subject": "Hi"}),
            line("fine", "p000013", "good", KEIKO),
        ],
    )
    with pytest.raises(InputError) as caught:
        read_answers([path])
    message = str(caught.value)
    assert f"{path}:2: not a JSON object" in message
    assert f"{path}:3: line: a bad answer names its defect class" in message
    assert f"{path}:4: line: unknown guard 'spelling'" in message
    assert f"{path}:5: answer.body: Field required" in message
    assert f"{path}:6: the id 'fine' repeats {path}:1" in message
    result = runner.invoke(app, ["eval", "replay", "--answers", str(path)])
    assert result.exit_code == 2 and f"{path}:3" in result.stderr


def test_the_strong_suite_replays_its_answers_and_eval_run_refuses_it():
    suite = load_suite(EVALS, "strong")
    answers = suite.load_answers()
    assert {a.label for a in answers} == {"good", "bad"}
    assert suite.targets == {"good_kept": 0.97, "bad_stopped": 0.95}
    assert suite.settings["practice_name"] == "Harbor Skin & Wellness"
    result = runner.invoke(app, ["eval", "run", "--suite", "strong", "--quiet"])
    assert result.exit_code == 2 and "no cases to draft" in result.stderr
    result = runner.invoke(app, ["eval", "replay", "--suite", "default"])
    assert result.exit_code == 2 and "no answers to replay" in result.stderr


def test_the_counts_per_guard_and_per_defect():
    def replay(id: str, label: str, failed: list[str], defect=None, guard=None) -> Replayed:
        answer = LabelledAnswer.model_validate(
            line(id, "p1", label, {"body": "Hi"}, defect=defect, guard=guard)
        )
        guards = [GuardResult(name=n, passed=n not in failed, detail=n) for n in ("tone", "privacy")]
        first = Attempt(number=1, drafter="openai:replay", content=DraftContent(body="Hi"), guards=guards)
        return Replayed.of(answer, first, 0.5)

    result = ReplayResult(
        "t",
        "draft/v1",
        "now",
        {"good_kept": 0.5, "bad_stopped": 0.5},
        [
            replay("g1", "good", []),
            replay("g2", "good", ["tone"]),
            replay("b1", "bad", ["tone", "privacy"], "scarcity", "tone"),
            replay("b2", "bad", ["privacy"], "scarcity", "tone"),
            replay("b3", "bad", [], "name", "privacy"),
        ],
        [],
    )
    assert result.per_guard()["tone"] == {
        "false_alarms": 1,
        "stopped": 1,
        "expected": 2,
        "expected_stopped": 1,
    }
    assert result.per_guard()["privacy"] == {
        "false_alarms": 0,
        "stopped": 2,
        "expected": 1,
        "expected_stopped": 0,
    }
    assert result.per_defect() == {
        "name": {"n": 1, "stopped": 0, "rate": 0.0},
        "scarcity": {"n": 2, "stopped": 2, "rate": 1.0},
    }
    assert [m["id"] for m in result.misses()] == ["g2", "b3"]
    assert result.rates()["bad"]["rate"] == 0.6667 and result.targets_met


def test_the_scripted_server_answers_the_openai_client():
    with ScriptedChatServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="not-needed", max_retries=0)
        assert [m.id for m in client.models.list()] == ["replay"]
        with pytest.raises(openai.APIStatusError, match="no answer is scripted"):
            client.chat.completions.create(model="replay", messages=[{"role": "user", "content": "hi"}])
        server.script('{"subject": "", "body": "Hi Ana", "facts": []}')
        reply = client.chat.completions.create(
            model="replay",
            messages=[{"role": "user", "content": "write it"}],
            response_format={"type": "json_object"},
        )
    assert reply.choices[0].message.content == '{"subject": "", "body": "Hi Ana", "facts": []}'
    assert reply.usage is not None and (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (2, 7)
    assert json.loads(reply.choices[0].message.content)["body"] == "Hi Ana"
