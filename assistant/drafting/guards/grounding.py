"""The grounding guard: every service, price, number and date in a draft traces to the patient's
record, the menu or the knowledge pages; terms only where the practice authorised them; one
offer, and only treatments the menu has.

A number is grounded by the fact it states (`figures`): a weight change by the measurements'
changes, a score by the scores the patient gave, a count by the record's counts, a length of
time by the pages or the record's dates, a day of the month by the record's dates. A number that
states no fact it can be read as must still be in the record, the menu or the pages (a date's
day or year is not such a number)."""

from __future__ import annotations

import re
from datetime import date

from assistant.domain.records import Service
from assistant.drafting.brief import Grounds, aliases, money
from assistant.drafting.guards.base import Checked, Directory, Finding, Guard, Meaning
from assistant.drafting.guards.figures import (
    DAY_MONTH,
    ISO_DATE,
    MONEY,
    MONTH_DAY,
    MONTH_YEAR,
    MONTHS,
    NUMBER,
    SLASH_DATE,
    WEEKDAY,
    WEEKDAY_AFTER,
    WEEKDAY_BEFORE,
    WEEKDAY_INDEX,
    WEEKDAYS,
    YEAR,
    Figure,
    amount,
    price_of,
    read,
    stated,
)
from assistant.drafting.guards.grants import Granting
from assistant.drafting.guards.lexicon import Policy, contains
from assistant.drafting.guards.services import mentions, priced, second_offers, unlisted

PRICE_UNIT = re.compile(
    r"^\s*(?:(?:per|a|an|each|every|/)\s*([a-z]+)|(monthly|weekly|yearly|annually|daily))\b", re.IGNORECASE
)
PERIODS = frozenset({"day", "week", "month", "year"})
FACT_FINDINGS = {
    "score": "the score '{}' is not one the patient gave",
    "ordinal": "'{}' does not match what the patient's record counts",
    "count": "'{}' does not match what the patient's record counts",
    "change": "the change '{}' does not match the patient's measurements",
    "measure": "the measurement '{}' is not in the patient's record",
    "duration": "the length of time '{}' is not in what the offer's pages say or the patient's record",
    "day": "the day '{}' is not a date in the patient's record",
}


class Grounding(Guard):
    name = "grounding"
    dimension = "grounding"
    passing = "every service, price, number and date traces to the record, menu or knowledge pages"

    def __init__(
        self, policy: Policy, directory: Directory | None = None, meaning: Meaning | None = None
    ) -> None:
        super().__init__(policy, directory, meaning)
        self.granting = Granting(policy)

    def check(self, draft: Checked) -> list[Finding]:
        grounds = draft.grounds
        problems: list[Finding] = []
        nouns = _countable(self.policy.count_nouns, grounds)
        scores, text = read(draft.text, nouns, ("score",))
        text = _dates(text, grounds, problems)
        text = _money(text, grounds, problems)
        figures, rest = read(text, nouns)
        problems += _facts([*scores, *figures], draft, nouns)
        for match in NUMBER.finditer(rest):
            value = amount(match.group(1))
            if value is not None and not _known(value, grounds.numbers):
                problems.append(
                    Finding(
                        "number",
                        f"the number {match.group(1)} is not in the record, menu or knowledge pages",
                        phrases=(match.group(1),),
                    )
                )
        problems += [
            Finding("treatment", f"'{said}' is not on the menu or in the patient's record", phrases=(said,))
            for said in unlisted(draft.text, grounds, self.policy)
        ]
        problems += [
            Finding(
                "second_offer", f"offers {s.name} {sign} as well as {grounds.offer.name}: one offer a message"
            )
            for s, sign in second_offers(draft.text, grounds, self.policy)
        ]
        problems += self._grants(draft.text, grounds)
        return problems

    def _grants(self, text: str, grounds: Grounds) -> list[Finding]:
        """A free or lower-priced thing passes only where the offer's own entry grants it."""
        offer = grounds.offer
        granted = self.granting.find(grounds.offer_terms, offer, entry=True)
        return [
            Finding(
                "terms",
                f"'{grant.said}' offers terms that the entry for {offer.name} does not grant",
                phrases=(grant.said,),
            )
            for grant in self.granting.find(text, offer)
            if not grant.within(granted)
        ]


