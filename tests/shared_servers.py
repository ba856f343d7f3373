"""The servers a shared practice runs on, for tests: `CROSSSELL_TEST_DATABASE_URL` (a PostgreSQL
server's admin URL) and `CROSSSELL_TEST_CHROMA_URL` (a Chroma server), set by `.ci/servers`.
Each test gets a database and a practice id of its own on them, so no test sees another's rows
or passages."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

TEST_DATABASE_URL = os.environ.get("CROSSSELL_TEST_DATABASE_URL", "")
TEST_CHROMA_URL = os.environ.get("CROSSSELL_TEST_CHROMA_URL", "")


def _admin(url: str):
    from sqlalchemy import create_engine

    from assistant.settings import Settings

    return create_engine(Settings(database_url=url).url, isolation_level="AUTOCOMMIT")


def database_url(admin_url: str, name: str) -> str:
    """The admin URL with its database replaced by `name`."""
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


LEFT: list[str] = []
"""Databases kept until the test session ends (`drop_left`)."""


@contextmanager
def fresh_database(admin_url: str, drop: bool = True) -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped (whoever still holds a
    connection to it) when the block ends, or with `drop=False` when the session does."""
    from sqlalchemy import text

    name = f"t_{uuid.uuid4().hex}"
    admin = _admin(admin_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        if not drop:
            LEFT.append(name)
        yield database_url(admin_url, name)
        if drop:
            _drop(admin, [name])
    finally:
        admin.dispose()


def _drop(admin, names: list[str]) -> None:
    from sqlalchemy import text

    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def drop_left() -> None:
    if TEST_DATABASE_URL and LEFT:
        admin = _admin(TEST_DATABASE_URL)
        try:
            _drop(admin, LEFT)
        finally:
            admin.dispose()
        LEFT.clear()


DB_PASSWORD = "pw-4711-secret"
"""The password of `dead_database_url`: no answer, error or log line may show it."""


def dead_database_url() -> str:
    """A PostgreSQL URL, with a password, on a loopback port nobody listens on."""
    from assistant.servers import free_port

    return f"postgresql://crosssell:{DB_PASSWORD}@127.0.0.1:{free_port()}/practice"


def practice_id() -> str:
    """A practice id no other test uses: its own tenant on the shared Chroma server."""
    return f"t{uuid.uuid4().hex[:16]}"


@contextmanager
def shared_storage(patch: pytest.MonkeyPatch, drop: bool = True) -> Iterator[None]:
    """Points every practice opened from the environment at the test servers when the
    switches are set, and at the local SQLite file and embedded store when they are not
    (whatever the developer's own shell says). `drop=False` keeps the database until the
    session ends: a package-scoped fixture may have opened its practice in it."""
    for name in ("CROSSSELL_DATABASE_URL", "CROSSSELL_CHROMA_URL", "CROSSSELL_PRACTICE_ID"):
        patch.delenv(name, raising=False)
    if TEST_CHROMA_URL:
        patch.setenv("CROSSSELL_CHROMA_URL", TEST_CHROMA_URL)
        patch.setenv("CROSSSELL_PRACTICE_ID", practice_id())
    if not TEST_DATABASE_URL:
        yield
        return
    with fresh_database(TEST_DATABASE_URL, drop) as url:
        patch.setenv("CROSSSELL_DATABASE_URL", url)
        yield
