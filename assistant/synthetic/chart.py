"""One patient's chart as the generator writes it: the profile, and events placed in days before
``as_of`` (d=1 is yesterday; a negative d is in the future)."""

from __future__ import annotations

import random
from datetime import date

from assistant.synthetic.menu import PRICES
from assistant.synthetic.vocabulary import (
    CHECKIN_MID,
    CHECKIN_PEAK,
    MID_COMMENTS,
    NEG_COMMENTS,
    PEAK_COMMENTS,
    PROVIDERS,
    VISIT_NOTES,
)

BACKGROUND_END_DAYS = 36  # background-only patients: nothing newer than this many days


class Days:
    """Dates and timestamps of day offsets before as_of, each formatted once."""

    __slots__ = ("as_of_ord", "_dates", "_ats")

    def __init__(self, as_of: date) -> None:
        self.as_of_ord = as_of.toordinal()
        self._dates: dict[int, str] = {}
        self._ats: dict[int, str] = {}

    def day(self, d: int) -> str:
        s = self._dates.get(d)
        if s is None:
            s = date.fromordinal(self.as_of_ord - d).isoformat()
            self._dates[d] = s
        return s

    def at(self, d: int, slot: int) -> str:
        key = d * 64 + slot
        s = self._ats.get(key)
        if s is None:  # slots 0..35: 14:00Z to 22:45Z in quarter hours (a US clinic's day)
            s = f"{self.day(d)}T{14 + slot // 4:02d}:{(slot % 4) * 15:02d}:00Z"
            self._ats[key] = s
        return s


class Chart:
    """A patient under construction: who they are, what history to add, the events so far."""

    __slots__ = (
        "rng",
        "days",
        "pid",
        "ev",
        "seg",
        "memberships",
        "flags",
        "consent",
        "age",
        "goals",
        "start_d",
        "w0",
        "loss",
        "avoid",
        "only",
        "offers",
        "member_offers",
        "bg_end",
        "channel",
        "history",
    )

    def __init__(self, rng: random.Random, days: Days, pid: str) -> None:
        self.rng = rng
        self.days = days
        self.pid = pid
        self.ev: list[tuple[int, dict]] = []
        self.seg = "aesthetics"
        self.memberships: list[str] = []
        self.flags: list[str] = []
        self.consent = True
        self.age = 40
        self.goals: list[str] = []
        self.start_d = 300
        self.w0 = 0.0
        self.loss = 0.0
        self.avoid: frozenset[str] | set[str] = frozenset()
        self.only: frozenset[str] | None = None
        self.offers = True
        self.member_offers = True
        self.bg_end = BACKGROUND_END_DAYS
        self.channel = "email"
        self.history = True

    def add(self, d: int, slot: int, kind: str, **fields: object) -> None:
        e: dict[str, object] = {
            "type": "event",
            "id": "",
            "patient_id": self.pid,
            "at": self.days.at(d, slot),
            "kind": kind,
        }
        if fields:
            e.update(fields)
        self.ev.append((slot - d * 64, e))

    def slot(self) -> int:
        return self.rng.randrange(32)

    def weight_at(self, d: int) -> float:
        span = max(1, self.start_d)
        frac = (self.start_d - d) / span
        v = self.w0 * (1.0 - self.loss * frac) + self.rng.uniform(-1.2, 1.2)
        return round(v, 1)

    def visit(self, d: int, service: str, slot: int | None = None, member: bool = False) -> None:
        rng = self.rng
        s = rng.randrange(30) if slot is None else slot
        if member:
            note = "Member facial."
        else:
            notes = VISIT_NOTES.get(service)
            note = notes[rng.randrange(len(notes))] if notes else ""
        provs = PROVIDERS[service]
        self.add(
            d,
            s,
            "visit_completed",
            service_id=service,
            amount=0 if member else PRICES[service],
            provider=provs[rng.randrange(len(provs))],
            note=note,
        )

    def feedback(self, d: int, score: int, area: str, comment: str | None = None) -> None:
        if comment is None:
            comment = _comment(self.rng, score, area)
        self.add(d, self.slot(), "feedback", score=score, comment=comment)

    def check_in(self, d: int, score: int, area: str) -> None:
        pool = CHECKIN_PEAK[area] if score >= 9 else CHECKIN_MID
        self.add(d, self.slot(), "check_in", score=score, comment=pick(self.rng, pool))

    def measurement(self, d: int, slot: int, value: float) -> None:
        self.add(d, slot, "measurement", metric="weight", value=value, unit="lb")


def pick(rng: random.Random, seq: tuple | list):
    return seq[rng.randrange(len(seq))]


def _comment(rng: random.Random, score: int, area: str) -> str:
    if score >= 9:
        return pick(rng, PEAK_COMMENTS[area])
    if score >= 7:
        return pick(rng, MID_COMMENTS)
    return pick(rng, NEG_COMMENTS)
