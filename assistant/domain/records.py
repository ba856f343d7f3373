"""The practice's records as the domain sees them: services, patients, events, offers, outcomes.

Patients and events are read by the hundred thousand in a scan; they are plain slotted
dataclasses (not frozen, whose construction is several times slower) and are never changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from assistant.domain.moments import Moment

MEMBERSHIP_KINDS = frozenset({"membership", "program"})


@dataclass(frozen=True, slots=True)
class NextStep:
    """A natural next service after another one, at the given moments (empty: any moment)."""

    to: str
    moments: tuple[Moment, ...]
    why: str

    def applies_at(self, moment: Moment) -> bool:
        return not self.moments or moment in self.moments


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    name: str
    category: str
    price: float
    unit: str
    kind: str = "treatment"
    next_steps: tuple[NextStep, ...] = ()
    pairs_with: tuple[str, ...] = ()
    offered_at: tuple[Moment, ...] = ()
    contraindications: tuple[str, ...] = ()
    min_age: int | None = None
    description: str = ""
    sensitive: bool = False
    """A line of care a patient may not want seen on a lock screen or in a shared inbox
    (weight, hormones, prescription programs): never named in a subject line or an SMS."""
    aliases: tuple[str, ...] = ()
    """Other names the practice's booking system gives it ("Tox", "Signature facial")."""

    @property
    def is_held(self) -> bool:
        """Memberships and programs are held; treatments and products are bought."""
        return self.kind in MEMBERSHIP_KINDS


@dataclass(slots=True)
class Patient:
    id: str
    first_name: str
    last_name: str = ""
    birth_date: date | None = None
    email: str | None = None
    phone: str | None = None
    preferred_channel: str = "email"
    marketing_consent: bool = False
    goals: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    memberships: tuple[str, ...] = ()
    segment: str | None = None
    time_zone: str | None = None
    """IANA name; None: read from the phone number, else the practice's."""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(slots=True)
class Event:
    """One thing that happened to a patient. `ref_at` is the event's own future date, if any
    (an appointment's `scheduled_for`, a renewal's `due_date`)."""

    id: str
    patient_id: str
    kind: str
    at: datetime
    service_id: str | None = None
    ref_at: datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def text(self, key: str) -> str:
        value = self.data.get(key)
        return value if isinstance(value, str) else ""

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)


@dataclass(slots=True)
class OfferMade:
    """An offer presented to a patient (by this product or by hand)."""

    id: str
    patient_id: str
    service_id: str
    moment: Moment | None
    channel: str | None
    at: datetime
    policy: dict | None = None


@dataclass(slots=True)
class Outcome:
    """The patient's answer to an offer: accepted or declined."""

    id: str
    patient_id: str
    service_id: str
    accepted: bool
    at: datetime
