"""The days a practice's records and questions may name: 1900-01-01 to 2100-12-31.

Outside them a date is a typo or a probe, and far enough outside it breaks the arithmetic of a
day (9999-12-31 has no next day, 0001-01-01 at +14:00 no time in UTC), so every edge refuses
one: the API's dates, the import's lines, the command line's `--as-of` and `--at`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
SPAN = f"from {EARLIEST} to {LATEST}"
"""The span as a message says it: "must be a date from 1900-01-01 to 2100-12-31"."""


def within(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def utc_within(moment: datetime) -> datetime | None:
    """`moment` in UTC (a naive one is taken as UTC), or None when its day, as written or in
    UTC, is outside the span. The day as written is checked first: converting a time near
    the ends of the calendar overflows."""
    if not within(moment.date()):
        return None
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc if within(utc.date()) else None
