"""Several processes opening one new database at once (the API's workers at start) all get a
database at the newest schema, migrated once: on SQLite, and on PostgreSQL when
`CROSSSELL_TEST_DATABASE_URL` is set. `crosssell migrate` says from which revision to which."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import orjson
import pytest
from alembic import command
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from assistant.cli import app
from assistant.settings import Settings
from assistant.storage import database
from tests.shared_servers import TEST_DATABASE_URL, fresh_database

PROCESSES = 4
DEADLINE_S = 120


def _open_at_once(home: str, url: str | None, start, answers) -> None:
    """One process's start: wait for the others, then open the practice's database as every
    worker does (and so migrate it)."""
    settings = Settings(home=Path(home), database_url=url)
    try:
        start.wait(timeout=DEADLINE_S)
        database.create(settings).dispose()
    except Exception as exc:  # the test reads what went wrong, in words
        answers.put(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        return
    answers.put("ok")


def _open_together(home: Path, url: str | None) -> list[str]:
    context = multiprocessing.get_context("spawn")
    start, answers = context.Barrier(PROCESSES), context.Queue()
    processes = [
        context.Process(target=_open_at_once, args=(str(home), url, start, answers)) for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    try:
        said = [answers.get(timeout=DEADLINE_S) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    return said


def _versions(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()


def test_four_processes_open_one_new_sqlite_database_at_once(tmp_path):
    home = tmp_path / "home"
    assert _open_together(home, None) == ["ok"] * PROCESSES
    assert _versions(Settings(home=home, database_url=None).url) == [database.head()]


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="CROSSSELL_TEST_DATABASE_URL is not set (no PostgreSQL)")
def test_four_processes_open_one_new_postgresql_database_at_once(tmp_path):
    with fresh_database(TEST_DATABASE_URL) as url:
        assert _open_together(tmp_path / "home", url) == ["ok"] * PROCESSES
        assert _versions(Settings(database_url=url).url) == [database.head()]


def _migrate_command() -> dict:
    result = CliRunner().invoke(app, ["migrate", "--format", "json"])
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def test_migrate_says_from_which_revision_to_which(home):
    """On the configured database: the home's SQLite file, or a PostgreSQL database of the
    test's own when the switch is set."""
    engine = database.connect(Settings())
    config = database._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    engine.dispose()
    first, again = _migrate_command(), _migrate_command()
    assert (first["from"], first["to"], first["changed"]) == ("0005", database.head(), True)
    assert (again["from"], again["to"], again["changed"]) == (database.head(), database.head(), False)
    assert first["database"] == again["database"] == engine.url.render_as_string(hide_password=True)


def test_migrate_on_a_new_database_starts_from_none(home):
    said = _migrate_command()
    assert said["from"] is None and said["to"] == database.head() and said["changed"]
    assert _versions(Settings().url) == [database.head()]
