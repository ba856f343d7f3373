"""One patient's record as the moment engine reads it, and the practice's menu."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from assistant.domain.moments import Moment
from assistant.domain.records import Event, OfferMade, Outcome, Patient, Service


class Menu:
    """The practice's services: the imported menu, or the default one when none was imported."""

    def __init__(self, services: Iterable[Service]) -> None:
        self._by_id = {s.id: s for s in services}
        self._offered_at: dict[Moment, list[Service]] = {}
        self._add_ons: dict[str, list[Service]] = {}
        for service in self._by_id.values():
            for moment in service.offered_at:
                self._offered_at.setdefault(moment, []).append(service)
            for booked in service.pairs_with:
                self._add_ons.setdefault(booked, []).append(service)

    def __contains__(self, service_id: object) -> bool:
        return service_id in self._by_id

    def __iter__(self) -> Iterator[Service]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, service_id: str | None) -> Service | None:
        return self._by_id.get(service_id) if service_id else None

    def name(self, service_id: str | None) -> str:
        service = self.get(service_id)
        return service.name if service else (service_id or "")

    def offered_at(self, moment: Moment) -> list[Service]:
        return self._offered_at.get(moment, [])

    def add_ons_for(self, booked_id: str) -> list[Service]:
        """Services that are a good add-on when `booked_id` is booked (their `pairs_with` names it)."""
        return self._add_ons.get(booked_id, [])


@dataclass(slots=True)
class History:
    """Everything known about one patient up to the scan date, oldest first."""

    patient: Patient
    events: list[Event] = field(default_factory=list)
    offers: list[OfferMade] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> Iterator[Event]:
        return (e for e in self.events if e.kind in kinds)


class Sentiment:
    """Reads feedback: the score when there is one, else clearly positive or negative words."""

    def __init__(self, positive: Iterable[str], negative: Iterable[str]) -> None:
        self._positive = _word_pattern(tuple(positive))
        self._negative = _word_pattern(tuple(negative))

    def judge(self, score: float | None, text: str, peak: int, negative: int) -> str:
        """'peak', 'negative', 'lukewarm' or 'neutral'."""
        if score is not None:
            if score >= peak:
                return "peak"
            if score <= negative:
                return "negative"
            return "lukewarm"
        if text and self._negative.search(text):
            return "negative"
        if text and self._positive.search(text):
            return "peak"
        return "neutral"


def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    if not words:
        return re.compile(r"(?!x)x")
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def days_between(earlier: date, later: date) -> int:
    return (later - earlier).days
