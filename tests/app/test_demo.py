"""`crosssell demo`: reproducible, every moment and every reason not to offer is in it."""

from __future__ import annotations

import os
import re
import stat
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from assistant.app.demo import (
    DEMO_FILE,
    DEMO_PASSWORD,
    SHARED_STORAGE,
    build_demo,
    demo_environment,
    demo_settings,
    prepare_review,
)
from assistant.app.practice import Practice
from assistant.app.review import open_review
from assistant.cli import app
from assistant.domain.moments import Moment
from assistant.servers import free_port
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


def test_everything_the_demo_writes_is_private_to_its_owner(tmp_path):
    """The home, the database and its journal, the vector store, the outbox and the demo file:
    folders 0700 and files 0600, though the process was started with a umask that shares."""
    as_of = date(2026, 11, 24)
    before = os.umask(0o022)
    try:
        home, _, _ = build_demo(tmp_path / "demo", as_of, 40, seed=7)
        prepare_review(home, as_of)
        with open_review(Practice(demo_settings(home))) as review:
            for channel in ("email", "sms"):
                _send_one(review, channel)
            modes = _modes(home)  # with the database open, so its -wal and -shm are there
    finally:
        os.umask(before)
    expected = {DEMO_FILE, "crosssell.db", "crosssell.db-wal", "crosssell.db-shm", "chroma", "outbox/sms.csv"}
    assert expected <= set(modes) and any(p.startswith("outbox/email/") for p in modes)
    assert modes.pop(".") == 0o700
    shared = {path: oct(mode) for path, mode in modes.items() if mode not in (0o700, 0o600)}
    assert not shared


def _send_one(review, channel: str) -> None:
    coordinator, _ = review.login("maria", DEMO_PASSWORD)
    provider, _ = review.login("drlee", DEMO_PASSWORD)
    draft = next(d for d in review.drafts(coordinator, statuses=["drafted"]) if d["channel"] == channel)
    submitted = review.submit(coordinator, draft["id"])
    review.approve(provider, draft["id"], submitted.version)
    assert review.send(coordinator, draft["id"]).status == "sent"


def _modes(home: Path) -> dict[str, int]:
    """Every path under `home` (and `.` for itself) with its permission bits."""
    paths = [home, *home.rglob("*")]
    return {str(p.relative_to(home)): stat.S_IMODE(p.stat().st_mode) for p in paths}


def test_the_demo_never_touches_a_configured_database_or_chroma_server(tmp_path, monkeypatch):
    """Configured servers nobody answers on: the demo builds, scans and drafts in its own home
    (its SQLite file and embedded store), so it wrote nothing to them."""
    monkeypatch.setenv("CROSSSELL_CHROMA_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("CROSSSELL_DATABASE_URL", f"postgresql://nobody@127.0.0.1:{free_port()}/practice")
    monkeypatch.setenv("CROSSSELL_PRACTICE_ID", "north")
    as_of = date(2026, 11, 24)
    home, report, result = build_demo(tmp_path / "demo", as_of, 40, seed=7)
    week = prepare_review(home, as_of)
    assert report.added["patients"] == 40 and result.ready
    assert week.drafts and not week.failed
    assert (home / "chroma").is_dir() and (home / "crosssell.db").is_file()


def test_the_demos_servers_get_its_home_and_no_configured_server_or_token(tmp_path):
    caller = {name: "configured" for name in SHARED_STORAGE} | {"PATH": "/usr/bin", "CROSSSELL_LLM": "none"}
    env = demo_environment(tmp_path / "demo", "2026-11-24", caller)
    assert not set(SHARED_STORAGE) & set(env)
    assert env["CROSSSELL_HOME"] == str(tmp_path / "demo") and env["CROSSSELL_UI_AS_OF"] == "2026-11-24"
    assert env["PATH"] == "/usr/bin" and env["CROSSSELL_LLM"] == "none"
    assert {"CROSSSELL_CHROMA_URL", "CROSSSELL_CHROMA_TOKEN", "CROSSSELL_DATABASE_URL"} <= set(SHARED_STORAGE)
