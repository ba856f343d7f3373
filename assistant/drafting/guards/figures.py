"""How dates, prices and numbers are written in a message, so that the guards (and the eval
reader of hand-written messages) can hold each one against the record: a figure is read by the
fact it states (a score, a count, a change, a measurement, a length of time, a day of the
month), so that it is checked against that fact and no other."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.drafting.brief import changes_between

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        1,
    )
    for m in names
}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:,?\s+(\d{4})\b)?"
MONTH_DAY = re.compile(rf"\b{_MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b{_YEAR}", re.IGNORECASE)
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b{_YEAR}", re.IGNORECASE)
MONTH_YEAR = re.compile(rf"\b{_MONTH}\.?,?\s+((?:19|20)\d{{2}})\b", re.IGNORECASE)
YEAR = re.compile(
    r"\b(?:in|since|during|from|by|until|through|of|early|late|mid|back in)\s+((?:19|20)\d{2})\b",
    re.IGNORECASE,
)
"""A year written as one ("since 2025"); other numbers of four digits are plain numbers."""
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")s?\b", re.IGNORECASE)
_WEEKDAY_NAME = r"(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?"
WEEKDAY_BEFORE = re.compile(rf"\b{_WEEKDAY_NAME},?\s+(?:the\s+)?$", re.IGNORECASE)
"""A weekday written just before a date ("Thursday, December 3", "Thu the 3rd")."""
WEEKDAY_AFTER = re.compile(rf"^,?\s*\(?{_WEEKDAY_NAME}\)?", re.IGNORECASE)
"""A weekday written just after a date ("December 3 (Thursday)")."""
MONEY = re.compile(
    r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)|\b(\d[\d,]*(?:\.\d{1,2})?)\s*(?:dollars|usd)\b", re.IGNORECASE
)
NUMBER = re.compile(r"(?<![\w.\-/+$])(\d[\d,]*(?:\.\d+)?)(?![\w/])")


def amount(text: str | None) -> float | None:
    """The value of a written number ("1,250.50", "twenty-one"), or None when it is not one."""
    if not text:
        return None
    words = re.split(r"[\s-]+", text.strip().lower())
    if all(w in SPELLED for w in words):
        return float(sum(SPELLED[w] for w in words))
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def price_of(match: re.Match) -> float | None:
    """The amount of a `MONEY` match, whichever way it was written ("$149", "149 dollars")."""
    return amount(match.group(1) or match.group(2))


# fmt: off
_SMALL = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)
_TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ORDINAL_WORDS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth",
)
# fmt: on
SPELLED = {w: i for i, w in enumerate(_SMALL)} | {w: 10 * i for i, w in enumerate(_TENS_WORDS, 2)}
ORDINALS = {w: i for i, w in enumerate(_ORDINAL_WORDS, 1)}
WEEKDAY_INDEX = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3}
WEEKDAY_INDEX |= {"fri": 4, "sat": 5, "sun": 6}
DAYS_PER = {
    "min": 1 / 1440,
    "hour": 1 / 24,
    "hr": 1 / 24,
    "day": 1,
    "week": 7,
    "month": 30.44,
    "year": 365.25,
}

_TENS = "|".join(_TENS_WORDS)
_ONES = "|".join(_SMALL[1:10])
_UNDER_TWENTY = "|".join(sorted(_SMALL, key=len, reverse=True))
_NUM = rf"(?:\d[\d,]*(?:\.\d+)?|(?:{_TENS})(?:[- ](?:{_ONES}))?|{_UNDER_TWENTY})"
_RANGE = rf"(?P<a>{_NUM})(?:\s*(?:-|–|to|or)\s*(?P<b>{_NUM}))?"
_ORD = rf"(?:(?P<a>\d{{1,2}})(?:st|nd|rd|th)|(?P<w>{'|'.join(ORDINALS)}))"
_MASS = r"(?:lbs?|pounds?|kgs?|kilos?|kilograms?|inch(?:es)?|cm|centimet(?:er|re)s?|points?)"
_UNIT = rf"(?:{_MASS}|%|percent)"
_ABOUT = (
    r"(?:(?P<about>about|almost|nearly|over|more than|roughly|around|just over|just under|close to|"
    r"approximately|some)\s+|(?:another|a further|an impressive|a full|a total of|a whole|an amazing|"
    r"a solid|a great)\s+)?"
)
"""Words before a figure; the first of them make it approximate ("over 20 pounds")."""
_TIME = r"(?P<unit>min|hour|hr|day|week|month|year)(?:ute)?s?"
_TIME_WORD = r"(?:min|hour|hr|day|week|month|year)(?:ute)?s?\b"
_AFTER_CHANGE = r"(?!\s+(?!since|so|already|in|over|this|and|of|now|total|altogether|overall)[^\W\d_])"
"""After "lost 21": no noun of its own ("lost 2 sizes" is not a weight change)."""
ELAPSED_BEFORE = re.compile(
    r"\b(?:past|last|over the|in the|it's been|it has been|been|since|these|those|in|after)\s+(?:about\s+)?$",
    re.IGNORECASE,
)
ELAPSED_AFTER = re.compile(
    r"^\s*(?:ago|since|later|now|so far|in|into|of (?:your|the|being)|with us)\b", re.IGNORECASE
)
_DATE_WORD = re.compile(r"\b(?:on|by|from|until|till|since|before|after|through|starting)\s+$", re.IGNORECASE)
"""A word that makes "10/10" a date, not a score."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure a text states, read by the fact it states. `values` are in the fact's own
    terms: a range ("3 to 5 days") has two; a length of time is in days."""

    kind: str
    values: tuple[float, ...]
    text: str
    start: int
    per: float = 1.0
    """Days in the unit a length of time is written in (7 for "2 weeks")."""
    approximate: bool = False
    """Written as approximate ("about", "over", "nearly")."""
    elapsed: bool = False
    """A length of time that has passed or is to pass ("3 months since", "in the past 6 weeks",
    "in two weeks"), not one a treatment takes ("every six weeks", "45 minutes")."""


FACTS = ("score", "ordinal", "count", "change", "measure", "duration", "day")
"""The facts a figure can state, in the order they are read (the first reading wins)."""


@lru_cache(maxsize=64)
def _patterns(nouns: str) -> tuple[tuple[str, re.Pattern], ...]:
    """The readings of each fact; `nouns` is an alternation of what can be counted (sessions,
    visits, the menu's names)."""
    counted = rf"(?:\s+[\w'+-]+){{0,2}}?\s+(?:{nouns})\b" if nouns else r"(?!)"
    table = [
        ("score", r"(?<![\d/.])(?P<a>\d{1,2})\s*/\s*10\b(?!\s*/)"),
        ("score", rf"\b(?P<a>{_NUM})\s+out\s+of\s+(?:10|ten)\b"),
        (
            "score",
            rf"\b(?:scored?|rated?|rating|gave\s+(?:us|it))\s+(?:(?:us|it|the|your|a|an|of)\s+){{0,2}}"
            rf"(?P<a>{_NUM})\b(?!\s*(?:[/.,]\d|{_UNIT}\b|-))",
        ),
        ("ordinal", rf"\b{_ORD}{counted}"),
        (
            "count",
            rf"\b{_RANGE}\s+(?:(?!per\b|{_TIME_WORD})[\w'-]+\s+)?(?:{nouns})\b" if nouns else r"(?!)",
        ),
        ("count", rf"\b(?:course|series|package|set|block|plan)\s+of\s+{_RANGE}\b(?!\s*{_TIME_WORD})"),
        (
            "change",
            rf"\b(?:down|lost|dropped|shed|shedding|dropping|trimmed)\s+{_ABOUT}(?P<a>{_NUM})"
            rf"(?:\s*{_UNIT}\b|{_AFTER_CHANGE})",
        ),
        ("change", rf"\b(?P<a>{_NUM})\s*{_MASS}\s+(?:down|lighter|lost|off|gone|less|smaller|lower)\b"),
        ("change", rf"\b(?P<a>{_NUM})\s*(?:%|percent)\s+(?:down|lighter|less|smaller|lower)\b"),
        ("change", rf"\b(?P<a>{_NUM})[- ]?{_UNIT}\s+(?:weight\s+)?(?:drop|loss|reduction|decrease)\b"),
        ("change", rf"\b(?:loss|drop|reduction|decrease)\s+of\s+{_ABOUT}(?P<a>{_NUM})"),
        ("measure", rf"{_ABOUT}\b{_RANGE}\s*{_MASS}(?!\w)"),
        ("measure", rf"\bBMI\s+(?:(?:of|is|was|at|to)\s+)?(?P<a>{_NUM})"),
        ("duration", rf"\b{_RANGE}[\s-]*{_TIME}\b"),
        ("day", r"\b(?P<a>\d{1,2})(?:st|nd|rd|th)\b"),
    ]
    return tuple((kind, re.compile(p, re.IGNORECASE)) for kind, p in table)


def read(text: str, nouns: str = "", kinds: tuple[str, ...] = FACTS) -> tuple[list[Figure], str]:
    """Every figure of these kinds the text states, and the text with them blanked out (same
    length, so that what is left can be read for plain numbers)."""
    found: list[Figure] = []
    for kind, pattern in _patterns(nouns):
        if kind not in kinds:
            continue
        for match in list(pattern.finditer(text)):
            if kind == "score" and "/" in match.group() and _DATE_WORD.search(text[: match.start()]):
                continue
            figure = _figure(match, kind)
            if figure.values:
                found.append(figure)
                text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return sorted(found, key=lambda f: f.start), text


def _figure(match: re.Match, kind: str) -> Figure:
    groups = match.groupdict()
    if groups.get("w"):
        return Figure(kind, (float(ORDINALS[groups["w"].lower()]),), match.group(), match.start())
    values = tuple(v for g in ("a", "b") if (v := amount(groups.get(g))) is not None)
    per = DAYS_PER[groups["unit"].lower()] if kind == "duration" else 1.0
    about = bool(groups.get("about"))
    text, start, end = match.string, match.start(), match.end()
    elapsed = kind == "duration" and bool(
        ELAPSED_BEFORE.search(text[max(0, start - 24) : start]) or ELAPSED_AFTER.match(text[end : end + 24])
    )
    return Figure(kind, tuple(v * per for v in values), match.group(), start, per, about, elapsed)


@lru_cache(maxsize=256)
def stated(text: str, nouns: str = "") -> dict[str, frozenset[float]]:
    """The facts a text states, by kind, with the changes between measurements written on one
    line ("Weight 198 lb in July, 180 lb on Nov 20" states a change of 18). Cached: the guards
    read the same record and pages for every attempt at a draft."""
    facts: dict[str, set[float]] = {kind: set() for kind in FACTS}
    for line in text.splitlines():
        figures = read(MONEY.sub(lambda m: " " * len(m.group()), line), nouns)[0]
        for figure in figures:
            facts[figure.kind].update(figure.values)
        measured = [v for f in figures if f.kind == "measure" for v in f.values]
        facts["change"].update(changes_between(measured))
    return {kind: frozenset(values) for kind, values in facts.items()}
