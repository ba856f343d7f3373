"""The JSON Lines import contract (shared/contract/practice-data.md): one object a line, checked
field by field so a bad line can be reported with a reason a person understands.

Pure functions: no storage here. Cross-record checks (does the patient exist?) are the importer's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TypeGuard, get_args, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.domain.days import SPAN, utc_within, within
from assistant.domain.moments import MOMENT_IDS, Moment
from assistant.domain.records import Event, NextStep, OfferMade, Outcome, Patient, Service

Channel = Literal["email", "sms"]
CHANNELS = frozenset(get_args(Channel))
CONSENT_CHANNELS = frozenset({"email", "sms", "all"})
SERVICE_KINDS = frozenset({"treatment", "membership", "program", "product"})
OfferStep = Literal["presented", "accepted", "declined"]
"""What happens to an offer, in order; each step is an `offer_<step>` event."""
OFFER_KINDS = frozenset(f"offer_{step}" for step in get_args(OfferStep))
MONEY = frozenset({"amount"})
"""Event fields that are sums of money: zero or more, and at most the import's price ceiling."""
OLDEST = 150
"""The highest `min_age` a service may name."""


class ContractError(ValueError):
    """A line that breaks the contract. `category` groups reasons in the import summary."""

    def __init__(self, category: str, message: str) -> None:
        super().__init__(message)
        self.category = category
        self.message = message


def _missing(field: str, where: str) -> ContractError:
    return ContractError("missing field", f"missing field '{field}' {where}")


def _bad(field: str, expected: str, value: Any) -> ContractError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return ContractError("bad value", f"field '{field}' must be {expected}, got {shown}")


@dataclass(frozen=True, slots=True)
class Limit:
    """How long a string may be, in characters (what PostgreSQL's `VARCHAR(n)` counts), and
    whether it is free text, which may hold line breaks and tabs; no string holds any other
    control character (a NUL is text no PostgreSQL column can store)."""

    chars: int
    free_text: bool = False


ID = Limit(100)
"""A service's or a patient's id, and every field that names one."""
EVENT_ID = Limit(200)
NAME = Limit(200)
LABEL = Limit(100)
"""A segment, a category, a flag, a metric, and the name of any field."""
FREE_TEXT = Limit(10_000, free_text=True)
"""Notes, comments, goals, descriptions, and every field the contract does not name."""

MAX_LENGTHS: dict[str, dict[str, Limit]] = {
    "service": {
        "id": ID,
        "name": NAME,
        "aliases": NAME,
        "category": LABEL,
        "unit": Limit(50),
        "kind": LABEL,
        "contraindications": LABEL,
        "pairs_with": ID,
        "offered_at": LABEL,
        "next_steps.to": ID,
        "next_steps.moments": LABEL,
    },
    "patient": {
        "id": ID,
        "first_name": NAME,
        "last_name": NAME,
        "birth_date": LABEL,
        "email": Limit(320),
        "phone": Limit(50),
        "preferred_channel": LABEL,
        "flags": LABEL,
        "memberships": ID,
        "segment": LABEL,
        "time_zone": LABEL,
    },
    "event": {
        "id": EVENT_ID,
        "patient_id": ID,
        "service_id": ID,
        "kind": LABEL,
        "at": LABEL,
        "scheduled_for": LABEL,
        "due_date": LABEL,
        "moment": LABEL,
        "channel": LABEL,
        "metric": LABEL,
        "unit": Limit(50),
        "provider": NAME,
        "referred_name": NAME,
        "source": NAME,
    },
}
"""The longest value of each field, by type of line (a list's limit is each item's; a field
inside a list of objects is `list.field`); any other string, at any depth, is `FREE_TEXT`.
Each is at most its column's width, so every database stores what the contract accepts."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FREE_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters (Unicode's Cc); free text keeps its tabs and line ends (\\n, \\r\\n)."""


def check_strings(obj: dict, kind: str) -> None:
    """Every string of a line, field names and strings inside lists and objects included, is
    within its limit (`MAX_LENGTHS`) and holds no control character. The reason names the
    field and the limit, never the value. Every line passes here, so the common string (short,
    printable) costs a length and an `isprintable`, both in C."""
    limits = MAX_LENGTHS[kind]
    for name, value in obj.items():
        if len(name) > LABEL.chars or not name.isprintable():
            _check_name(name, "")
        if isinstance(value, str):
            limit = limits.get(name, FREE_TEXT)
            if len(value) > limit.chars or not value.isprintable():
                _check_text(value, name, limit)
        elif isinstance(value, list | dict):
            _check_value(value, name, name, limits)


