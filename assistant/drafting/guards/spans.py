"""Timeframes and counts in text ("within a month", "right away", "four to six sessions", "twice
as long"), and whether the practice's pages state them. Number words, units and what counts
as a session are data (`claims` in `knowledge/guards.json`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.drafting.guards.lexicon import ClaimWords, Phrases
from assistant.drafting.guards.wording import stem

DAY = "day"
TIMES = "times"
PERCENT = "%"
TIME_PREPOSITIONS = frozenset({"in", "within", "over", "after", "for", "by", "under", "across", "during"})
ARTICLES = frozenset({"a", "an"})
"""An article counts time ("within a month"), never sessions ("after a session")."""
COMPARED = frozenset({"as", "longer", "more", "faster", "better", "stronger", "quicker"})


@dataclass(frozen=True, slots=True)
class Span:
    """A timeframe or a count a text states: "within a month" is 30 to 30 days."""

    text: str
    low: float
    high: float
    unit: str
    """ "day" for a timeframe (its values in days), "times" for a multiple ("twice as long"), "%"
    for a share, else the stem of what is counted ("session"), "" for a bare number."""


class Spans:
    """Reads spans from a clause's words, and matches them against the pages' spans."""

    def __init__(self, words: ClaimWords, stopwords: frozenset[str]) -> None:
        self.words = words
        self.stopwords = stopwords
        self.sessions = frozenset(stem(w) for w in words.sessions)

    def of(self, tokens: Sequence[str]) -> list[Span]:
        """The spans of a clause; prices and frequencies ("$149 a month", "once a week") are not
        among them, nor the past ("two years ago")."""
        joined = " ".join(tokens)
        found = [Span(m.group(), 0.0, 0.0, DAY) for m in _matches(self.words.immediate, joined)]
        found += [Span(m.group(), 0.3, 1.0, DAY) for m in _matches(self.words.overnight, joined)]
        at = 0
        while at < len(tokens):
            span, at = self._span(tokens, at)
            if span is not None:
                found.append(span)
        return found

    def stated(self, span: Span, spans: Sequence[tuple[Span, frozenset[str]]], topic: frozenset[str]) -> bool:
        """Whether the pages state the span in a clause about the same thing (`topic`: the
        claim's words; "a day" of aftercare is not "a day" to see results): a timeframe
        overlapping one of theirs (a tenth either way for rounding: four weeks is a month), or a
        count within one of theirs, of the same thing (any word for a session counts sessions)."""
        for known, about in spans:
            if topic and not topic & about:
                continue
            if span.unit == DAY and known.unit == DAY:
                if span.low <= known.high * 1.1 and span.high >= known.low * 0.9:
                    return True
            elif self._same(span.unit, known.unit) and known.low <= span.low and span.high <= known.high:
                return True
        return False

    def _same(self, unit: str, other: str) -> bool:
        if DAY in (unit, other):
            return False
        return unit == other or (unit in self.sessions and other in self.sessions)

    def _span(self, tokens: Sequence[str], at: int) -> tuple[Span | None, int]:
        """The span that starts at `at`, if any, and where to look next."""
        multiple = self._multiple(tokens, at)
        if multiple is not None:
            return multiple, at + 2
        if tokens[at][:1].isdigit() and tokens[at].endswith("%"):
            value = float(tokens[at][:-1].replace(",", ""))
            return Span(tokens[at], value, value, PERCENT), at + 1
        quantity = self._quantity(tokens, at)
        if quantity is None:
            return self._bare(tokens, at), at + 1
        low, high, end, timely = quantity
        before = tokens[at - 1] if at else ""
        if before in self.words.frequency or before.startswith("$") or _at(tokens, end + 1) == "ago":
            return None, end + 1
        unit = _at(tokens, end)
        days = self.words.units.get(unit.removesuffix("s"))
        if days is not None:
            start = at - 1 if before in TIME_PREPOSITIONS else at
            return Span(" ".join(tokens[start : end + 1]), low * days, high * days, DAY), end + 1
        counted = stem(unit)
        if timely and (counted not in self.sessions or tokens[at] in ARTICLES):
            return None, end
        if not unit.isalpha() or unit in self.stopwords:
            return Span(" ".join(tokens[at:end]), low, high, ""), end
        return Span(" ".join(tokens[at : end + 1]), low, high, counted), end + 1

    def _quantity(self, tokens: Sequence[str], at: int) -> tuple[float, float, int, bool] | None:
        """(low, high, index of its unit, whether it only counts time or sessions) for a quantity
        at `at`: "three", "3 to 5", "between 6 and 18", "a few", "a full"."""
        w = self.words
        token = _at(tokens, at)
        value = self._number(token)
        if value is None or (token == "one" and _at(tokens, at + 1) == "of"):
            return None
        timely = token in w.time_numbers or token in w.vague
        end = at + 1
        following = _at(tokens, end)
        if token == "between" or (
            timely and following not in w.vague and self._number(following) is not None
        ):
            return self._quantity(tokens, end)
        while _at(tokens, end) in w.span_words:
            end += 1
        if _at(tokens, end) in w.vague:
            token, end, timely = tokens[end], end + 1, True
        if token in w.vague:
            low, high = w.vague[token]
            return low, high, end + (_at(tokens, end) == "of"), True
        high = value
        upper = self._number(_at(tokens, end + 1))
        if _at(tokens, end) in ("to", "or", "and") and upper is not None:
            high, end = upper, end + 2
        return value, high, end, timely

    def _number(self, token: str) -> float | None:
        w = self.words
        if token == "between":
            return 0.0
        if not token:
            return None
        for table in (w.numbers, w.time_numbers):
            if token in table:
                return table[token]
        if token in w.vague:
            return w.vague[token][0]
        if token[:1].isdigit() and not token.endswith("%"):
            return float(token.replace(",", ""))
        return None

    def _multiple(self, tokens: Sequence[str], at: int) -> Span | None:
        """ "twice as long", "3 times faster"."""
        token = tokens[at]
        if token in self.words.multipliers and _at(tokens, at + 1) in COMPARED:
            value = self.words.multipliers[token]
        elif _at(tokens, at + 1) == "times" and _at(tokens, at + 2) in COMPARED:
            value = self._number(token) or 0.0
        else:
            return None
        return Span(" ".join(tokens[at : at + 2]), value, value, TIMES)

    def _bare(self, tokens: Sequence[str], at: int) -> Span | None:
        """ "within hours", "for months": a plural time unit after a preposition, vaguely many."""
        token = tokens[at]
        days = self.words.units.get(token.removesuffix("s"))
        if days is None or not token.endswith("s") or not at or tokens[at - 1] not in TIME_PREPOSITIONS:
            return None
        low, high = self.words.vague.get("some", (2.0, 9.0))
        return Span(f"{tokens[at - 1]} {token}", low * days, high * days, DAY)


def _at(tokens: Sequence[str], at: int) -> str:
    return tokens[at] if 0 <= at < len(tokens) else ""


def _matches(phrases: Phrases, text: str) -> list:
    return [m for _, pattern in phrases.patterns for m in pattern.finditer(text)]
