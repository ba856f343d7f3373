"""`crosssell serve` as a real server process on loopback, as the demo starts it."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.app.practice import Practice
from assistant.servers import api_command, free_port, running
from assistant.settings import Settings
from tests.shared_servers import TEST_DATABASE_URL, fresh_database


def _post(url: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_the_api_server_starts_logs_in_and_takes_events(tmp_path):
    home = tmp_path / "home"
    practice = Practice(Settings(home=home, database_url=None))
    practice.import_records(
        [
            {
                "type": "patient",
                "id": "p1",
                "first_name": "Ana",
                "marketing_consent": True,
                "email": "ana@example.com",
            }
        ]
    )
    from assistant.app.accounts import Accounts

    Accounts(practice.repository, practice.clock).add("frontdesk", "coordinator", "long-enough-pw")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "CROSSSELL_DATABASE_URL"},
        "CROSSSELL_HOME": str(home),
        "CROSSSELL_LLM": "none",
    }
    base = f"http://127.0.0.1:{port}"
    with running(api_command("127.0.0.1", port), f"{base}/health", env, tmp_path / "api.log"):
        token = _post(f"{base}/auth/token", {"user_id": "frontdesk", "password": "long-enough-pw"})["token"]
        report = _post(
            f"{base}/events",
            {
                "type": "event",
                "id": "e1",
                "patient_id": "p1",
                "kind": "feedback",
                "at": "2026-11-20T10:00:00Z",
                "score": 10,
            },
            token,
        )
    assert report["added"]["events"] == 1
    assert [e.id for e in practice.repository.history("p1", 2**40).events] == ["e1"]


def test_the_api_server_names_no_server_and_stops_a_streamed_body_over_its_limit(tmp_path):
    import http.client

    env = {
        **{k: v for k, v in os.environ.items() if k != "CROSSSELL_DATABASE_URL"},
        "CROSSSELL_HOME": str(tmp_path / "home"),
        "CROSSSELL_LLM": "none",
        "CROSSSELL_MAX_BODY_BYTES": "4096",
    }
    port = free_port()
    health = f"http://127.0.0.1:{port}/health"
    with running(api_command("127.0.0.1", port), health, env, tmp_path / "api.log"):
        with urllib.request.urlopen(health, timeout=10) as answer:
            headers = {k.lower(): v for k, v in answer.getheaders()}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        chunks = (b'{"type": "event"}\n' * 100 for _ in range(10))  # 18 kB, with no Content-Length
        connection.request("POST", "/v1/events", body=chunks, encode_chunked=True)
        refused = connection.getresponse()
        body = json.loads(refused.read())
    assert "server" not in headers
    assert headers["cache-control"] == "no-store" and headers["x-content-type-options"] == "nosniff"
    assert refused.status == 413
    assert body == {"error": "the request body is over the limit of 4096 bytes", "status": 413}


def _serve_workers(tmp_path: Path, database_url: str | None) -> tuple[str, str]:
    """`crosssell serve --workers 2 --no-worker` on a new database: both processes migrate it
    at start, at once. The /health answer, and the log once both have started."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "CROSSSELL_DATABASE_URL"},
        "CROSSSELL_HOME": str(tmp_path / "home"),
        "CROSSSELL_LLM": "none",
    }
    if database_url:
        env["CROSSSELL_DATABASE_URL"] = database_url
    port, log = free_port(), tmp_path / "api.log"
    command = [*api_command("127.0.0.1", port), "--workers", "2", "--no-worker"]
    with running(command, f"http://127.0.0.1:{port}/health", env, log):
        deadline = time.monotonic() + 60
        while log.read_text().count(STARTED) < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as answer:
            health = answer.read().decode()
        return health, log.read_text()


STARTED = "Application startup complete."


def test_two_api_processes_start_together_on_a_new_sqlite_database(tmp_path):
    health, log = _serve_workers(tmp_path, None)
    assert json.loads(health) == {"status": "ok"}
    assert log.count(STARTED) == 2 and "Traceback" not in log, log[-3000:]


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="CROSSSELL_TEST_DATABASE_URL is not set (no PostgreSQL)")
def test_two_api_processes_start_together_on_a_new_postgresql_database(tmp_path):
    with fresh_database(TEST_DATABASE_URL) as url:
        health, log = _serve_workers(tmp_path, url)
    assert json.loads(health) == {"status": "ok"}
    assert log.count(STARTED) == 2 and "Traceback" not in log, log[-3000:]


def test_the_app_uvicorns_workers_build_delivers_no_outbox(home):
    """`serve --workers N` delivers the outbox once, in its own process: the app each of the N
    processes builds runs no outbox worker of its own."""
    import threading

    from fastapi.testclient import TestClient

    from assistant.api import configured_app

    with TestClient(configured_app()) as client:
        assert client.get("/health").status_code == 200
        assert "crosssell-outbox" not in {thread.name for thread in threading.enumerate()}
