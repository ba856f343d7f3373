"""What a draft may use (the brief) and what it may claim (the grounds), for one ready offer.

The brief is the least a drafter needs: first name, moment and signal, the patient's own
treatments, goals and relevant snippets, and the offer's facts. It never holds a birth date,
contact details or another patient. The grounds are what the guards check a draft against.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from assistant.domain.engine import ReadyOffer
from assistant.domain.history import History, Menu
from assistant.domain.moments import Moment
from assistant.domain.names import greeting_name
from assistant.domain.records import Event, Patient, Service

PRIMARY_TEXT = ("note", "comment", "to")
WEIGHT_UNITS = frozenset({"lb", "lbs", "pound", "pounds", "kg", "kgs", "kilograms"})
NUMBER = re.compile(r"(?<![\w.\-/])\d[\d,]*(?:\.\d+)?")
STORED_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
OTHER_PEOPLE = ("referred_name", "provider")
"""Event fields that name someone other than the patient."""
SCORED = ("feedback", "check_in")
WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Source:
    """A citable piece of text: a patient's own record entry, or a knowledge passage."""

    id: str
    kind: str
    on: date | None
    text: str


@dataclass(slots=True)
class OfferFacts:
    id: str
    name: str
    price: float
    unit: str
    kind: str
    why: str
    passages: list[Source] = field(default_factory=list)
    summary: str = ""
    sensitive: bool = False

    @property
    def price_text(self) -> str:
        return money(self.price)


@dataclass(slots=True)
class Brief:
    """Everything a drafter is given for one message."""

    patient_id: str
    first_name: str
    """The name to greet (`greeting_name`: the record's, markup dropped); "" where the record
    holds none that reads as a name, and the message greets without one."""
    moment: Moment
    channel: str
    signal: str
    signal_source: str
    offer: OfferFacts
    treatments: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    snippets: list[Source] = field(default_factory=list)
    booked: str = ""
    booked_for: str = ""
    due: str = ""
    visit_on: str = ""
    change: str = ""
    """Measured progress as the patient would say it, read after "you are": "down 16.5 lb
    since February" (never the readings; an SMS never says it)."""
    practice: str = ""
    coordinator: str = ""
    booking_url: str = ""
    sensitive: list[str] = field(default_factory=list)
    """The names of the sensitive lines of care among the patient's treatments and the offer:
    never in a subject line or an SMS."""
    wording: int = 0
    """Which phrasings the templates pick: 0 at first, one more at each regeneration, so a
    regenerated draft reads differently."""
    reword_from: str = ""
    """The text a regeneration replaces: a model is asked for a different wording of it."""

    @property
    def treatment(self) -> str:
        return self.treatments[0] if self.treatments else ""

    @property
    def goal(self) -> str:
        return self.goals[0] if self.goals else ""

    @property
    def sources(self) -> list[Source]:
        return [*self.snippets, *self.offer.passages]


@dataclass(slots=True)
class Grounds:
    """What a draft may state. `record` is the patient's own record (untrusted text: it grounds
    numbers, dates and treatments only); `authorised` is the menu and knowledge pages (the only
    text that can authorise an offer's terms or a claim)."""

    record: str
    authorised: str
    numbers: set[float]
    dates: set[tuple[int, int]]
    weekdays: set[int]
    menu: Menu
    offer: Service
    treatments: list[Service]
    amounts: set[float]
    private: list[str]
    other_people: list[str]
    source_ids: set[str]
    links: list[str] = field(default_factory=list)
    """The only links a draft may carry (the practice's booking link)."""
    measurements_allowed: bool = False
    """Whether an email body may quote measurements (the practice turned it on)."""
    pages: dict[str, list[str]] = field(default_factory=dict)
    """What the practice's menu and pages say about each service the draft may speak of (the
    offer and the patient's own services), by service id: a claim about one must rest on these."""
    offer_terms: str = ""
    """The offered service's own entry: its menu name and description, the menu's reasons for
    offering it, and its own knowledge page. The only text that can grant a free or lower-priced
    thing; never the patient's record, never another service's page."""
    changes: set[float] = field(default_factory=set)
    """Changes between the patient's measurements a draft may state ("down 21 pounds", "8%")."""
    measures: set[float] = field(default_factory=set)
    """The patient's measurement values."""
    scores: set[float] = field(default_factory=set)
    """The scores the patient gave in feedback and check-ins ("a 10/10")."""
    visits: dict[str, int] = field(default_factory=dict)
    """How many times the patient came for each service (by id), with the visits still booked
    ("your third peel", "after four HydraFacials")."""
    all_visits: int = 0
    """How many visits the record has in all."""
    durations: set[float] = field(default_factory=set)
    """Lengths of time between the record's dates, in days ("in the 3 months since")."""
    record_dates: set[date] = field(default_factory=set)
    """The record's dates in full: a weekday written with a date is checked in its year."""
    offer_pages: str = ""
    """The offer's own knowledge pages: what a length of time or a count of sessions a draft
    gives for the offer may come from ("a series of four to six sessions")."""
    latest: date | None = None
    """The record's latest event day: a weekday or a day of the month written alone ("on
    Monday", "the 21st") names a day near it."""