def _dates(text: str, grounds: Grounds, problems: list[Finding]) -> str:
    """Notes every date not in the record, and every weekday that is not its date's, and
    returns the text without them; a weekday on its own must be a day in the record."""
    readings = (
        (MONTH_DAY, lambda m: (MONTHS[m.group(1).lower()[:3]], int(m.group(2)), m.group(3))),
        (DAY_MONTH, lambda m: (MONTHS[m.group(2).lower()[:3]], int(m.group(1)), m.group(3))),
        (ISO_DATE, lambda m: (int(m.group(2)), int(m.group(3)), m.group(1))),
        (SLASH_DATE, lambda m: (int(m.group(1)), int(m.group(2)), m.group(3))),
    )
    for pattern, parts in readings:
        for match in list(pattern.finditer(text)):
            month, day, year = parts(match)
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            if (month, day) not in grounds.dates:
                problems.append(
                    Finding(
                        "date",
                        f"the date '{match.group()}' is not in the patient's record",
                        phrases=(match.group(),),
                    )
                )
            start, end = _weekday_beside(text, match, _days(month, day, year, grounds), problems)
            text = _blank(text, start, end)
    for match in WEEKDAY.finditer(text):
        if WEEKDAYS.index(match.group(1).lower()) not in grounds.weekdays:
            problems.append(
                Finding(
                    "date",
                    f"'{match.group()}' is not a day in the patient's record",
                    phrases=(match.group(),),
                )
            )
    return _years(text, grounds, problems)


def _years(text: str, grounds: Grounds, problems: list[Finding]) -> str:
    """Notes every month and year ("August 2026") or year ("since 2025") the record does not
    have, and returns the text without them."""
    months = {(d.month, d.year) for d in grounds.record_dates}
    for match in list(MONTH_YEAR.finditer(text)):
        if (MONTHS[match.group(1).lower()[:3]], int(match.group(2))) not in months:
            problems.append(
                Finding(
                    "date",
                    f"'{match.group()}' is not a month in the patient's record",
                    phrases=(match.group(),),
                )
            )
        text = _blank(text, match.start(), match.end())
    for match in list(YEAR.finditer(text)):
        if int(match.group(1)) not in {year for _, year in months}:
            problems.append(Finding("date", f"the year in '{match.group()}' is not in the patient's record"))
        text = _blank(text, match.start(), match.end())
    return text


def _days(month: int, day: int, year: str | None, grounds: Grounds) -> set[int]:
    """The weekdays this date may fall on: in its own year when written, else in the years the
    record has it (none known: any)."""
    if year:
        full = int(year) + (2000 if len(year) == 2 else 0)
        try:
            return {date(full, month, day).weekday()}
        except ValueError:
            return set()
    same = {d.weekday() for d in grounds.record_dates if (d.month, d.day) == (month, day)}
    return same or set(range(7))


def _weekday_beside(
    text: str, match: re.Match, weekdays: set[int], problems: list[Finding]
) -> tuple[int, int]:
    """Checks a weekday written just before or after a date ("Thursday, December 3"); returns
    the span of the date with it."""
    start, end = match.start(), match.end()
    before = WEEKDAY_BEFORE.search(text[max(0, start - 16) : start])
    after = WEEKDAY_AFTER.match(text[end : end + 16])
    said = before or after
    if said is None:
        return start, end
    if WEEKDAY_INDEX[said.group(1).lower()] not in weekdays:
        written = said.group().strip(" ,()")
        problems.append(Finding("date", f"{match.group()} is not a {written.rstrip('.')}"))
    if before is not None:
        return start - len(before.group()), end
    return start, end + after.end() if after is not None else end


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _facts(figures: list[Figure], draft: Checked, nouns: str) -> list[Finding]:
    """Every figure that does not match the fact it states."""
    grounds = draft.grounds
    known = _stated(grounds, _offer_text(draft), nouns)
    return [
        Finding(
            "date" if f.kind == "day" else "number",
            FACT_FINDINGS[f.kind].format(f.text.strip()),
            phrases=(f.text.strip(),),
        )
        for f in figures
        if not all(_fits(f, v, _known_for(f, known, grounds)) for v in f.values)
    ]


def _offer_text(draft: Checked) -> str:
    """What the offer's pages and the drafter's brief say of the offer."""
    offer, grounds = draft.brief.offer, draft.grounds
    return "\n".join([grounds.offer_pages, *(p.text for p in offer.passages), grounds.offer.description])


def _stated(grounds: Grounds, offer_text: str, nouns: str) -> dict[str, set[float]]:
    """What each kind of figure may be: the grounds' facts and what the record states (counts
    and lengths of time also what the drafter was told of the offer; a length of time that has
    passed also the spans between the record's dates)."""
    record, offer = stated(grounds.record, nouns), stated(offer_text, nouns)
    return {
        "score": grounds.scores | record["score"],
        "ordinal": set(record["count"] | record["ordinal"]),
        "count": set(record["count"] | record["ordinal"] | offer["count"]),
        "change": grounds.changes | record["change"],
        "measure": grounds.measures | record["measure"] | grounds.changes | record["change"],
        "duration": set(record["duration"] | offer["duration"]),
        "elapsed": grounds.durations | record["duration"] | offer["duration"],
        "day": _near_days(grounds),
    }


