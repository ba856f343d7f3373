"""The audit log as a hash chain. Each entry is sealed with SHA-256 over its fields and the seal
of the entry before it, so an entry changed, removed or slipped in breaks the chain where it
happened; a stored head (how many entries, the last seal) shows entries cut from the end, or a
log dropped and made again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
"""What the first entry names as the seal before it."""

SEALED = ("at", "actor", "action", "draft_id", "patient_id", "detail")
"""The fields a seal covers, besides the entry's id and the seal before it."""


def seal(entry_id: int, fields: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 over one canonical form of the entry: a JSON array in a fixed order, so the same
    entry hashes the same on every database and every version of the product."""
    values = [entry_id, *(fields.get(name) for name in SEALED), prev_hash]
    return hashlib.sha256(json.dumps(values, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Head:
    """What the log held after its last write: the number of entries and the last seal."""

    entries: int
    last_hash: str


@dataclass(frozen=True, slots=True)
class Break:
    """The first place where the log is not what was written: the entry (None when no entry can
    be named), the kind of problem, and what was found there."""

    entry_id: int | None
    problem: str
    detail: str

    def __str__(self) -> str:
        where = f"entry {self.entry_id}" if self.entry_id is not None else "the log"
        return f"{where}: {self.problem}: {self.detail}"

    def as_dict(self) -> dict:
        return {"id": self.entry_id, "problem": self.problem, "detail": self.detail}


def first_break(entries: Iterable[Mapping[str, Any]], head: Head | None) -> tuple[int, Break | None]:
    """Walks the entries in id order: how many were whole, and the first break, if any. The head
    is read before the entries, so entries written meanwhile may follow the one it names."""
    count, prev = 0, GENESIS
    for entry in entries:
        broken = _link_break(entry, count, prev)
        if broken is not None:
            return count, broken
        count, prev = count + 1, entry["hash"]
        if head is not None and count == head.entries and prev != head.last_hash:
            detail = "it is not the last entry the head recorded: the log was rewritten up to here"
            return count, Break(count, "head mismatch", detail)
    return count, _head_break(head, count)


def _link_break(entry: Mapping[str, Any], count: int, prev: str) -> Break | None:
    entry_id, expected = entry["id"], count + 1
    if entry_id > expected:
        last = entry_id - 1
        missing = f"entry {expected} is" if last == expected else f"entries {expected} to {last} are"
        return Break(entry_id, "gap in ids", f"it follows entry {count}: {missing} missing")
    if entry_id < expected:
        return Break(entry_id, "gap in ids", f"it stands where entry {expected} should be")
    if entry.get("hash") != seal(entry_id, entry, str(entry.get("prev_hash"))):
        return Break(entry_id, "hash mismatch", "its fields do not hash to its stored hash: it was altered")
    if entry.get("prev_hash") != prev:
        before = f"entry {count}" if count else "no entry"
        return Break(
            entry_id,
            "prev link broken",
            f"it names {str(entry.get('prev_hash'))[:12]} as the entry before, but {before} seals "
            f"to {prev[:12]}: the entry before was altered or replaced",
        )
    return None


def _head_break(head: Head | None, count: int) -> Break | None:
    if head is None:
        return Break(None, "head missing", "the stored head is gone: the log cannot be checked for a cut")
    if head.entries > count:
        return Break(
            count + 1,
            "truncated",
            f"the log ends after entry {count} but its head records {head.entries} entries: "
            "entries were cut from the end, or the table was dropped and made again",
        )
    return None