def brief_dict(brief: Brief) -> dict:
    """The brief as JSON-ready data, stored with the draft so that edits are checked against
    exactly what the drafter was given."""
    data = asdict(brief)
    data["moment"] = brief.moment.value
    for source in [*data["snippets"], *data["offer"]["passages"]]:
        source["on"] = source["on"].isoformat() if source["on"] else None
    return data


def brief_from(data: dict) -> Brief:
    def source(item: dict) -> Source:
        return Source(
            item["id"], item["kind"], date.fromisoformat(item["on"]) if item["on"] else None, item["text"]
        )

    offer = dict(data["offer"])
    offer["passages"] = [source(p) for p in offer["passages"]]
    fields = {
        **data,
        "moment": Moment(data["moment"]),
        "offer": OfferFacts(**offer),
        "snippets": [source(s) for s in data["snippets"]],
    }
    return Brief(**fields)


def money(value: float) -> str:
    return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"


def day_text(day: date) -> str:
    return f"{day:%B} {day.day}"


def history_sources(history: History, measurements: bool = False) -> list[Source]:
    """The free text the history collection stores: notes, comments, goals, and results where
    the practice shares `measurements` (else a drafter never sees a body weight: the brief's
    `change` says the progress, and the grounds keep the values for the guards)."""
    sources: list[Source] = []
    patient = history.patient
    if patient.goals:
        sources.append(Source(f"{patient.id}#goals", "goals", None, "; ".join(patient.goals)))
    for event in history.events:
        sources.extend(_event_sources(event, measurements))
    return sources


def _event_sources(event: Event, measurements: bool) -> list[Source]:
    on = event.at.date()
    found = []
    primary = next((k for k in PRIMARY_TEXT if event.text(k).strip()), None)
    if primary:
        label = "goal" if primary == "to" else primary
        found.append(Source(event.id, f"{event.kind} {label}", on, event.text(primary).strip()))
    goals = event.data.get("goals")
    if isinstance(goals, list) and goals:
        found.append(Source(f"{event.id}#goals", f"{event.kind} goals", on, "; ".join(str(g) for g in goals)))
    if measurements and event.kind == "measurement" and event.number("value") is not None:
        text = f"{event.text('metric')} {event.number('value'):g} {event.text('unit')}".strip()
        found.append(Source(event.id, "measurement", on, text))
    return found


def build_brief(
    ready: ReadyOffer,
    history: History,
    menu: Menu,
    snippets: list[Source],
    passages: list[Source],
    channel: str,
    practice: str,
    lower_is_better: list[str],
    coordinator: str = "",
    booking_url: str = "",
) -> Brief:
    """The brief for one ready offer. `snippets` must be this patient's own retrieved text."""
    signal = ready.signal
    service = ready.service
    offer = OfferFacts(
        service.id,
        service.name,
        service.price,
        service.unit,
        service.kind,
        _plain_why(ready.why),
        passages,
        _summary(service, passages),
        service.sensitive,
    )
    event = next((e for e in history.events if e.id == signal.event_id), None)
    brief = Brief(
        patient_id=history.patient.id,
        first_name=greeting_name(history.patient.first_name),
        moment=ready.moment,
        channel=channel,
        signal=signal.summary,
        signal_source=signal.event_id,
        offer=offer,
        treatments=_treatments(signal.anchors, service.id, menu, event),
        goals=_goals(history, signal.goal),
        snippets=snippets,
        practice=practice,
        coordinator=coordinator,
        booking_url=booking_url,
        sensitive=_sensitive(history, menu, service),
    )
    if event is not None:
        _describe(brief, event, menu)
    measured = event is not None and event.kind == "measurement"
    metric = event.text("metric").lower() if event is not None else ""
    brief.change = _change(history, [metric, *lower_is_better] if measured else lower_is_better, ready.moment)
    if measured and brief.change:
        # the progress as the patient would say it, never the readings behind it
        brief.signal = f"{metric.replace('_', ' ').capitalize()}: {brief.change}"
    return brief


def _sensitive(history: History, menu: Menu, offer: Service) -> list[str]:
    ids = [e.service_id for e in history.events if e.service_id] + list(history.patient.memberships)
    services = [s for i in dict.fromkeys(ids) if (s := menu.get(i))] + [offer]
    return list(dict.fromkeys(short_name(s) for s in services if s.sensitive))


