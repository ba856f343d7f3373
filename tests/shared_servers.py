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


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped (whoever still holds a
    connection to it) when the block ends."""
    from sqlalchemy import text

    name = f"t_{uuid.uuid4().hex}"
    admin = _admin(admin_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield database_url(admin_url, name)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def practice_id() -> str:
    """A practice id no other test uses: its own tenant on the shared Chroma server."""
    return f"t{uuid.uuid4().hex[:16]}"


@contextmanager
def shared_storage(patch: pytest.MonkeyPatch) -> Iterator[None]:
    """Points every practice opened from the environment at the test servers when the
    switches are set, and at the local SQLite file and embedded store when they are not
    (whatever the developer's own shell says)."""
    for name in ("CROSSSELL_DATABASE_URL", "CROSSSELL_CHROMA_URL", "CROSSSELL_PRACTICE_ID"):
        patch.delenv(name, raising=False)
    if TEST_CHROMA_URL:
        patch.setenv("CROSSSELL_CHROMA_URL", TEST_CHROMA_URL)
        patch.setenv("CROSSSELL_PRACTICE_ID", practice_id())
    if not TEST_DATABASE_URL:
        yield
        return
    with fresh_database(TEST_DATABASE_URL) as url:
        patch.setenv("CROSSSELL_DATABASE_URL", url)
        yield
