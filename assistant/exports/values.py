"""Cells read as the contract's values: dates, times, amounts, yes/no flags and lists.

Each reader raises `Unreadable` with a reason that describes the expected shape, never the
cell's value: a cell may hold a patient's details, and reasons reach logs and error files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from assistant.exports.sheets import Cell

ISO = "iso"
"""The date format name for ISO 8601 (`2026-11-24`, or a date and time)."""
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x", "on", "checked"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "off", "unchecked", ""})
CURRENCY = re.compile(r"[^\d.,\-()]")
NO_CHARGE = frozenset({"comp", "comped", "complimentary", "free", "n/c", "nc", "no charge"})
"""Words a booking system writes for a visit given at no charge: an amount of 0."""


class Unreadable(ValueError):
    """A cell that does not hold the value its column should; the message is the reason."""


def text(value: Cell) -> str:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value.strip()


def day(value: Cell, formats: Sequence[str]) -> date | None:
    """The date in a cell, in the first of the mapping's formats that reads it; None if blank.
    An .xlsx date cell is already a date; a date and time keeps its date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time):
        raise Unreadable("a time where a date was expected")
    raw = value.strip()
    if not raw:
        return None
    for fmt in formats:
        found = _day_in(raw, fmt)
        if found is not None:
            return found
    raise Unreadable(f"not a date in the format{'s' if len(formats) > 1 else ''} {', '.join(formats)}")


def _day_in(raw: str, fmt: str) -> date | None:
    if fmt == ISO:
        try:
            return datetime.fromisoformat(raw).date()
        except ValueError:
            return None
    for candidate in (raw, raw.split(" ")[0]):  # "11/24/2026 3:00 PM" in a date column
        try:
            return datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
    return None


def clock_time(value: Cell, formats: Sequence[str]) -> time | None:
    """The time of day in a cell; None if blank."""
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, date):
        raise Unreadable("a date where a time was expected")
    raw = value.strip().upper().replace(".", "")
    if not raw:
        return None
    for fmt in formats:
        if fmt == ISO:
            try:
                return time.fromisoformat(raw)
            except ValueError:
                continue
        try:
            return datetime.strptime(raw, fmt).time()
        except ValueError:
            continue
    raise Unreadable(f"not a time in the format{'s' if len(formats) > 1 else ''} {', '.join(formats)}")


def amount(value: Cell, decimal_comma: bool = False) -> float | None:
    """An amount of money (`$1,234.00`, `(12.50)` for a refund, or `1.234,00 €` when the
        mapping says the export writes a decimal comma); 0 for a visit at no charge ("comp", "free",
    "n/c", "no charge"); None if blank."""
    if isinstance(value, datetime | date | time):
        raise Unreadable("a date where an amount was expected")
    if " ".join(value.split()).casefold() in NO_CHARGE:
        return 0.0
    raw = CURRENCY.sub("", value)
    if not raw:
        if value.strip():
            raise Unreadable("not an amount")
        return None
    negative = (raw.startswith("(") and raw.endswith(")")) or raw.startswith("-")
    raw = raw.strip("()-")
    thousands, point = (".", ",") if decimal_comma else (",", ".")
    if not _grouped(raw, thousands, point):
        raise Unreadable(
            "not an amount"
            + (
                " (a decimal point? this mapping reads a decimal comma)"
                if decimal_comma
                else " (a decimal comma? this mapping reads a decimal point)"
            )
        )
    raw = raw.replace(thousands, "").replace(point, ".")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise Unreadable(
            "not an amount" + (" (this mapping reads a decimal comma)" if decimal_comma else "")
        ) from None
    return float(-number if negative else number)


def _grouped(raw: str, thousands: str, point: str) -> bool:
    """Whether every thousands separator splits off three digits before the point: `1,234.00`
    and `1234` are, `45,00` (a decimal comma read as thousands: 4500) and `1.250,00` are not."""
    whole, _, fraction = raw.partition(point)
    if thousands in fraction or point in fraction:
        return False
    return all(len(group) == 3 and group.isdigit() for group in whole.split(thousands)[1:])


def number(value: Cell) -> float | None:
    """A plain count or measure (`3`, `2.5`); None if blank."""
    if isinstance(value, datetime | date | time):
        raise Unreadable("a date where a number was expected")
    raw = value.strip().replace(",", "")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise Unreadable("not a number") from None


def flag(value: Cell) -> bool:
    """yes/no, true/false, 1/0, x or a blank (no)."""
    raw = text(value).lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise Unreadable("not yes or no (yes/no, true/false, 1/0, x)")


def listed(value: Cell, separator: str = ",") -> list[str]:
    """A comma-separated list, blanks and repeats dropped, in the export's order."""
    items = (item.strip() for item in text(value).split(separator))
    return list(dict.fromkeys(item for item in items if item))