def _check_value(value: Any, shown: str, key: str, limits: dict[str, Limit]) -> None:
    if isinstance(value, str):
        _check_text(value, shown, limits.get(key, FREE_TEXT))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, f"{shown}[{index}]", key, limits)
    elif isinstance(value, dict):
        for name, item in value.items():
            _check_name(name, shown)
            _check_value(item, f"{shown}.{name}", f"{key}.{name}", limits)


def could_be_stored(value: object, limit: Limit) -> TypeGuard[str]:
    """Whether the value could be a stored id under this limit: a string within it, with no
    control character. What is not cannot name a stored row, nor be looked up safely."""
    return isinstance(value, str) and len(value) <= limit.chars and _CONTROL.search(value) is None


def _check_text(value: str, field: str, limit: Limit) -> None:
    if len(value) > limit.chars:
        raise ContractError(
            "too long", f"field '{_shown(field)}' must be at most {limit.chars} characters, got {len(value)}"
        )
    if value.isprintable():
        return
    found = (_FREE_TEXT_CONTROL if limit.free_text else _CONTROL).search(value)
    if found is not None:
        raise ContractError(
            "control character",
            f"field '{_shown(field)}' must not hold control characters, got U+{ord(found.group()):04X} "
            f"at character {found.start() + 1}",
        )


def _check_name(name: str, within: str) -> None:
    """A field's name is stored with the line too: short, and no control characters."""
    if len(name) <= LABEL.chars and (name.isprintable() or _CONTROL.search(name) is None):
        return
    where = f" in '{_shown(within)}'" if within else ""
    raise ContractError(
        "bad field name",
        f"a field name{where} must be at most {LABEL.chars} characters with no control characters",
    )


def _shown(field: str) -> str:
    return field if len(field) <= 120 else field[:117] + "..."


