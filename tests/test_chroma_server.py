"""A Chroma server shared by several practices: each reads only its own passages and history, the
server's token and headers go with every request, and a server that cannot be reached (or
refuses us) is a clear configuration error, never a traceback or a leaked token."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.drafting.brief import Source
from assistant.errors import ConfigurationError
from assistant.knowledge import Passage
from assistant.retrieval import Library, _chroma_embedding_function, practice_database
from assistant.servers import free_port
from assistant.settings import Settings
from tests.conftest import CASES
from tests.shared_servers import TEST_CHROMA_URL, practice_id

runner = CliRunner()
AS_OF = "2026-11-24"
TOKEN = "s3cret-token-4711"
needs_server = pytest.mark.skipif(
    not TEST_CHROMA_URL,
    reason="needs a Chroma server: set CROSSSELL_TEST_CHROMA_URL (.ci/servers start does; CI sets it)",
)


def note(patient: str, n: int, text: str) -> Source:
    return Source(f"{patient}-e{n}", "visit_completed note", date(2026, 11, n), text)


def peel(text: str) -> Passage:
    return Passage("knowledge:peel#what-it-is", "peel", "What it is", text)


def dead_url() -> str:
    """A loopback port nobody listens on."""
    return f"http://127.0.0.1:{free_port()}"


# Two practices, one server -----------------------------------------------------------------


@needs_server
def test_two_practices_on_one_server_each_read_only_their_own(tmp_path, matcher):
    a_id, b_id = practice_id(), practice_id()
    a = Library(Settings(home=tmp_path / "a", chroma_url=TEST_CHROMA_URL, practice_id=a_id), matcher.embedder)
    b = Library(Settings(home=tmp_path / "b", chroma_url=TEST_CHROMA_URL, practice_id=b_id), matcher.embedder)
    try:
        a.index_history({"p1": [note("p1", 1, "North clinic: Botox forehead, lines softened")]})
        b.index_history(
            {
                "p1": [
                    note("p1", 1, "South clinic: Botox forehead, wants more"),
                    note("p1", 2, "South clinic: forehead follow-up booked"),
                ]
            }
        )
        a.index_knowledge([peel("North peel: a gentle glycolic peel.")])
        b.index_knowledge([peel("South peel: a deep TCA peel.")])

        assert [s.text for s in a.snippets("p1", "Botox forehead", limit=5)] == [
            "North clinic: Botox forehead, lines softened"
        ]
        assert sorted(s.text for s in b.snippets("p1", "Botox forehead", limit=5)) == [
            "South clinic: Botox forehead, wants more",
            "South clinic: forehead follow-up booked",
        ]
        north = [p.text for p in a.passages("peel", "peel", limit=5)]
        assert north == ["North peel: a gentle glycolic peel."]
        assert [p.text for p in b.passages("peel", "peel", limit=5)] == ["South peel: a deep TCA peel."]

        # A's reindexing deletes A's stale entries and passages, never B's.
        a.index_history({"p1": []})
        a.index_knowledge([])
        assert a.snippets("p1", "Botox forehead") == [] and a.passages("peel", "peel") == []
        assert len(b.snippets("p1", "Botox forehead", limit=5)) == 2
        assert [p.text for p in b.passages("peel", "peel", limit=5)] == ["South peel: a deep TCA peel."]
        # Nothing is stored twice: B indexed again embeds nothing new.
        assert b.index_knowledge([peel("South peel: a deep TCA peel.")]) == 0
    finally:
        a.close()
        b.close()


@needs_server
def test_each_practice_has_a_chroma_database_of_its_own_and_the_default_keeps_chromas(tmp_path):
    import chromadb
    from chromadb.config import DEFAULT_DATABASE

    north = Settings(home=tmp_path, chroma_url=TEST_CHROMA_URL, practice_id=practice_id())
    assert practice_database(north) == f"crosssell-{north.practice_id}"
    assert practice_database(north.model_copy(update={"practice_id": "default"})) == DEFAULT_DATABASE
    url = urlparse(TEST_CHROMA_URL)
    admin = chromadb.AdminClient(
        chromadb.config.Settings(
            chroma_api_impl="chromadb.api.fastapi.FastAPI",
            chroma_server_host=url.hostname,
            chroma_server_http_port=url.port,
            anonymized_telemetry=False,
        )
    )
    names = lambda: {d["name"] for d in admin.list_databases(tenant=north.chroma_tenant)}  # noqa: E731
    assert practice_database(north) not in names()

    class Stub:
        def encode(self, texts):
            return [[1.0, 0.0] for _ in texts]

    Library(north, Stub()).close()
    assert practice_database(north) in names()


# The token and the headers ------------------------------------------------------------------


class Gate:
    """A loopback HTTP server in front of a Chroma server, as an auth proxy would be: it keeps
    every request's headers, and answers 401 unless the request carries `token` (in the header
    the test chose). With no `upstream` it answers everything 401: a server we cannot pass.
    While `hung` is set it answers nothing: a server that stopped answering midway."""

    def __init__(self, token: str | None, header: str = "Authorization", upstream: str | None = None) -> None:
        self.token, self.header, self.upstream = token, header, upstream
        self.seen: list[dict[str, str]] = []
        self.hung = threading.Event()
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _answer(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                gate.seen.append(headers)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if gate.hung.is_set():
                    time.sleep(30)
                    return
                if gate.upstream is None or headers.get(gate.header.lower()) != gate.expected():
                    return self._send(401, b'{"error":"Unauthorized","message":"no valid token"}')
                target = urlparse(gate.upstream)
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                try:
                    upstream.request(
                        self.command, self.path, body=body, headers={"Content-Type": "application/json"}
                    )
                    answer = upstream.getresponse()
                    self._send(answer.status, answer.read())
                finally:
                    upstream.close()

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def expected(self) -> str | None:
        if self.token is None:
            return None
        return f"Bearer {self.token}" if self.header == "Authorization" else self.token


@contextmanager
def gate(token: str | None, header: str = "Authorization", upstream: str | None = None) -> Iterator[Gate]:
    running = Gate(token, header, upstream)
    thread = threading.Thread(target=running.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield running
    finally:
        running.server.shutdown()
        running.server.server_close()
        thread.join(timeout=10)


@pytest.mark.parametrize(
    ("header", "sent"), [("Authorization", f"Bearer {TOKEN}"), ("X-Chroma-Token", TOKEN)]
)
def test_the_token_and_the_headers_go_with_the_request_and_a_refusal_names_no_secret(
    tmp_path, matcher, header, sent
):
    with gate(token=None) as server:
        settings = Settings(
            home=tmp_path,
            chroma_url=server.url,
            practice_id="north",
            chroma_token=TOKEN,
            chroma_token_header=header,
            chroma_headers={"X-Practice-Key": "key-0815"},
        )
        with pytest.raises(ConfigurationError) as refused:
            Library(settings, matcher.embedder)
    assert server.seen and all(
        h.get(header.lower()) == sent and h.get("x-practice-key") == "key-0815" for h in server.seen
    )
    message = str(refused.value)
    assert f"the Chroma server at {server.url} refused us" in message and "CROSSSELL_CHROMA_TOKEN" in message
    assert TOKEN not in message and "key-0815" not in message
    assert TOKEN not in repr(settings) and "key-0815" not in repr(settings)


@needs_server
def test_with_the_right_token_a_practice_works_through_an_auth_proxy(tmp_path, matcher):
    """The Rust `chroma run` of chromadb 1.x has no auth of its own (a proxy in front does it):
    the token reaches the proxy on every request, and the practice reads back what it wrote."""
    with gate(token=TOKEN, upstream=TEST_CHROMA_URL) as proxy:
        settings = Settings(
            home=tmp_path, chroma_url=proxy.url, practice_id=practice_id(), chroma_token=TOKEN
        )
        library = Library(settings, matcher.embedder)
        try:
            library.index_history({"p1": [note("p1", 1, "Botox forehead, lines softened")]})
            assert [s.id for s in library.snippets("p1", "Botox forehead")] == ["p1-e1"]
        finally:
            library.close()
        wrong = Settings(home=tmp_path, chroma_url=proxy.url, practice_id=practice_id(), chroma_token="wrong")
        with pytest.raises(ConfigurationError, match="refused us"):
            Library(wrong, matcher.embedder)
    assert len(proxy.seen) > 3 and all(h.get("authorization") for h in proxy.seen)


# Clean errors ---------------------------------------------------------------------------------


def test_an_unreachable_server_is_a_configuration_error_naming_its_url(tmp_path, matcher):
    url = dead_url()
    with pytest.raises(ConfigurationError) as unreachable:
        Library(Settings(home=tmp_path, chroma_url=url, chroma_token=TOKEN), matcher.embedder)
    message = str(unreachable.value)
    assert f"cannot reach the Chroma server at {url}" in message and TOKEN not in message


@contextmanager
def silent_server() -> Iterator[str]:
    """A loopback port that takes connections (the kernel's backlog does) and never answers."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(16)
        yield f"http://127.0.0.1:{listening.getsockname()[1]}"


def _open_timed(settings: Settings, embedder) -> tuple[float, BaseException | None]:
    """Opens the library in a thread: seconds taken and what it raised, or a failure when it
    hangs (the thread ends when the test's server closes)."""
    raised: list[BaseException] = []

    def opening() -> None:
        try:
            Library(settings, embedder).close()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=opening, daemon=True)
    start = time.monotonic()
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "opening the library hung on a server that never answers"
    return time.monotonic() - start, (raised or [None])[0]


