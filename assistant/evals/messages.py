"""Arbitrary messages to score (`crosssell eval score FILE`): a message and the context it was
written for, turned into the brief and grounds the guards read.

A line: {"id", "channel", "body", "subject"?, "context": {"first_name", "history": [str],
"goals": [str], "offer": {"name", "price"}}}; other fields are ignored. Hand-written
templates and labelled samples are scored the same way as drafts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import combinations
from pathlib import Path
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.domain.history import Menu
from assistant.domain.moments import Moment
from assistant.domain.records import Service
from assistant.drafting.brief import Brief, Grounds, OfferFacts, Source, aliases, money, numbers_in
from assistant.drafting.content import DraftContent
from assistant.drafting.guards import DAY_MONTH, MONTH_DAY, MONTHS, SALUTATION, Policy, contains
from assistant.errors import InputError


class OfferRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1)
    price: float = Field(ge=0)
    unit: str = ""

    @field_validator("price", mode="before")
    @classmethod
    def _money(cls, value: object) -> object:
        """ "$1,250", "149/month" and 149 are all prices."""
        if isinstance(value, str):
            found = re.search(r"\d[\d,]*(?:\.\d+)?", value)
            return float(found.group().replace(",", "")) if found else value
        return value


class MessageContext(BaseModel):
    model_config = ConfigDict(extra="ignore")
    first_name: str = ""
    history: list[str] = Field(default_factory=list)
    goals: list[str] = Field(default_factory=list)
    offer: OfferRef
    moment: str | None = None


class ScoredMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1)
    channel: Literal["email", "sms"]

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    subject: str = ""
    body: str
    context: MessageContext
    labels: dict = Field(default_factory=dict)


def read_messages(path: Path) -> Iterator[tuple[int, ScoredMessage | str]]:
    """(line number, message) for each good line, (line number, why) for each bad one."""
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                yield number, ScoredMessage.model_validate(orjson.loads(raw))
            except orjson.JSONDecodeError as exc:
                yield number, f"not JSON ({exc})"
            except ValidationError as exc:
                yield (
                    number,
                    "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()),
                )


def content_of(message: ScoredMessage) -> DraftContent:
    return DraftContent(subject=message.subject, body=message.body)


def brief_and_grounds(
    message: ScoredMessage, policy: Policy, known: Sequence[tuple[Service, list[str]]] = ()
) -> tuple[Brief, Grounds]:
    """What the guards need, from the message's own context and, for its claims, the knowledge of
    `known` (the default menu's services, each with what its pages say): when the offer's name
    names one of them, that service's knowledge is the offer's, so a scored message's claims
    are checked as a draft's are. Otherwise its claims are checked against the offer's name
    only, and any claim beyond it fails."""
    context = message.context
    first_name = context.first_name.strip() or _greeted(message.body)
    offer = Service(
        id=_slug(context.offer.name),
        name=context.offer.name,
        category="",
        price=context.offer.price,
        unit=context.offer.unit,
    )
    record = "\n".join([*context.history, *context.goals])
    treatments = _treatments(record, policy, offer)
    sources = [Source(f"h{n}", "history", None, text) for n, text in enumerate(context.history, 1)]
    said = _said_about(context.offer.name, known)
    passages = [Source(f"knowledge:{offer.id}#{n}", "knowledge", None, t) for n, t in enumerate(said, 1)]
    brief = Brief(
        patient_id="",
        first_name=first_name,
        moment=_moment(context.moment),
        channel=message.channel,
        signal=context.history[-1] if context.history else "",
        signal_source="",
        treatments=[t.name for t in treatments],
        offer=OfferFacts(offer.id, offer.name, offer.price, offer.unit, "treatment", "", passages),
        goals=list(context.goals),
        snippets=sources,
        change=" ".join(context.history),
    )
    authorised = f"{offer.name}. {money(offer.price)}"
    numbers = _numbers(record) | _numbers(authorised) | {offer.price}
    grounds = Grounds(
        record=record,
        authorised=authorised,
        numbers=numbers,
        dates=_dates(record),
        weekdays=set(),
        menu=Menu([offer]),
        offer=offer,
        treatments=treatments,
        amounts=set(),
        private=[],
        other_people=[],
        source_ids={s.id for s in sources},
        pages={offer.id: said} if said else {},
        offer_terms=authorised,
    )
    return brief, grounds


def _said_about(name: str, known: Sequence[tuple[Service, list[str]]]) -> list[str]:
    """What the pages say about the known service the offer's name names (its longest name
    found in the offer's), if any."""
    found = [
        (len(alias), said) for service, said in known for alias in aliases(service) if contains(name, alias)
    ]
    return max(found, key=lambda pair: pair[0])[1] if found else []


def _greeted(body: str) -> str:
    """The name a message greets, when its context gives none (the name is then not checked)."""
    found = SALUTATION.search(body)
    return found.group(1) if found else ""


def _numbers(text: str) -> set[float]:
    """Numbers in the text, and the differences between numbers of one line (212 and 191 lb
    ground "21 lb")."""
    found: set[float] = set()
    for line in text.splitlines():
        values = numbers_in(line)
        found |= values
        found.update(abs(a - b) for a, b in combinations(values, 2))
    return found


def _dates(text: str) -> set[tuple[int, int]]:
    dates = {(MONTHS[m.group(1).lower()[:3]], int(m.group(2))) for m in MONTH_DAY.finditer(text)}
    dates |= {(MONTHS[m.group(2).lower()[:3]], int(m.group(1))) for m in DAY_MONTH.finditer(text)}
    return dates


def _treatments(record: str, policy: Policy, offer: Service) -> list[Service]:
    """The treatments the history names (from the guards' treatment lexicon)."""
    named = dict.fromkeys(said for _, said, _ in policy.treatments.find(record))
    return [
        Service(id=_slug(n), name=n, category="", price=0.0, unit="")
        for n in named
        if not contains(offer.name, n)
    ]


def _moment(value: str | None) -> Moment:
    try:
        return Moment(value) if value else Moment.CHECK_IN
    except ValueError:
        return Moment.CHECK_IN


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "offer"
