"""What every command shares: the two consoles, the output formats, the day an `--as-of` and
the time an `--at` name, who a command is audited as, and the edge where an error of our own
becomes its message and its exit code (here, only here)."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.markup import escape

from assistant.clock import Clock
from assistant.domain.days import SPAN, utc_within, within
from assistant.errors import CrosssellError, InputError
from assistant.settings import Settings, settings_error

# Wide enough for the queue when written to a file or a pipe; a terminal sets its own width.
out = Console(width=None if sys.stdout.isatty() else 150)
err = Console(stderr=True)

T = TypeVar("T")


class Format(StrEnum):
    table = "table"
    json = "json"


class TextOrJson(StrEnum):
    text = "text"
    json = "json"


ActorOption = Annotated[
    str | None,
    typer.Option("--actor", help="audit this as cli:NAME (default: cli: and the machine's user)"),
]


def actor(name: str | None = None) -> str:
    """Who a command is audited as: `cli:` and the `--actor` given, else the machine's user."""
    if name:
        return f"cli:{name}"
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name and no password-file entry
        return "cli"


def run(action: Callable[[], T]) -> T:
    """The command's work; an error of ours ends the command with its message and exit code, and
    so does a setting the environment gives wrongly (named, its value never shown)."""
    try:
        return action()
    except CrosssellError as exc:
        fail(str(exc), exc.exit_code)
    except (SettingsError, ValidationError) as exc:
        if isinstance(exc, ValidationError) and exc.title != Settings.__name__:
            raise  # a bug of ours, not the environment's
        problem = settings_error(exc)
        fail(str(problem), problem.exit_code)


def fail(message: str, exit_code: int = 2) -> NoReturn:
    """The message as one line, as it was written: not wrapped at the console's width (a log
    or a pipe reads it whole, a URL unbroken) and not read as markup (a `[...]` in it stays)."""
    err.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(exit_code) from None


def parse_day(value: str | None) -> date:
    """The day an `--as-of` names; without one, today on the practice's clock."""
    if value is None:
        settings = Settings()
        return Clock.from_settings(settings.time_zone, settings.clock).today()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--as-of must be a date like 2026-11-24, got {value!r}") from None
    if not within(day):
        raise InputError(f"--as-of must be a date {SPAN}, got {value}")
    return day


def parse_time(value: str | None) -> datetime | None:
    """The time an `--at` names (ISO 8601), or None without one."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--at must be an ISO 8601 time, got {value!r}") from None
    if utc_within(moment) is None:
        raise InputError(f"--at must be a time {SPAN}, got {value}")
    return moment