@pytest.mark.parametrize("timeout", [0.5, 2.0])
def test_a_server_that_never_answers_fails_after_chroma_timeout_as_unreachable(tmp_path, matcher, timeout):
    with silent_server() as url:
        settings = Settings(home=tmp_path, chroma_url=url, chroma_token=TOKEN, chroma_timeout=timeout)
        took, raised = _open_timed(settings, matcher.embedder)
    assert isinstance(raised, ConfigurationError), raised
    message = str(raised)
    assert f"cannot reach the Chroma server at {url}" in message and "Timeout" in message
    assert TOKEN not in message
    assert timeout <= took < timeout + 5


@needs_server
def test_a_server_that_stops_answering_midway_fails_after_chroma_timeout_as_unreachable(tmp_path, matcher):
    with gate(token=None, upstream=TEST_CHROMA_URL) as proxy:
        settings = Settings(home=tmp_path, chroma_url=proxy.url, practice_id=practice_id(), chroma_timeout=1)
        library = Library(settings, matcher.embedder)
        try:
            library.index_history({"p1": [note("p1", 1, "Botox forehead, lines softened")]})
            proxy.hung.set()
            start = time.monotonic()
            with pytest.raises(ConfigurationError) as unreachable:
                library.snippets("p1", "Botox forehead")
            took = time.monotonic() - start
        finally:
            library.close()
    assert f"cannot reach the Chroma server at {proxy.url}" in str(unreachable.value)
    assert 1 <= took < 6


