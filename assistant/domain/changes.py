"""What an edit changed, line by line: the before and after an audit entry keeps (a draft's
subject and body, an outcome), as a unified diff a reviewer reads as data."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChangedLine:
    field: str
    change: str
    """"removed" (it was there before) or "added" (it is there after)."""
    line: str


def _lines(value: object) -> list[str]:
    if value is None:
        return []
    return str(value).splitlines() or [""]


def _fields(before: object, after: object) -> list[tuple[str, object, object]]:
    """The pairs to compare: each field of two mappings (in the order written), or the two
    values themselves under "value"."""
    if isinstance(before, Mapping) or isinstance(after, Mapping):
        old = before if isinstance(before, Mapping) else {}
        new = after if isinstance(after, Mapping) else {}
        names = list(dict.fromkeys([*old, *new]))
        return [(str(n), old.get(n), new.get(n)) for n in names]
    return [("value", before, after)]


def changed_lines(before: object, after: object) -> list[ChangedLine]:
    """Every line removed or added, field by field; nothing for fields left as they were."""
    found = []
    for name, old, new in _fields(before, after):
        if old == new:
            continue
        for line in difflib.ndiff(_lines(old), _lines(new)):
            if line.startswith(("- ", "+ ")):
                found.append(ChangedLine(name, "removed" if line[0] == "-" else "added", line[2:]))
    return found


def unified_diff(before: object, after: object) -> str:
    """The change as `diff -u` prints it, a section a field changed ("" when nothing did)."""
    parts = []
    for name, old, new in _fields(before, after):
        if old == new:
            continue
        lines = difflib.unified_diff(
            _lines(old), _lines(new), f"{name} before", f"{name} after", lineterm="", n=2
        )
        parts.append("\n".join(lines))
    return "\n".join(parts)