def parse_time(value: Any, field: str = "at") -> datetime:
    """ISO 8601 time with offset, in UTC; a bare date means midnight UTC; no offset means UTC."""
    if not isinstance(value, str) or not value:
        raise _bad(field, "an ISO 8601 time", value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _bad(field, "an ISO 8601 time", value) from None
    utc = utc_within(parsed)
    if utc is None:
        raise _bad(field, f"a time {SPAN}", value)
    return utc


def parse_date(value: Any, field: str) -> date:
    """An ISO 8601 date, the whole value: `1990-01-01garbage` is no date. A full ISO time is
    read as the date it is written on."""
    if not isinstance(value, str):
        raise _bad(field, "an ISO 8601 date", value)
    try:
        day = date.fromisoformat(value) if len(value) <= 10 else datetime.fromisoformat(value).date()
    except ValueError:
        raise _bad(field, "an ISO 8601 date", value) from None
    if not within(day):
        raise _bad(field, f"a date {SPAN}", value)
    return day


@overload
def _text(obj: dict, field: str, where: str, required: Literal[True]) -> str: ...
@overload
def _text(obj: dict, field: str, where: str, required: bool = False) -> str | None: ...
def _text(obj: dict, field: str, where: str, required: bool = False) -> str | None:
    value = obj.get(field)
    if value is None:
        if required:
            raise _missing(field, where)
        return None
    if not isinstance(value, str):
        raise _bad(field, "a string", value)
    if required and not value.strip():
        raise _missing(field, where)
    return value


@overload
def _number(obj: dict, field: str, where: str, required: Literal[True]) -> float: ...
@overload
def _number(obj: dict, field: str, where: str, required: bool = False) -> float | None: ...
def _number(obj: dict, field: str, where: str, required: bool = False) -> float | None:
    value = obj.get(field)
    if value is None:
        if required:
            raise _missing(field, where)
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(field, "a number", value)
    number = float(value)
    if not math.isfinite(number):
        raise _bad(field, "a finite number", value)
    return number


def _money(obj: dict, field: str, ceiling: float) -> None:
    """A price or an amount paid: zero or more, and at most `ceiling` (the import's setting)."""
    value = _number(obj, field, "")
    if value is not None and not 0 <= value <= ceiling:
        raise _bad(field, "zero or more" if ceiling == math.inf else f"from 0 to {ceiling:g}", obj[field])


def _strings(obj: dict, field: str) -> tuple[str, ...]:
    value = obj.get(field)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(field, "a list of strings", value)
    return tuple(value)


def _moments(obj: dict, field: str) -> tuple[Moment, ...]:
    values = _strings(obj, field)
    unknown = [v for v in values if v not in MOMENT_IDS]
    if unknown:
        raise ContractError("unknown moment", f"field '{field}' names unknown moment '{unknown[0]}'")
    return tuple(Moment(v) for v in values)


def _id(obj: dict, kind: str) -> str:
    value = obj.get("id")
    if value is None:
        raise _missing("id", f"in {kind}")
    if not isinstance(value, str) or not value.strip():
        raise _bad("id", "a non-empty string", value)
    return value


def parse_service(obj: dict, max_price: float = math.inf) -> Service:
    """A service line; its price must be at most `max_price` (the importer's ceiling)."""
    where = "in service"
    sid = _id(obj, "service")
    check_strings(obj, "service")
    price = _number(obj, "price", where, required=True)
    _money(obj, "price", max_price)
    kind = _text(obj, "kind", where) or "treatment"
    if kind not in SERVICE_KINDS:
        raise _bad("kind", "treatment, membership, program or product", kind)
    min_age = obj.get("min_age")
    if min_age is not None and (isinstance(min_age, bool) or not isinstance(min_age, int)):
        raise _bad("min_age", "an integer", min_age)
    if min_age is not None and not 0 <= min_age <= OLDEST:
        raise _bad("min_age", f"an age from 0 to {OLDEST}", min_age)
    sensitive = obj.get("sensitive")
    if sensitive is not None and not isinstance(sensitive, bool):
        raise _bad("sensitive", "true or false", sensitive)
    steps_raw = obj.get("next_steps") or []
    if not isinstance(steps_raw, list):
        raise _bad("next_steps", "a list", steps_raw)
    steps = []
    for step in steps_raw:
        if not isinstance(step, dict):
            raise _bad("next_steps", "a list of objects", step)
        to = _text(step, "to", "in next_steps", required=True)
        steps.append(
            NextStep(to=to, moments=_moments(step, "moments"), why=_text(step, "why", "in next_steps") or "")
        )
    category = _text(obj, "category", where) or ""
    description = _text(obj, "description", where) or ""
    name = _text(obj, "name", where, required=True)
    return Service(
        id=sid,
        name=name,
        category=category,
        price=price,
        unit=_text(obj, "unit", where) or "",
        kind=kind,
        next_steps=tuple(steps),
        pairs_with=_strings(obj, "pairs_with"),
        offered_at=_moments(obj, "offered_at"),
        contraindications=_strings(obj, "contraindications"),
        min_age=min_age,
        description=description,
        sensitive=default_sensitive(name, category, kind, description) if sensitive is None else sensitive,
        aliases=_aliases(obj),
    )


def service_line(service: Service) -> dict:
    """A service as the import contract writes it: what `parse_service` reads back unchanged."""
    line: dict[str, Any] = {
        "type": "service",
        "id": service.id,
        "name": service.name,
        "category": service.category,
        "price": service.price,
        "unit": service.unit,
        "kind": service.kind,
        "next_steps": [
            {"to": s.to, "moments": [m.value for m in s.moments], "why": s.why} for s in service.next_steps
        ],
        "pairs_with": list(service.pairs_with),
        "offered_at": [m.value for m in service.offered_at],
        "contraindications": list(service.contraindications),
        "description": service.description,
        "sensitive": service.sensitive,
        "aliases": list(service.aliases),
    }
    if service.min_age is not None:
        line["min_age"] = service.min_age
    return line


def _aliases(obj: dict) -> tuple[str, ...]:
    """Other names the practice's booking system uses for the service (matched by a
    spreadsheet import); blank ones are refused, repeats kept once."""
    aliases = _strings(obj, "aliases")
    if any(not alias.strip() for alias in aliases):
        raise _bad("aliases", "a list of non-empty names", list(aliases))
    return tuple(dict.fromkeys(" ".join(alias.split()) for alias in aliases))


SENSITIVE_CARE = re.compile(
    r"weight|hormon|\b(?:b?hrt|trt|glp-?1)\b|menopaus|testosterone|estrogen|semaglutide|tirzepatide|"
    r"sexual|fertility",
    re.IGNORECASE,
)
PRESCRIPTION = re.compile(r"\b(?:prescri\w*|medications?|rx)\b", re.IGNORECASE)


def default_sensitive(name: str, category: str, kind: str, description: str) -> bool:
    """A service is sensitive unless the practice says otherwise when it is weight or hormone
    care (by its category or its name), or a program built on a prescription."""
    if SENSITIVE_CARE.search(category) or SENSITIVE_CARE.search(name):
        return True
    return kind == "program" and PRESCRIPTION.search(description) is not None


def parse_patient(obj: dict) -> Patient:
    where = "in patient"
    pid = _id(obj, "patient")
    check_strings(obj, "patient")
    birth = obj.get("birth_date")
    channel = _text(obj, "preferred_channel", where) or "email"
    if channel not in CHANNELS:
        raise _bad("preferred_channel", "email or sms", channel)
    consent = obj.get("marketing_consent", False)
    if not isinstance(consent, bool):
        raise _bad("marketing_consent", "true or false", consent)
    return Patient(
        id=pid,
        first_name=_text(obj, "first_name", where, required=True),
        last_name=_text(obj, "last_name", where) or "",
        birth_date=parse_date(birth, "birth_date") if birth is not None else None,
        email=_text(obj, "email", where),
        phone=_text(obj, "phone", where),
        preferred_channel=channel,
        marketing_consent=consent,
        goals=_strings(obj, "goals"),
        flags=_strings(obj, "flags"),
        memberships=_strings(obj, "memberships"),
        segment=_text(obj, "segment", where),
        time_zone=_zone(obj, where),
    )


def _zone(obj: dict, where: str) -> str | None:
    """The patient's own IANA time zone (`America/Chicago`), for the hours messages may go."""
    zone = (_text(obj, "time_zone", where) or "").strip()
    if not zone:
        return None
    try:
        ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        raise _bad("time_zone", "an IANA time zone like America/Chicago", zone) from None
    return zone


# Per event kind: the fields that must be present, and the checks for fields that may be.
_Check = Callable[[dict, str], None]


def _probability(obj: dict, field: str) -> None:
    value = _number(obj, field, "")
    if value is not None and not 0 <= value <= 1:
        raise _bad(field, "a probability from 0 to 1", obj[field])


def _score(obj: dict, field: str) -> None:
    value = _number(obj, field, "")
    if value is not None and not 0 <= value <= 10:
        raise _bad(field, "a score from 0 to 10", obj[field])


def _string_field(obj: dict, field: str) -> None:
    _text(obj, field, "")


def _number_field(obj: dict, field: str) -> None:
    _number(obj, field, "")


def _list_field(obj: dict, field: str) -> None:
    _strings(obj, field)


def _channel_field(obj: dict, field: str) -> None:
    value = obj.get(field)
    if value is not None and value not in CHANNELS:
        raise _bad(field, "email or sms", value)


def _consent_channel(obj: dict, field: str) -> None:
    if obj.get(field) not in CONSENT_CHANNELS:
        raise _bad(field, "email, sms or all", obj.get(field))


def _recorded_by(obj: dict, field: str) -> None:
    _text(obj, field, "(who or what recorded the consent)", required=True)


def _moment_field(obj: dict, field: str) -> None:
    if obj.get(field) not in MOMENT_IDS:
        raise ContractError("unknown moment", f"field '{field}' names unknown moment {obj.get(field)!r}")


def _time_field(obj: dict, field: str) -> None:
    if field in obj:
        parse_time(obj[field], field)


def _date_field(obj: dict, field: str) -> None:
    if field in obj:
        parse_date(obj[field], field)


EVENT_SPECS: dict[str, tuple[tuple[str, ...], dict[str, _Check]]] = {
    "appointment_booked": (("service_id", "scheduled_for"), {"scheduled_for": _time_field}),
    "appointment_cancelled": (("service_id",), {"reason": _string_field}),
    "consultation": (("service_id",), {"note": _string_field, "goals": _list_field}),
    "visit_completed": (
        ("service_id",),
        {"amount": _number_field, "provider": _string_field, "note": _string_field},
    ),
    "result_observed": (("service_id",), {"note": _string_field}),
    "feedback": ((), {"score": _score, "comment": _string_field}),
    "measurement": (
        ("metric", "value"),
        {"metric": _string_field, "value": _number_field, "unit": _string_field},
    ),
    "milestone": ((), {"note": _string_field}),
    "summary_sent": (("service_id",), {}),
    "check_in": ((), {"score": _score, "comment": _string_field}),
    "membership_started": (("service_id",), {}),
    "membership_renewal_due": (("service_id", "due_date"), {"due_date": _date_field}),
    "referral_made": ((), {"referred_name": _string_field}),
    "goal_changed": (("to",), {"from": _string_field, "to": _string_field}),
    "complaint": ((), {"note": _string_field}),
    "offer_presented": (("service_id", "moment"), {"moment": _moment_field, "channel": _channel_field}),
    "held_out": (
        ("service_id", "moment", "probability"),
        {"moment": _moment_field, "probability": _probability},
    ),
    "offer_accepted": (("service_id",), {}),
    "offer_declined": (("service_id",), {}),
    # Consent facts: the latest one per channel wins (domain/consent.py); none is ever rewritten.
    "opted_out": (
        ("channel",),
        {"channel": _consent_channel, "source": _string_field, "text": _string_field},
    ),
    "opted_in": (
        ("channel", "source"),
        {"channel": _consent_channel, "source": _recorded_by, "text": _string_field},
    ),
}
EVENT_KINDS = frozenset(EVENT_SPECS)
_EVENT_CORE = frozenset({"type", "id", "patient_id", "at", "kind", "service_id"})


def parse_event(obj: dict, max_price: float = math.inf) -> Event:
    """An event of any kind; `data` keeps every field beyond the common ones, verbatim. A sum
    of money in it (`MONEY`) must be at most `max_price`."""
    eid = _id(obj, "event")
    check_strings(obj, "event")
    kind = obj.get("kind")
    if kind is None:
        raise _missing("kind", "in event")
    spec = EVENT_SPECS.get(kind)
    if spec is None:
        raise ContractError("unknown event kind", f"unknown event kind {kind!r}")
    where = f"for event kind '{kind}'"
    patient_id = _text(obj, "patient_id", "in event", required=True)
    at = parse_time(obj.get("at"), "at") if "at" in obj else None
    if at is None:
        raise _missing("at", "in event")
    required, checks = spec
    for name in required:
        if obj.get(name) is None:
            raise _missing(name, where)
    for name, check in checks.items():
        check(obj, name)
    for name in MONEY.intersection(obj):
        _money(obj, name, max_price)
    if kind in ("feedback", "check_in") and obj.get("score") is None and not obj.get("comment"):
        raise _missing("score", f"{where} (a score or a comment is needed)")
    service_id = _text(obj, "service_id", where)
    ref = obj.get("scheduled_for") or obj.get("due_date")
    ref_at = parse_time(ref, "scheduled_for" if "scheduled_for" in obj else "due_date") if ref else None
    data = {k: v for k, v in obj.items() if k not in _EVENT_CORE}
    return Event(
        id=eid, patient_id=patient_id, kind=kind, at=at, service_id=service_id, ref_at=ref_at, data=data
    )


def offer_from(event: Event) -> OfferMade:
    return OfferMade(
        id=event.id,
        patient_id=event.patient_id,
        service_id=event.service_id or "",
        moment=Moment(event.data["moment"]),
        channel=event.data.get("channel"),
        at=event.at,
    )


def outcome_from(event: Event) -> Outcome:
    return Outcome(
        id=event.id,
        patient_id=event.patient_id,
        service_id=event.service_id or "",
        accepted=event.kind == "offer_accepted",
        at=event.at,
    )


def extra_fields(obj: dict, known: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in known}


SERVICE_FIELDS = frozenset(
    {
        "type",
        "id",
        "name",
        "category",
        "price",
        "unit",
        "kind",
        "next_steps",
        "pairs_with",
        "offered_at",
        "contraindications",
        "min_age",
        "description",
        "sensitive",
        "aliases",
    }
)
PATIENT_FIELDS = frozenset(
    {
        "type",
        "id",
        "first_name",
        "last_name",
        "birth_date",
        "email",
        "phone",
        "preferred_channel",
        "marketing_consent",
        "goals",
        "flags",
        "memberships",
        "segment",
        "time_zone",
    }
)
