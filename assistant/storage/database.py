"""Opens the practice's database and brings its schema to the current version; the database
file is the practice's alone, and neither an error nor a log line carries the values in it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock
from sqlalchemy import Connection, Engine, create_engine, event, func, select

from assistant import private
from assistant.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x6D6967726174
"""PostgreSQL's advisory lock for whoever migrates (any fixed number no one else takes)."""


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


class _NoRows(logging.Filter):
    """SQLAlchemy's engine logs every result row at DEBUG: patient rows, whatever the level
    an operator sets."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


NO_ROWS = _NoRows()


def create(settings: Settings) -> Engine:
    """An engine on the practice's database, migrated to the newest schema."""
    engine = connect(settings)
    migrate(engine)
    return engine


def connect(settings: Settings) -> Engine:
    """An engine on the practice's database, as it is. From here on this process creates
    nothing others can read (`private.keep`); a SQLite file is made 0600 (its -wal and -shm
    take its mode); statements' parameters stay out of errors and logs (`hide_parameters`), as
    do result rows."""
    private.keep()
    url = settings.url
    if url.startswith("sqlite:///"):
        private.file(Path(url.removeprefix("sqlite:///")))
    logging.getLogger("sqlalchemy.engine.Engine").addFilter(NO_ROWS)
    engine = create_engine(url, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@dataclass(frozen=True, slots=True)
class Migration:
    """What `migrate` did: the revision the database was at (None: a new database) and the one
    it is at now, the newest."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def head() -> str:
    """The newest schema revision this version of the product knows."""
    newest = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert newest is not None
    return newest


def migrate(engine: Engine) -> Migration:
    """Brings the database to the newest schema, under a lock: several processes starting on
    one new database at once (the API's workers) would otherwise each create its tables. The
    first to take the lock migrates; the others wait for it, then find the schema current."""
    newest = head()
    with _migration_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held to the end of this transaction, which does the check and the upgrade.
            connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        before = _revision(connection)
        if before != newest:
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    return Migration(before, newest)


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def lock_path(database_file: Path) -> Path:
    """The file SQLite migrations lock, beside the database (its own file: SQLite's locks on
    the database itself cannot be held across the check and the upgrade)."""
    return database_file.with_name(database_file.name + ".migrate.lock")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """A file lock beside a SQLite database file; nothing for another database (PostgreSQL
    locks inside the migrating transaction) or for SQLite in memory."""
    name = engine.url.database
    if engine.dialect.name != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        yield
        return
    path = lock_path(Path(name).resolve())
    with FileLock(path, mode=private.FILE):
        yield