def _plain_why(why: str) -> str:
    """The menu's words for why the offer follows ("protects Botox results..."), when the engine
    chose it as a next step; its other reasons are for coordinators, not patients."""
    if not why.startswith("natural next step after ") or ": " not in why:
        return ""
    return why.split(": ", 1)[1]


def _summary(service: Service, passages: list[Source]) -> str:
    """The first sentence of what the practice says the offer is."""
    text = next((p.text for p in passages if p.id.endswith("#what-it-is")), "") or service.description
    first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    return first if len(first.split()) <= 30 else ""


def _treatments(anchors: tuple[str, ...], offer_id: str, menu: Menu, event: Event | None) -> list[str]:
    ids = list(anchors)
    if event is not None and event.service_id:
        ids.insert(0, event.service_id)
    names = [short_name(s) for i in dict.fromkeys(ids) if i != offer_id and (s := menu.get(i))]
    return names


def _goals(history: History, signal_goal: str | None) -> list[str]:
    goals = [signal_goal] if signal_goal else []
    for event in reversed(history.events):
        listed = event.data.get("goals")
        if isinstance(listed, list):
            goals.extend(str(g) for g in listed)
    goals.extend(history.patient.goals)
    return [g for g in dict.fromkeys(g.strip() for g in goals) if g]


def _describe(brief: Brief, event: Event, menu: Menu) -> None:
    if event.kind == "appointment_booked" and event.ref_at is not None:
        brief.booked = short_name(menu.get(event.service_id)) or menu.name(event.service_id)
        brief.booked_for = day_text(event.ref_at.date())
    elif event.kind == "membership_renewal_due" and event.ref_at is not None:
        brief.due = day_text(event.ref_at.date())
    elif event.kind == "visit_completed":
        brief.visit_on = day_text(event.at.date())


def _change(history: History, lower_is_better: list[str], moment: Moment) -> str:
    """A tracked measure that went the right way, as the patient would say it and read after
    "you are": "down 16.5 lb since February", "down 3% in body fat". Never the measurements
    themselves: "from 273 to 256.5 lb" is a clinical record, not a message."""
    if moment not in (Moment.RESULTS_VISIBLE, Moment.GOAL_CHANGE, Moment.CHECK_IN):
        return ""
    for metric in lower_is_better:
        series = [
            e
            for e in history.events
            if e.kind == "measurement"
            and e.text("metric").lower() == metric
            and e.number("value") is not None
        ]
        if len(series) >= 2:
            first, last = series[0], series[-1]
            lost = round((first.number("value") or 0.0) - (last.number("value") or 0.0), 1)
            if lost > 0:
                since = _since(first.at.date(), last.at.date())
                return f"down {_amount(lost, last.text('unit'), metric)}{since}"
    return ""


def _amount(lost: float, unit: str, metric: str) -> str:
    """ "16.5 lb" for a weight (the unit says what it is), "3% in body fat" for other measures."""
    said = f"{lost:g}%" if unit == "%" else f"{lost:g} {unit}".strip()
    if unit.lower() in WEIGHT_UNITS:
        return said
    return f"{said} in {metric.replace('_', ' ')}"


def _since(first: date, last: date) -> str:
    """ " since February" when the first measure is under a year old and from another month."""
    months = (last.year - first.year) * 12 + last.month - first.month
    return f" since {first:%B}" if 0 < months < 12 else ""


def short_name(service: Service | None) -> str:
    """ "Botox (neurotoxin)" -> "Botox": the name a patient uses."""
    return plain_name(service.name) if service is not None else ""


def plain_name(name: str) -> str:
    """A menu name without its trailing note in brackets."""
    return re.sub(r"\s*\(.*?\)\s*$", "", name).strip() or name


def aliases(service: Service) -> list[str]:
    """The ways a message may name a service: full name, short name, id in words, acronyms."""
    names = {service.name, short_name(service), service.id.replace("_", " ")}
    inner = re.search(r"\((.*?)\)", service.name)
    if inner:
        names.update(p.strip() for p in inner.group(1).split(",") if p.strip().isupper())
    return sorted((n for n in names if len(n) >= 2), key=len, reverse=True)


# Grounds ------------------------------------------------------------------------------------


