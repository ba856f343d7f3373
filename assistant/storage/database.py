"""Opens the practice's database and brings its schema to the current version; the database
file is the practice's alone, and neither an error nor a log line carries the values in it.
A database that cannot be reached, at start or midway, is our `Unreachable` from here on,
naming its URL without the password."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock
from sqlalchemy import URL, Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

from assistant import private
from assistant.errors import ConfigurationError, Unreachable
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
    try:
        engine = create_engine(url, hide_parameters=True, connect_args=_connect_args(url, settings))
    except ArgumentError as exc:  # its text names the dialect, never the URL
        raise ConfigurationError(f"CROSSSELL_DATABASE_URL cannot be used: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _unreachable_as_ours(engine.url))
    return engine


def _connect_args(url: str, settings: Settings) -> dict[str, object]:
    """A PostgreSQL server that accepts the TCP connection and then says nothing (a stuck
    server, a firewall that swallows packets) would hold a command forever: libpq waits at most
    `CROSSSELL_DATABASE_TIMEOUT` seconds for the connection to be made."""
    if not url.startswith("postgresql"):
        return {}
    return {"connect_timeout": max(2, math.ceil(settings.database_timeout))}


def shown(url: URL) -> str:
    """The URL as errors name it: the password hidden, and the driver as a person writes it
    (`postgresql://`, not the `postgresql+psycopg://` the settings make of it)."""
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


def _unreachable_as_ours(url: URL) -> Callable[[ExceptionContext], None]:
    """The engine's `handle_error` listener: a failure to connect, or a connection lost midway,
    becomes `Unreachable`; every other failure (a locked SQLite file, a row the database
    refuses) stays SQLAlchemy's, for the caller that knows what it means."""

    def translate(context: ExceptionContext) -> None:
        failure = context.sqlalchemy_exception
        if context.is_pre_ping or not isinstance(failure, OperationalError | InterfaceError):
            return
        connecting = context.connection is None
        if connecting or context.is_disconnect:
            raise Unreachable(_unreachable(url, context.original_exception, connecting))

    return translate


def _unreachable(url: URL, exc: BaseException, connecting: bool) -> str:
    """One line: the database's URL without its password, and what the driver said (its first
    line, the password taken out should a driver ever echo it)."""
    said = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
    if url.password:
        said = said.replace(str(url.password), "***")
    where = shown(url)
    if not connecting:
        return f"lost the connection to the database at {where} ({said})"
    if url.get_backend_name() == "sqlite":
        return f"cannot open the database at {where} ({said})"
    return (
        f"cannot reach the database at {where} ({said}): is it running, and is CROSSSELL_DATABASE_URL right?"
    )


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