def _known_for(figure: Figure, known: dict[str, set[float]], grounds: Grounds) -> set[float]:
    """What this figure may be. A count is held against the visits of the service it names
    ("four HydraFacials"), or of any service where it names none, and what the record and the
    offer's pages count ("four to six sessions"); an ordinal may be any number up to the visits
    ("your fourth peel": the peels) or what the record counts."""
    if figure.elapsed:
        return known["elapsed"]
    if figure.kind not in ("ordinal", "count"):
        return known[figure.kind]
    noun = re.sub(r"s$", "", figure.text.split()[-1].lower())
    named = [n for i, n in grounds.visits.items() if (s := grounds.menu.get(i)) and _names(s, noun)]
    visits = {float(v) for v in (named or [*grounds.visits.values(), grounds.all_visits])} | {1.0}
    if figure.kind == "count":
        return visits | known["count"]
    return {float(n) for n in range(1, int(max(visits | known["ordinal"])) + 1)}


def _names(service: Service, noun: str) -> bool:
    return any(contains(a, noun) or contains(a, noun + "s") for a in aliases(service))


def _near_days(grounds: Grounds) -> set[float]:
    """The days of the month a draft may name alone ("the 21st"): those of the record's dates
    within a month of its latest day (any of its days where that is not known)."""
    if grounds.latest is None:
        return {float(day) for _, day in grounds.dates}
    latest = grounds.latest
    return {float(d.day) for d in grounds.record_dates if abs((d - latest).days) <= 31}


def _fits(figure: Figure, value: float, known: set[float]) -> bool:
    """A change or a measurement within rounding ("down 21 pounds" for 20.7), or within a tenth
    where it is approximate ("over 20 pounds"), a length of time within one of its own units,
    anything else exactly."""
    if figure.kind in ("change", "measure"):
        slack = 1.0 if float(value).is_integer() else 0.051
        slack = max(slack, 0.1 * value) if figure.approximate else slack
    elif figure.kind == "duration":
        slack = figure.per
    else:
        slack = 0.005
    return any(abs(value - k) < slack for k in known)


def _countable(count_nouns: tuple[str, ...], grounds: Grounds) -> str:
    """What a draft may count, as one alternation: the lexicon's nouns and the menu's names."""
    names = [*count_nouns, *(a for s in grounds.menu for a in aliases(s))]
    escaped = [re.escape(n).replace(r"\ ", r"\s+") + "s?" for n in sorted(set(names), key=len, reverse=True)]
    return "|".join(escaped)


def _money(text: str, grounds: Grounds, problems: list[Finding]) -> str:
    """Notes every price that is not the menu's for the service it belongs to, or of no service
    the draft names, and returns the text without prices."""
    named = mentions(text, list(grounds.menu))
    allowed = {m.service.price for m in named} | {grounds.offer.price} | grounds.amounts
    for service, said, match in priced(text, named, grounds.offer):
        if service is not None and abs(said - service.price) > 0.005:
            problems.append(
                Finding(
                    "price",
                    f"{service.name} costs {money(service.price)} on the menu, the draft says {money(said)}",
                )
            )
        elif service is not None and (unit := _other_unit(text[match.end() : match.end() + 20], service)):
            problems.append(
                Finding(
                    "price", f"{service.name} is {money(service.price)} per {service.unit}, not per {unit}"
                )
            )
    for match in MONEY.finditer(text):
        value = price_of(match)
        if value is not None and not _known(value, allowed):
            problems.append(
                Finding(
                    "price",
                    f"the price {match.group().strip()} is not a menu price of a service the draft names",
                    phrases=(match.group().strip(),),
                )
            )
    return MONEY.sub(lambda m: " " * len(m.group()), text)


def _other_unit(after: str, service: Service) -> str:
    """The unit written after a price when it is not the menu's and one of the two is a length of
    time ("$399 per visit" for a monthly program, "$99 a year" for a monthly one)."""
    said = PRICE_UNIT.match(after)
    if said is None or not service.unit:
        return ""
    written = said.group(1) or said.group(2)
    unit, menu = _unit(written), _unit(service.unit)
    return written if unit != menu and (unit in PERIODS or menu in PERIODS) else ""


def _unit(word: str) -> str:
    word = word.lower()
    word = {"monthly": "month", "weekly": "week", "yearly": "year", "annually": "year", "daily": "day"}.get(
        word, word
    )
    return word[:-1] if word.endswith("s") and word[:-1] in PERIODS else word


def _known(value: float, known: set[float]) -> bool:
    return value in known or any(abs(value - k) < 0.005 for k in known)
