"""An export's service names, in the practice's own words, matched to its menu: by the exact
name or id first, then by an alias the menu gives, then by meaning with the offline embedding
model, with the confidence shown. A name that matches nothing is never dropped silently: the
import lists it with its rows and a suggested menu entry, and `crosssell menu suggest` builds a
whole menu from an export's names, categories and median prices.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from assistant.domain.contract import service_line
from assistant.domain.engine import GoalMatcher
from assistant.domain.records import Service

MEANING = 0.7
"""The least cosine similarity a name by meaning must reach to be taken as the service. Below
it, all-MiniLM-L6-v2 pairs "Laser hair removal" with laser resurfacing (0.63): a wrong service
is worse than a name the owner is asked about."""
MARGIN = 0.04
"""...and by how much it must beat the next service: two close ones are too close to choose."""
NEAREST = 0.35
"""Below a match, the closest service is still named (as a hint) from this similarity on."""

How = Literal["name", "alias", "meaning"]


@dataclass(frozen=True, slots=True)
class ServiceMatch:
    service_id: str
    how: How
    confidence: float
    """1.0 by name or alias; the cosine similarity by meaning."""


@dataclass(frozen=True, slots=True)
class Closest:
    """The menu's nearest service to a name that matched nothing."""

    service_id: str
    confidence: float


def key(value: str) -> str:
    return " ".join(value.split()).casefold()


QUANTITY = re.compile(
    r"[\s(\[,:;–—-]*(?:\bx\s*\d+\b|\b\d+(?:[.,]\d+)?\s*"
    r"(?:u|units?|iu|syringes?|syr|ml|cc|areas?|vials?|sessions?|mg|x)\b)[)\]]?",
    re.IGNORECASE,
)


def bare(wanted: str) -> str:
    """A name without the quantity a booking system writes into it: `botox cosmetic - 20
    units` -> `botox cosmetic`, `xeomin 40u` -> `xeomin`."""
    return key(QUANTITY.sub(" ", wanted).strip(" -–—:,;()[]"))


class ServiceNames:
    """Matches names to one menu. Each distinct name is worked out once, so an export of
    50,000 rows asks the model only about its few dozen names."""

    def __init__(self, menu: Iterable[Service], meaning: GoalMatcher | None = None) -> None:
        self.menu = list(menu)
        self.meaning = meaning
        self.by_name = {key(s.name): s.id for s in self.menu} | {key(s.id): s.id for s in self.menu}
        self.by_alias: dict[str, str] = {}
        for service in self.menu:
            for alias in service.aliases:
                self.by_alias.setdefault(key(alias), service.id)
        self._found: dict[str, ServiceMatch | None] = {}
        self._scores: dict[str, list[tuple[float, str]]] = {}

    def match(self, name: str) -> ServiceMatch | None:
        wanted = key(name)
        if wanted not in self._found:
            self._found[wanted] = self._match(wanted)
        return self._found[wanted]

    def closest(self, name: str) -> Closest | None:
        """The nearest service by meaning, for a name that matched nothing; None when nothing
        on the menu is even near it, or no model is at hand."""
        wanted = key(name)
        scores = self._ranked(bare(wanted) or wanted)
        if not scores or scores[0][0] < NEAREST:
            return None
        return Closest(scores[0][1], round(scores[0][0], 2))

    def _match(self, wanted: str) -> ServiceMatch | None:
        for name in dict.fromkeys((wanted, bare(wanted))):
            if name in self.by_name:
                return ServiceMatch(self.by_name[name], "name", 1.0)
            if name in self.by_alias:
                return ServiceMatch(self.by_alias[name], "alias", 1.0)
        scores = self._ranked(bare(wanted) or wanted)
        if not scores or scores[0][0] < MEANING:
            return None
        runner_up = scores[1][0] if len(scores) > 1 else 0.0
        if scores[0][0] - runner_up < MARGIN:
            return None
        return ServiceMatch(scores[0][1], "meaning", round(scores[0][0], 2))

    def _ranked(self, wanted: str) -> list[tuple[float, str]]:
        """Each service's best similarity (over its name and aliases), best first."""
        if self.meaning is None or not self.menu:
            return []
        if wanted not in self._scores:
            texts = [(s.id, text) for s in self.menu for text in (s.name, *s.aliases)]
            similarities = self.meaning.similarities(wanted, [text for _, text in texts])
            best: dict[str, float] = {}
            for (service_id, _), score in zip(texts, similarities, strict=True):
                best[service_id] = max(score, best.get(service_id, -1.0))
            self._scores[wanted] = sorted(((s, sid) for sid, s in best.items()), reverse=True)
        return self._scores[wanted]


@dataclass
class Tally:
    """One name as an export writes it: its rows, what was paid, its categories."""

    name: str
    """As the export first writes it, its spacing made single."""
    rows: int = 0
    paid: list[float] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def add(self, paid: float | None, category: str) -> None:
        self.rows += 1
        if paid is not None and paid > 0:
            self.paid.append(paid)
        if category:
            self.categories.append(category)


