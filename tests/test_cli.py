"""Exit statuses, help on every command, and clear errors for bad input."""

from __future__ import annotations

import json

import pytest
import typer
from sqlalchemy import make_url
from typer.testing import CliRunner

from assistant.app.practice import Practice
from assistant.cli import app, serving
from assistant.storage import schema
from tests.shared_servers import DB_PASSWORD, dead_database_url

runner = CliRunner()


def _every_command(command=None, path=()):
    """The path of every command and group registered under the app, the app's own included."""
    command = command or typer.main.get_command(app)
    yield list(path)
    for name, sub in getattr(command, "commands", {}).items():
        yield from _every_command(sub, (*path, name))


COMMANDS = list(_every_command())


def test_the_walk_finds_every_group_and_command():
    assert {"import", "draft", "demo", "serve"} <= {p[0] for p in COMMANDS if len(p) == 1}
    assert ["users", "add"] in COMMANDS and ["eval", "calibrate"] in COMMANDS
    assert ["rules"] in COMMANDS and ["learn", "report"] in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "crosssell")
def test_every_command_and_group_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_import_exits_1_and_names_the_line_when_a_line_is_rejected(home, tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_text('{"type": "patient", "id": "p1", "first_name": "A"}\n{oops\n')
    errors = tmp_path / "errors.jsonl"
    result = runner.invoke(app, ["import", str(path), "--errors", str(errors)])
    assert result.exit_code == 1
    assert "line 2" in result.output and "invalid JSON" in result.output
    kept = [json.loads(line) for line in errors.read_text().splitlines()]
    assert kept[0]["line"] == 2 and kept[0]["text"] == "{oops"


def test_missing_file_and_bad_date_are_clear_errors(home, tmp_path):
    missing = runner.invoke(app, ["import", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    bad = runner.invoke(app, ["scan", "--as-of", "next tuesday"])
    assert bad.exit_code == 2 and "--as-of" in bad.output


def _import_json(path, *lines) -> tuple[int, dict]:
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = runner.invoke(app, ["import", str(path), "--format", "json"])
    assert isinstance(result.exception, SystemExit | None) and "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def _rejected(report: dict) -> list[tuple[int, str, str]]:
    return [(r["line"], r["reason"], r["message"]) for r in report["rejections"]]


def test_an_over_long_id_or_phone_or_a_nul_in_a_name_is_a_rejected_line_on_every_database(home, tmp_path):
    good = {"type": "patient", "id": "p1", "first_name": "Ana", "marketing_consent": True}
    visit = {"type": "event", "id": "e1", "patient_id": "p1", "kind": "milestone", "at": "2026-11-02"}
    long_id, long_phone = {**good, "id": "p" * 120}, {**good, "id": "p2", "phone": "5" * 60}
    nul_name = {**good, "id": "p3", "first_name": "An\x00a"}
    code, report = _import_json(tmp_path / "a.jsonl", good, long_id, long_phone, nul_name, visit)
    assert code == 1
    assert _rejected(report) == [
        (2, "too long", "field 'id' must be at most 100 characters, got 120"),
        (3, "too long", "field 'phone' must be at most 50 characters, got 60"),
        (
            4,
            "control character",
            "field 'first_name' must not hold control characters, got U+0000 at character 3",
        ),
    ]
    assert report["added"] == {"services": 0, "patients": 1, "events": 1, "offers": 0, "outcomes": 0}
    # Now that rows are stored, the import looks up what each line's id held: a NUL there too.
    code, report = _import_json(
        tmp_path / "b.jsonl", {**visit, "id": "e\x002"}, long_id, {**visit, "id": "e2"}
    )
    assert code == 1 and [r[:2] for r in _rejected(report)] == [(1, "control character"), (2, "too long")]
    assert report["added"]["events"] == 1
    assert Practice().repository.ids(schema.events) == {"e1", "e2"}


def test_one_line_at_the_end_of_the_calendar_never_aborts_the_import(home, tmp_path):
    far = {
        "type": "event",
        "id": "e0",
        "patient_id": "p1",
        "kind": "milestone",
        "at": "0001-01-01T00:00:00+14:00",
    }
    lines = [
        {"type": "service", "id": "s1", "name": "S", "price": 10},
        {"type": "patient", "id": "p1", "first_name": "A"},
        far,
        {**far, "id": "e1", "at": "2026-11-02T15:00:00Z"},
    ]
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = runner.invoke(app, ["import", str(path), "--format", "json"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    report = json.loads(result.stdout)
    assert [(r["line"], r["reason"]) for r in report["rejections"]] == [(3, "bad value")]
    assert "field 'at' must be a time from 1900-01-01 to 2100-12-31" in report["rejections"][0]["message"]
    assert report["added"] == {"services": 1, "patients": 1, "events": 1, "offers": 0, "outcomes": 0}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
@pytest.mark.parametrize("command", [["scan"], ["learn", "report"], ["diagnostic"]])
def test_an_as_of_outside_the_range_is_a_clear_error(home, command, day):
    result = runner.invoke(app, [*command, "--as-of", day])
    assert result.exit_code == 2, result.output
    assert "--as-of must be a date from 1900-01-01 to 2100-12-31" in result.output


def test_record_at_a_time_outside_the_range_is_a_clear_error(home):
    result = runner.invoke(app, ["record", "p1", "botox", "accepted", "--at", "0001-01-01T00:00:00+14:00"])
    assert result.exit_code == 2 and "--at must be a time from 1900-01-01 to 2100-12-31" in result.output


def test_record_outcomes_and_unknown_ids(home, tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_text('{"type": "patient", "id": "p1", "first_name": "A", "marketing_consent": true}\n')
    runner.invoke(app, ["import", str(path)])
    ok = runner.invoke(app, ["record", "p1", "botox", "presented", "--moment", "booking"])
    assert ok.exit_code == 0, ok.output
    assert runner.invoke(app, ["record", "p1", "botox", "accepted"]).exit_code == 0
    unknown = runner.invoke(app, ["record", "ghost", "botox", "accepted"])
    assert unknown.exit_code == 3 and "ghost" in unknown.output
    no_moment = runner.invoke(app, ["record", "p1", "botox", "presented"])
    assert no_moment.exit_code == 2 and "--moment" in no_moment.output


def test_rules_show_and_set(home):
    assert runner.invoke(app, ["rules", "set", "cooldown_days", "45"]).exit_code == 0
    shown = runner.invoke(app, ["rules", "show"])
    assert "cooldown_days" in shown.output and "45" in shown.output
    bad = runner.invoke(app, ["rules", "set", "cooldown_days", "-3"])
    assert bad.exit_code == 2
    unknown = runner.invoke(app, ["rules", "set", "vibes", "1"])
    assert unknown.exit_code == 2 and "unknown rule" in unknown.output


def test_the_worker_delivers_what_send_queued(home, monkeypatch, matcher):
    """With `CROSSSELL_DELIVER_ON_SEND=false` only the worker delivers: `worker --once` sends
    what is due, and a second run finds nothing left."""
    from tests.review_desk import AS_OF, build_desk

    monkeypatch.setenv("CROSSSELL_DELIVER_ON_SEND", "false")
    desk = build_desk(home, matcher)
    review, u = desk.review, desk.users
    draft = review.submit(u["coordinator"], review.create(u["coordinator"], desk.ready()[0], AS_OF).id)
    draft = review.approve(u["provider"], draft.id, draft.version)
    queued = review.send(u["coordinator"], draft.id)
    assert queued.status == "queued" and queued.delivery["state"] == "queued"
    first = runner.invoke(app, ["worker", "--once"])
    assert first.exit_code == 0 and "delivered 1 message" in first.output
    assert review.get(u["qa"], draft.id).status == "sent"
    again = runner.invoke(app, ["worker", "--once"])
    assert again.exit_code == 0 and "delivered 0 message" in again.output


def test_import_scan_and_record_are_audited_as_the_machines_user_or_the_actor(home, tmp_path, monkeypatch):
    monkeypatch.setenv("LOGNAME", "maria")
    path = tmp_path / "f.jsonl"
    path.write_text('{"type": "patient", "id": "p1", "first_name": "A", "marketing_consent": true}\n')
    assert runner.invoke(app, ["import", str(path)]).exit_code == 0
    assert runner.invoke(app, ["scan", "--actor", "nightly"]).exit_code == 0
    assert runner.invoke(app, ["record", "p1", "botox", "presented", "--moment", "booking"]).exit_code == 0
    log = json.loads(runner.invoke(app, ["audit", "--format", "json"]).stdout)["entries"]
    done = [e for e in log if e["action"] in ("import", "scan", "record")]
    assert [(e["actor"], e["action"]) for e in done] == [
        ("cli:maria", "import"),
        ("cli:nightly", "scan"),
        ("cli:maria", "record"),
    ]
    assert (done[0]["detail"]["file"], done[0]["detail"]["lines"]) == (str(path), 1)
    assert done[0]["detail"]["added"]["patients"] == 1
    assert done[1]["detail"]["as_of"] == "2026-11-24"
    assert done[2]["patient_id"] == "p1" and done[2]["detail"]["service"] == "botox"


# A database that cannot be reached ------------------------------------------------------------


def _no_server(*args, **kwargs):
    raise AssertionError("the server started over a database that cannot be reached")


@pytest.mark.parametrize(
    "command",
    [
        ["scan"],
        ["migrate"],
        ["migrate", "--format", "json"],
        ["import", "{file}"],
        ["serve"],
        ["serve", "--workers", "2"],
        ["ui"],
        ["worker", "--once"],
        ["rules", "show"],
        ["users", "list"],
    ],
    ids=" ".join,
)
def test_an_unreachable_database_is_one_line_and_exit_4_naming_its_url_but_never_the_password(
    home, tmp_path, monkeypatch, command
):
    url = dead_database_url()
    monkeypatch.setenv("CROSSSELL_DATABASE_URL", url)
    monkeypatch.setattr(serving.uvicorn, "run", _no_server)
    monkeypatch.setattr(serving.subprocess, "call", _no_server)
    lines = tmp_path / "f.jsonl"
    lines.write_text('{"type": "patient", "id": "p1", "first_name": "A"}\n')
    result = runner.invoke(app, [part.format(file=lines) for part in command])
    assert result.exit_code == 4, result.output
    shown = make_url(url).render_as_string(hide_password=True)
    assert shown == url.replace(DB_PASSWORD, "***")
    said = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(said) == 1 and f"cannot reach the database at {shown} " in said[0], result.stderr
    assert "Connection refused" in said[0]
    assert DB_PASSWORD not in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_database_url_sqlalchemy_cannot_use_is_exit_4_without_the_password(home, monkeypatch):
    monkeypatch.setenv("CROSSSELL_DATABASE_URL", f"nosuchdb://crosssell:{DB_PASSWORD}@127.0.0.1/practice")
    result = runner.invoke(app, ["scan"])
    assert result.exit_code == 4, result.output
    assert "CROSSSELL_DATABASE_URL cannot be used" in result.stderr and "nosuchdb" in result.stderr
    assert DB_PASSWORD not in result.output and "Traceback" not in result.output
