"""`crosssell users` and `crosssell audit` from the command line."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from assistant.app.accounts import Accounts
from assistant.app.practice import Practice
from assistant.cli import app
from assistant.errors import Unauthenticated
from assistant.settings import Settings

runner = CliRunner()


def test_users_are_added_listed_given_tokens_and_disabled_and_it_is_audited(home):
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "maria",
            "--role",
            "coordinator",
            "--name",
            "Maria Santos",
            "--password",
            "long-enough-pw",
        ],
    )
    assert added.exit_code == 0, added.output
    token = added.stdout.split("API token (shown once): ")[1].split()[0]
    practice = Practice(Settings())
    accounts = Accounts(practice.repository, practice.clock)
    assert accounts.authenticate(token).id == "maria"

    listed = json.loads(runner.invoke(app, ["users", "list", "--format", "json"]).stdout)
    assert listed == {
        "users": [{"id": "maria", "name": "Maria Santos", "role": "coordinator", "active": True}]
    }
    again = runner.invoke(app, ["users", "add", "maria", "--role", "qa", "--password", "long-enough-pw"])
    assert again.exit_code == 7 and "already exists" in again.stderr
    weak = runner.invoke(app, ["users", "add", "bob", "--role", "qa", "--password", "short"])
    assert weak.exit_code == 2 and "8 characters" in weak.stderr

    renewed = runner.invoke(app, ["users", "token", "maria"])
    new_token = renewed.stdout.split("(shown once): ")[1].split()[0]
    assert accounts.authenticate(new_token).id == "maria"
    with pytest.raises(Unauthenticated):
        accounts.authenticate(token)  # the old API token stopped working
    assert runner.invoke(app, ["users", "disable", "maria"]).exit_code == 0
    with pytest.raises(Unauthenticated):
        accounts.authenticate(new_token)
    assert runner.invoke(app, ["users", "disable", "nobody"]).exit_code == 3

    log = json.loads(runner.invoke(app, ["audit", "--format", "json"]).stdout)["entries"]
    assert [e["action"] for e in log] == ["user_added", "token_issued", "user_disabled"]
    assert all(e["actor"].startswith("cli:") for e in log)
    table = runner.invoke(app, ["audit", "--user", log[0]["actor"]])
    assert "user_added" in table.stdout


def test_passwords_are_set_tokens_expire_and_the_products_own_ids_are_refused(home):
    def add(user_id: str):
        return runner.invoke(app, ["users", "add", user_id, "--role", "qa", "--password", "long-enough-pw"])

    reserved = add("system")
    assert reserved.exit_code == 2 and "reserved" in reserved.stderr
    assert add("maria").exit_code == 0
    practice = Practice(Settings())
    accounts = Accounts(practice.repository, practice.clock)
    _, session = accounts.login("maria", "long-enough-pw")

    typed = runner.invoke(app, ["users", "password", "maria"], input="a new password\na new password\n")
    assert typed.exit_code == 0, typed.output
    assert "a new password" not in typed.stdout  # the prompt hides what is typed
    with pytest.raises(Unauthenticated):
        accounts.authenticate(session)
    assert accounts.login("maria", "a new password")[0].id == "maria"

    issued = runner.invoke(app, ["users", "token", "maria", "--days", "30"])
    assert issued.exit_code == 0, issued.output
    assert "expires 2026-12-24T15:00:00+00:00" in issued.stdout
    accounts.authenticate(issued.stdout.split("(shown once): ")[1].split()[0])
    held = json.loads(runner.invoke(app, ["users", "tokens", "maria", "--format", "json"]).stdout)["tokens"]
    api = next(t for t in held if t["kind"] == "api")
    assert api["expires_at"] == "2026-12-24T15:00:00+00:00"
    assert api["last_used_at"] == "2026-11-24T15:00:00+00:00"
    assert "never" in runner.invoke(app, ["users", "tokens", "maria"]).stdout
    both = runner.invoke(app, ["users", "token", "maria", "--days", "1", "--until", "2027-01-01"])
    assert both.exit_code == 2 and "not both" in both.stderr

    log = json.loads(runner.invoke(app, ["audit", "--format", "json"]).stdout)["entries"]
    assert [e["action"] for e in log if e["action"].startswith(("password", "token"))] == [
        "password_set",
        "token_issued",
    ]


def test_audit_verify_says_the_log_is_intact_or_names_the_first_altered_entry(home):
    for user in ("ana", "ben", "cy"):
        runner.invoke(app, ["users", "add", user, "--role", "qa", "--password", "long-enough-pw"])
    intact = runner.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0 and "intact: 3 entries" in intact.stdout
    with Practice(Settings()).repository.engine.begin() as conn:  # by hand, as with the file
        conn.execute(text("DROP TRIGGER audit_no_UPDATE"))
        conn.execute(text("""UPDATE audit SET detail = '{"user": "mallory"}' WHERE id = 2"""))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 10 and "entry 2: hash mismatch" in broken.stderr
    report = json.loads(runner.invoke(app, ["audit", "verify", "--format", "json"]).stdout)
    assert (report["intact"], report["entries"], report["broken"]["id"]) == (False, 1, 2)