def suggested_entry(tally: Tally, taken: set[str], closest: Service | None = None) -> dict:
    """A menu line in the import contract for a name: an id made from the name (unique among
    `taken`, which it joins), the category the export gives most (else the closest service's),
    the median paid, the kind a category or name implies."""
    category = _most_common(tally.categories) or (closest.category if closest else "")
    entry: dict = {
        "type": "service",
        "id": _unique(service_id(tally.name), taken),
        "name": " ".join(tally.name.split()),
        "category": category,
        "price": round(statistics.median(tally.paid), 2) if tally.paid else 0,
        "kind": _kind(tally.name, category),
    }
    return entry


def service_id(name: str) -> str:
    """`Lash Lift & Tint` -> `lash_lift_tint`."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")[:60] or "service"


def _unique(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _most_common(values: list[str]) -> str:
    """The value written most, the first written on a tie."""
    return Counter(values).most_common(1)[0][0] if values else ""


NOT_A_SERVICE = re.compile(
    r"\b(?:gift\s*(?:cards?|certificates?|vouchers?)|e-?gift\s*cards?|vouchers?|deposits?)\b",
    re.IGNORECASE,
)
"""Lines a sales export writes that are no service at all: money taken ahead, not a treatment."""
LEFT_OFF = "not a treatment: left off the menu"


def not_a_service(name: str) -> bool:
    """A gift card, gift certificate, voucher or deposit: never suggested as a menu line."""
    return NOT_A_SERVICE.search(name) is not None


PRODUCT = re.compile(r"\b(?:product|retail|kit|serum|cream|sunscreen|spf)s?\b", re.IGNORECASE)
MEMBERSHIP = re.compile(r"\b(?:membership|member|subscription)s?\b", re.IGNORECASE)
PROGRAM = re.compile(r"\b(?:program|programme|protocol|plan)s?\b", re.IGNORECASE)


def _kind(name: str, category: str) -> str:
    text = f"{name} {category}"
    if MEMBERSHIP.search(text):
        return "membership"
    if PROGRAM.search(text):
        return "program"
    if PRODUCT.search(text):
        return "product"
    return "treatment"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A name that matched nothing: its rows, the nearest service (a hint: perhaps an alias
    to add), and a menu line to add it as a service of its own; none, with a note, for a name
    that is no service (a gift card, a voucher, a deposit)."""

    name: str
    rows: int
    closest: Closest | None
    entry: dict | None
    note: str = ""


def suggestions(unmatched: Counter, tallies: dict[str, Tally], names: ServiceNames) -> list[Suggestion]:
    """For each unmatched name, most rows first."""
    taken = {s.id for s in names.menu}
    by_id = {s.id: s for s in names.menu}
    found = []
    for name, rows in unmatched.most_common():
        if not_a_service(name):
            found.append(Suggestion(name, rows, None, None, LEFT_OFF))
            continue
        closest = names.closest(name)
        nearest = by_id[closest.service_id] if closest else None
        found.append(Suggestion(name, rows, closest, suggested_entry(tallies[key(name)], taken, nearest)))
    return found


@dataclass(frozen=True, slots=True)
class NameOnMenu:
    """How one of the export's names lands on the proposed menu."""

    name: str
    rows: int
    median_paid: float | None
    service_id: str
    how: How | Literal["new", "left off"]
    """"left off": a name that is no service (a gift card, a voucher), on no menu line."""
    confidence: float | None


@dataclass
class MenuProposal:
    services: list[dict]
    """The whole proposed menu as contract lines, ready for `crosssell import`."""
    names: list[NameOnMenu]


def proposed_menu(tallies: dict[str, Tally], names: ServiceNames) -> MenuProposal:
    """The practice's menu in its own words: every service it has, kept with its next steps
    and pairings; an export's name matched by alias or meaning added to that service's
    aliases (so the next import matches it by name); each service's price the median paid over
    all its names' rows; a name that matches nothing a new service of its own, unless it is no
    service at all (a gift card, a voucher, a deposit): that one is left off."""
    lines = {s.id: service_line(s) for s in names.menu}
    by_id = {s.id: s for s in names.menu}
    taken = set(lines)
    paid: dict[str, list[float]] = {}
    found = []
    for tally in sorted(tallies.values(), key=lambda t: (-t.rows, t.name.casefold())):
        median = round(statistics.median(tally.paid), 2) if tally.paid else None
        match = names.match(tally.name)
        if match is None and not_a_service(tally.name):
            found.append(NameOnMenu(tally.name, tally.rows, median, "", "left off", None))
            continue
        if match is None:
            closest = names.closest(tally.name)
            entry = suggested_entry(tally, taken, by_id[closest.service_id] if closest else None)
            lines[entry["id"]] = entry
            found.append(NameOnMenu(tally.name, tally.rows, median, entry["id"], "new", None))
            continue
        paid.setdefault(match.service_id, []).extend(tally.paid)
        if match.how != "name" and key(tally.name) not in {
            key(a) for a in lines[match.service_id]["aliases"]
        }:
            lines[match.service_id]["aliases"].append(tally.name)
        found.append(
            NameOnMenu(tally.name, tally.rows, median, match.service_id, match.how, match.confidence)
        )
    for service_id, amounts in paid.items():
        if amounts:
            lines[service_id]["price"] = round(statistics.median(amounts), 2)
    return MenuProposal(list(lines.values()), found)
