"""Opens the practice's database and brings its schema to the current version; the database
file is the practice's alone, and neither an error nor a log line carries the values in it."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

from assistant import private
from assistant.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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
    """An engine on the practice's database, migrated to the newest schema. From here on this
    process creates nothing others can read (`private.keep`); a SQLite file is made 0600 (its
    -wal and -shm take its mode); statements' parameters stay out of errors and logs
    (`hide_parameters`), as do result rows."""
    private.keep()
    url = settings.url
    if url.startswith("sqlite:///"):
        private.file(Path(url.removeprefix("sqlite:///")))
    logging.getLogger("sqlalchemy.engine.Engine").addFilter(NO_ROWS)
    engine = create_engine(url, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return engine


def migrate(engine: Engine) -> None:
    config = _alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