def build_grounds(
    history: History,
    menu: Menu,
    offer: Service,
    brief: Brief,
    authorised: list[str],
    lower_is_better: list[str],
    links: list[str] | None = None,
    measurements_allowed: bool = False,
    pages: dict[str, list[str]] | None = None,
    offer_pages: list[str] | None = None,
) -> Grounds:
    """`authorised` is the text of the menu and of the knowledge pages the draft may draw on;
    `pages` what the practice says about each service the draft may speak of (the offer's entry
    is the only text that grants terms); `offer_pages` the offered service's own page sections."""
    patient = history.patient
    record, amounts, others = _record(history, menu, brief)
    changes = _derived(history, lower_is_better)
    authorised_text = "\n".join(authorised)
    numbers = numbers_in(record) | changes | numbers_in(authorised_text) | {s.price for s in menu}
    days = {m.date() for e in history.events for m in (e.at, e.ref_at) if m is not None}
    latest = max((e.at.date() for e in history.events), default=None)
    treatments = [
        s for i in dict.fromkeys(e.service_id for e in history.events if e.service_id) if (s := menu.get(i))
    ]
    treatments += [s for i in patient.memberships if (s := menu.get(i)) and s not in treatments]
    return Grounds(
        record=record,
        authorised=authorised_text,
        numbers=numbers,
        dates={(d.month, d.day) for d in days},
        weekdays={d.weekday() for d in days if latest is None or d > latest - WEEK},
        menu=menu,
        offer=offer,
        treatments=treatments,
        amounts=amounts,
        private=_private(patient),
        other_people=others,
        source_ids={s.id for s in brief.sources} | {brief.signal_source},
        links=[link for link in links or [] if link],
        measurements_allowed=measurements_allowed,
        pages=pages or {},
        offer_terms="\n".join((pages or {}).get(offer.id, [])),
        changes=changes,
        measures=_values(history, ("measurement",), "value"),
        scores=_values(history, SCORED, "score"),
        visits=_visits(history),
        all_visits=sum(e.kind == "visit_completed" for e in history.events),
        durations={float(abs((a - b).days)) for a in days for b in days if a > b},
        record_dates=days,
        offer_pages="\n".join(offer_pages or []),
        latest=latest,
    )


def _record(history: History, menu: Menu, brief: Brief) -> tuple[str, set[float], list[str]]:
    """The patient's record as text (goals, event fields, services, the brief's sources), the
    amounts they paid, and the other people it names (a referred friend, a provider)."""
    parts = [*history.patient.goals]
    amounts: set[float] = set()
    others: list[str] = []
    for event in history.events:
        for key, value in event.data.items():
            if key in OTHER_PEOPLE and isinstance(value, str):
                others.extend(_names_in(value))
                if key == "referred_name":
                    continue
            parts.extend(_texts(value))
            if key == "amount" and isinstance(value, int | float):
                amounts.add(float(value))
        if event.service_id:
            parts.append(menu.name(event.service_id))
    parts.extend(s.text for s in brief.sources)
    return "\n".join(parts), amounts, others


def _values(history: History, kinds: tuple[str, ...], key: str) -> set[float]:
    """The numbers these kinds of event record under `key` (measurements' values, scores)."""
    return {v for e in history.events if e.kind in kinds and (v := e.number(key)) is not None}


def _visits(history: History) -> dict[str, int]:
    """Visits per service, with those booked after the record's latest event."""
    latest = max((e.at for e in history.events), default=None)
    per_service: Counter[str] = Counter()
    for event in history.events:
        ahead = event.kind == "appointment_booked" and (event.ref_at or event.at) > (latest or event.at)
        if event.service_id and (event.kind == "visit_completed" or ahead):
            per_service[event.service_id] += 1
    return dict(per_service)


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [f"{value:g}"]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _names_in(text: str) -> list[str]:
    return re.findall(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\b", text)


def numbers_in(text: str) -> set[float]:
    """The numbers a text states, leaving out stored dates and times ("2026-12-03T10:00")."""
    found = set()
    for match in NUMBER.finditer(STORED_DATE.sub(" ", text)):
        try:
            found.add(float(match.group().replace(",", "")))
        except ValueError:
            continue
    return found


def _derived(history: History, lower_is_better: list[str]) -> set[float]:
    """Differences and percentages a draft may fairly compute from a patient's measurements."""
    derived: set[float] = set()
    for metric in lower_is_better:
        values = [
            v
            for e in history.events
            if e.kind == "measurement"
            and e.text("metric").lower() == metric
            and (v := e.number("value")) is not None
        ]
        derived |= changes_between(values)
    return derived


def changes_between(values: list[float]) -> set[float]:
    """The changes between measurements, as amounts and as percentages of the larger, to a
    tenth and whole."""
    found: set[float] = set()
    for high in values:
        for low in values:
            if high > low:
                change, percent = high - low, (high - low) / high * 100
                found.update(
                    {round(change, 1), float(round(change)), round(percent, 1), float(round(percent))}
                )
    return found


def _private(patient: Patient) -> list[str]:
    private = [v for v in (patient.email, patient.phone) if v]
    if patient.birth_date is not None:
        born = patient.birth_date
        private += [
            born.isoformat(),
            f"{born:%B} {born.day}, {born.year}",
            f"{born.month}/{born.day}/{born.year}",
            f"{born.month:02d}/{born.day:02d}/{born.year}",
        ]
    return private