def test_chroma_timeout_is_ten_seconds_unless_set(monkeypatch):
    assert Settings().chroma_timeout == 10
    monkeypatch.setenv("CROSSSELL_CHROMA_TIMEOUT", "2.5")
    assert Settings().chroma_timeout == 2.5
    monkeypatch.setenv("CROSSSELL_CHROMA_TIMEOUT", "0")
    result = runner.invoke(app, ["draft", "d006", "--as-of", AS_OF])
    assert result.exit_code == 4 and "CROSSSELL_CHROMA_TIMEOUT" in result.stderr, result.output


def test_credentials_in_the_url_are_refused_and_never_shown(tmp_path, matcher):
    url = f"http://admin:hunter2@127.0.0.1:{free_port()}"
    with pytest.raises(ConfigurationError) as refused:
        Library(Settings(home=tmp_path, chroma_url=url), matcher.embedder)
    message = str(refused.value)
    assert "CROSSSELL_CHROMA_TOKEN" in message and "127.0.0.1" in message
    assert "hunter2" not in message and "admin" not in message


def _import(home) -> None:
    result = runner.invoke(app, ["import", str(CASES / "dev" / "practice.jsonl"), "--quiet"])
    assert result.exit_code == 0, result.output


def test_draft_reports_an_unreachable_or_refusing_server_with_exit_4_and_scan_needs_none(home, monkeypatch):
    _import(home)
    url = dead_url()
    monkeypatch.setenv("CROSSSELL_CHROMA_URL", url)
    monkeypatch.setenv("CROSSSELL_CHROMA_TOKEN", TOKEN)
    scan = runner.invoke(app, ["scan", "--as-of", AS_OF, "--format", "json"])
    assert scan.exit_code == 0, scan.output
    assert json.loads(scan.stdout)["ready"]
    for command in (["draft", "d006", "--as-of", AS_OF], ["draft", "--week", "--as-of", AS_OF, "--quiet"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 4, result.output
        assert f"cannot reach the Chroma server at {url}" in result.stderr
        assert TOKEN not in result.output and "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    with gate(token=None) as server:
        monkeypatch.setenv("CROSSSELL_CHROMA_URL", server.url)
        refused = runner.invoke(app, ["draft", "d006", "--as-of", AS_OF])
    assert refused.exit_code == 4, refused.output
    assert f"the Chroma server at {server.url} refused us" in refused.stderr
    assert TOKEN not in refused.output and "Traceback" not in refused.output


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CROSSSELL_PRACTICE_ID", "North Clinic!"),
        ("CROSSSELL_PRACTICE_ID", "x" * 40),
        ("CROSSSELL_CHROMA_HEADERS", "{not json"),
        ("CROSSSELL_CHROMA_HEADERS", '["X-Key"]'),
        ("CROSSSELL_CHROMA_TENANT", "a b"),
    ],
)
def test_a_setting_given_wrongly_is_named_with_exit_4_and_its_value_never_shown(
    home, monkeypatch, name, value
):
    monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["draft", "d006", "--as-of", AS_OF])
    assert result.exit_code == 4, result.output
    assert name in result.stderr and value not in result.output and "Traceback" not in result.output


