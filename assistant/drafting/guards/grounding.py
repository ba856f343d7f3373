"""The grounding guard: every service, price, number and date in a draft traces to the patient's
record, the menu or the knowledge pages; terms only where the practice authorised them."""

from __future__ import annotations

import re

from assistant.domain.records import Service
from assistant.drafting.brief import Grounds, aliases, money
from assistant.drafting.guards.base import Checked, Directory, Finding, Guard, Meaning
from assistant.drafting.guards.figures import (
    DAY_MONTH,
    ISO_DATE,
    MONEY,
    MONTH_DAY,
    MONTHS,
    NUMBER,
    SLASH_DATE,
    WEEKDAY,
    WEEKDAYS,
    amount,
    price_of,
)
from assistant.drafting.guards.grants import Granting
from assistant.drafting.guards.lexicon import Policy, contains, whole_words


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
        text = _dates(draft.text, grounds, problems)
        text = _money(text, grounds, problems)
        for match in NUMBER.finditer(text):
            value = amount(match.group(1))
            if value is not None and not _known(value, grounds.numbers):
                problems.append(
                    Finding(
                        "number", f"the number {match.group(1)} is not in the record, menu or knowledge pages"
                    )
                )
        for _, said, _ in self.policy.treatments.find(text):
            if not contains(grounds.record, said) and not contains(grounds.authorised, said):
                problems.append(
                    Finding("treatment", f"'{said}' is not on the menu or in the patient's record")
                )
        problems += self._grants(draft.text, grounds)
        return problems

    def _grants(self, text: str, grounds: Grounds) -> list[Finding]:
        """A free or lower-priced thing passes only where the offer's own entry grants it."""
        offer = grounds.offer
        granted = self.granting.find(grounds.offer_terms, offer, entry=True)
        return [
            Finding("terms", f"'{grant.said}' offers terms that the entry for {offer.name} does not grant")
            for grant in self.granting.find(text, offer)
            if not grant.within(granted)
        ]


def _dates(text: str, grounds: Grounds, problems: list[Finding]) -> str:
    """Notes every date not in the record and returns the text without them."""

    def check(match: re.Match, month: int, day: int) -> str:
        if (month, day) not in grounds.dates:
            problems.append(Finding("date", f"the date '{match.group()}' is not in the patient's record"))
        return " "

    text = MONTH_DAY.sub(lambda m: check(m, MONTHS[m.group(1).lower()[:3]], int(m.group(2))), text)
    text = DAY_MONTH.sub(lambda m: check(m, MONTHS[m.group(2).lower()[:3]], int(m.group(1))), text)
    text = ISO_DATE.sub(lambda m: check(m, int(m.group(2)), int(m.group(3))), text)
    text = SLASH_DATE.sub(lambda m: check(m, int(m.group(1)), int(m.group(2))), text)
    for match in WEEKDAY.finditer(text):
        if WEEKDAYS.index(match.group(1).lower()) not in grounds.weekdays:
            problems.append(Finding("date", f"'{match.group()}' is not a day in the patient's record"))
    return text


def _money(text: str, grounds: Grounds, problems: list[Finding]) -> str:
    """Notes every price that is not the menu's for a service the draft names, and returns the
    text without prices."""
    named = {s.id: s for s in _mentioned(text, grounds.menu)}
    allowed = {s.price for s in named.values()} | {grounds.offer.price} | grounds.amounts
    for service, said in _prices_after_names(text, list(named.values())):
        if abs(said - service.price) > 0.005:
            problems.append(
                Finding(
                    "price",
                    f"{service.name} costs {money(service.price)} on the menu, the draft says {money(said)}",
                )
            )
    for match in MONEY.finditer(text):
        value = price_of(match)
        if value is not None and not _known(value, allowed):
            problems.append(
                Finding(
                    "price",
                    f"the price {match.group().strip()} is not a menu price of a service the draft names",
                )
            )
    return MONEY.sub(" ", text)


def _known(value: float, known: set[float]) -> bool:
    return value in known or any(abs(value - k) < 0.005 for k in known)


def _mentioned(text: str, menu) -> list[Service]:
    return [s for s in menu if any(contains(text, a) for a in aliases(s))]


def _prices_after_names(text: str, services: list[Service]) -> list[tuple[Service, float]]:
    """A price written right after a service's name, in the same clause and with no other
    service named between them, is that service's price."""
    pairs = []
    for service in services:
        others = [s for s in services if s is not service]
        for alias in aliases(service):
            for match in whole_words(alias).finditer(text):
                tail = re.split(r"[.;!?\n]", text[match.end() : match.end() + 60], maxsplit=1)[0]
                price = MONEY.search(tail)
                if price is None or _mentioned(tail[: price.start()], others):
                    continue
                value = price_of(price)
                if value is not None:
                    pairs.append((service, value))
    return pairs
