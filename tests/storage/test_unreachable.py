"""A database that cannot be reached, at start or lost midway, is our `Unreachable` (a
ConfigurationError: exit 4, HTTP 503) naming its URL without the password; the other failures
stay the database's. Midway on PostgreSQL when `CROSSSELL_TEST_DATABASE_URL` is set: the
connection runs through a proxy the test cuts."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from sqlalchemy import make_url

from assistant.errors import ConfigurationError, Unreachable
from assistant.settings import Settings
from assistant.storage import database, schema
from assistant.storage.repository import UNAVAILABLE, Repository
from tests.shared_servers import DB_PASSWORD, TEST_DATABASE_URL, dead_database_url, fresh_database


def test_a_database_nobody_listens_for_is_unreachable_naming_its_url_without_the_password(tmp_path):
    url = dead_database_url()
    with pytest.raises(Unreachable) as unreachable:
        database.create(Settings(home=tmp_path, database_url=url))
    message = str(unreachable.value)
    assert isinstance(unreachable.value, ConfigurationError) and unreachable.value.exit_code == 4
    assert message.startswith(f"cannot reach the database at {url.replace(DB_PASSWORD, '***')} (")
    assert "Connection refused" in message and "CROSSSELL_DATABASE_URL" in message
    assert DB_PASSWORD not in message and "\n" not in message
    assert isinstance(unreachable.value, UNAVAILABLE)  # the importer's "what was stored stays"


def test_a_server_that_accepts_and_never_answers_is_unreachable_after_the_timeout(tmp_path):
    """A stuck server (or a firewall that swallows the handshake) holds the TCP connection
    open and says nothing: the command fails after CROSSSELL_DATABASE_TIMEOUT, not never."""
    import time

    silent = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(silent.accept()[0]), daemon=True).start()
    url = f"postgresql://crosssell:{DB_PASSWORD}@127.0.0.1:{silent.getsockname()[1]}/practice"
    started = time.monotonic()
    try:
        with pytest.raises(Unreachable) as unreachable:
            database.create(Settings(home=tmp_path, database_url=url, database_timeout=2))
    finally:
        silent.close()
    took = time.monotonic() - started
    assert 1.5 < took < 30, f"gave up after {took:.1f} s"
    message = str(unreachable.value)
    assert message.startswith("cannot reach the database at ") and DB_PASSWORD not in message
    assert held, "the server was never connected to"


def test_a_database_that_answers_keeps_its_own_errors(tmp_path):
    """Only a database that cannot be reached is ours to name: a statement's own failure
    (here a table that is not there) is SQLAlchemy's still, for its caller."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    engine = database.create(Settings(home=tmp_path))
    try:
        with pytest.raises(DBAPIError) as failed, engine.connect() as connection:
            connection.execute(text("SELECT * FROM no_such_table"))
    finally:
        engine.dispose()
    assert "no_such_table" in str(failed.value) and not isinstance(failed.value, Unreachable)


class Cut:
    """A loopback TCP proxy to a database server, to be cut: every connection through it
    dropped and the port closed, as when the server or the network goes away."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                near, _ = self.listener.accept()
            except OSError:
                return
            far = socket.create_connection(self.target)
            self.sockets += [near, far]
            for source, sink in ((near, far), (far, near)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)

    def cut(self) -> None:
        for each in (self.listener, *self.sockets):
            with suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)
            each.close()


@contextmanager
def cut_proxy(url: str) -> Iterator[tuple[Cut, str]]:
    """A proxy to the database at `url`, and the URL through it (with a password the server
    does not ask for: trust authentication; no error may show it)."""
    target = make_url(url)
    proxy = Cut(target.host or "127.0.0.1", target.port or 5432)
    try:
        yield proxy, target.set(port=proxy.port, password=DB_PASSWORD).render_as_string(hide_password=False)
    finally:
        proxy.cut()


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL: set CROSSSELL_TEST_DATABASE_URL")
def test_a_database_lost_midway_is_unreachable_then_and_at_each_try_after(tmp_path: Path):
    with fresh_database(TEST_DATABASE_URL) as url, cut_proxy(url) as (proxy, through):
        engine = database.create(Settings(home=tmp_path, database_url=through))
        try:
            repository = Repository(engine)
            assert repository.count(schema.patients) == 0
            proxy.cut()
            shown = make_url(through).set(drivername="postgresql").render_as_string(hide_password=True)
            with pytest.raises(Unreachable) as lost:
                repository.count(schema.patients)
            assert str(lost.value).startswith(f"lost the connection to the database at {shown} (")
            with pytest.raises(Unreachable) as again:
                repository.count(schema.patients)
            assert str(again.value).startswith(f"cannot reach the database at {shown} (")
            for message in (str(lost.value), str(again.value)):
                assert DB_PASSWORD not in message and "\n" not in message
        finally:
            engine.dispose()