def test_a_practice_id_is_short_lowercase_letters_digits_dashes_and_underscores(monkeypatch):
    monkeypatch.delenv("CROSSSELL_PRACTICE_ID", raising=False)
    assert Settings().practice_id == "default"
    assert Settings(practice_id="north-2_b").practice_id == "north-2_b"
    for bad in ("North", "", "-north", "north clinic", "n" * 33, "nörd"):
        with pytest.raises(ValueError, match="lowercase letters"):
            Settings(practice_id=bad)


# The embedded store -----------------------------------------------------------------------------


def test_an_existing_embedded_store_stays_readable_whatever_the_practice_id(tmp_path, matcher):
    """A store written before practices had ids (the two collections in Chroma's default
    database under the home) is still the home's: nothing to migrate, nothing emptied."""
    import chromadb

    (tmp_path / "chroma").mkdir()
    old = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=chromadb.config.Settings(anonymized_telemetry=False)
    )
    text = "Botox forehead, lines softened"
    function = _chroma_embedding_function(matcher.embedder)
    history = old.get_or_create_collection(
        "patient_history", embedding_function=function, metadata={"hnsw:space": "cosine"}
    )
    history.upsert(
        ids=["ann|ann-e1"],
        documents=[text],
        embeddings=matcher.embedder.encode([text]),
        metadatas=[
            {
                "patient_id": "ann",
                "source_id": "ann-e1",
                "kind": "visit_completed note",
                "date": "2026-11-01",
                "hash": "kept",
            }
        ],
    )
    old.close()
    for practice in ("default", "north"):
        library = Library(Settings(home=tmp_path, chroma_url=None, practice_id=practice), matcher.embedder)
        try:
            assert [s.text for s in library.snippets("ann", "Botox forehead")] == [text]
        finally:
            library.close()
