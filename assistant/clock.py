"""The one clock: every "now" and "today" the product uses comes from a `Clock`.

A practice's day is its own time zone's day (`CROSSSELL_TIME_ZONE`, default UTC); moments in
time are kept in UTC. Tests and demos hand in a fixed clock (or set `CROSSSELL_CLOCK`), so
nothing the product does depends on the date it happens to run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.errors import ConfigurationError


def zone(name: str) -> tzinfo:
    """A time zone by its IANA name (`Europe/Berlin`, `America/Chicago`, `UTC`)."""
    if name.upper() in ("UTC", "Z", ""):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"unknown time zone {name!r}: use an IANA name such as 'America/New_York' or 'UTC'"
        ) from None


class Clock:
    """The wall clock, or a fixed instant when `at` is given (which `advance` moves)."""

    def __init__(self, time_zone: tzinfo = UTC, at: datetime | None = None) -> None:
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=time_zone)
        self.time_zone = time_zone
        self._at = at.astimezone(UTC) if at is not None else None

    @classmethod
    def fixed(cls, at: datetime | date | str, time_zone: tzinfo = UTC) -> Clock:
        """A clock that stands still: at noon of a day, or at an exact instant."""
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        if not isinstance(at, datetime):
            at = datetime(at.year, at.month, at.day, 12, tzinfo=time_zone)
        return cls(time_zone, at)

    @classmethod
    def from_settings(cls, time_zone: str, fixed: str | None = None) -> Clock:
        tz = zone(time_zone)
        if not fixed:
            return cls(tz)
        try:
            return cls.fixed(fixed, tz)
        except ValueError:
            raise ConfigurationError(
                f"CROSSSELL_CLOCK must be a date or an ISO 8601 time, got {fixed!r}"
            ) from None

    @property
    def is_fixed(self) -> bool:
        return self._at is not None

    def now(self) -> datetime:
        """This instant, in UTC."""
        return self._at if self._at is not None else datetime.now(UTC)

    def today(self) -> date:
        """The practice's calendar day now."""
        return self.now().astimezone(self.time_zone).date()

    def stamp(self) -> str:
        """Now as ISO 8601 to the second, the form drafts and reports store."""
        return self.now().isoformat(timespec="seconds")

    def advance(self, **delta: float) -> None:
        """Moves a fixed clock on (`advance(hours=2)`); the wall clock moves by itself."""
        if self._at is None:
            raise ValueError("only a fixed clock can be advanced")
        self._at += timedelta(**delta)
