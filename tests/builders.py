"""Small builders for histories, so each rule's test reads like the patient's story."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count

from assistant.domain.history import History, Menu
from assistant.domain.moments import Moment
from assistant.domain.records import Event, NextStep, OfferMade, Outcome, Patient, Service
from assistant.knowledge import Knowledge
from assistant.settings import bundled

_ids = count(1)
AS_OF = date(2026, 11, 24)


def when(day: str) -> datetime:
    return (
        datetime.fromisoformat(day).replace(hour=15, tzinfo=UTC)
        if len(day) == 10
        else (datetime.fromisoformat(day))
    )


def patient(**fields) -> Patient:
    base = dict(
        id="p1",
        first_name="Ana",
        last_name="Diaz",
        birth_date=date(1985, 5, 5),
        email="ana@example.com",
        phone="+15550000001",
        marketing_consent=True,
    )
    base.update(fields)
    return Patient(**base)


def event(
    kind: str, day: str, service_id: str | None = None, ref: str | None = None, patient_id: str = "p1", **data
) -> Event:
    return Event(
        id=f"e{next(_ids)}",
        patient_id=patient_id,
        kind=kind,
        at=when(day),
        service_id=service_id,
        ref_at=when(ref) if ref else None,
        data=data,
    )


def history(*events: Event, offers=(), outcomes=(), **patient_fields) -> History:
    return History(
        patient(**patient_fields), sorted(events, key=lambda e: e.at), list(offers), list(outcomes)
    )


def offer(
    service_id: str, day: str, moment: Moment = Moment.RESULTS_VISIBLE, patient_id: str = "p1"
) -> OfferMade:
    return OfferMade(f"o{next(_ids)}", patient_id, service_id, moment, "email", when(day))


def outcome(service_id: str, day: str, accepted: bool, patient_id: str = "p1") -> Outcome:
    return Outcome(f"r{next(_ids)}", patient_id, service_id, accepted, when(day))


def default_menu() -> Menu:
    return Knowledge.at(bundled("knowledge")).default_menu


def sentiment():
    return Knowledge.at(bundled("knowledge")).sentiment


def tiny_menu() -> Menu:
    """A made-up menu with other ids and prices: nothing in the engine may name a service."""
    return Menu(
        [
            Service(
                "tox",
                "Relaxer",
                "injectables",
                300,
                "visit",
                next_steps=(
                    NextStep("glow_club", (Moment.RESULTS_VISIBLE, Moment.CHECK_IN), "keeps results"),
                ),
                contraindications=("pregnant",),
                min_age=18,
            ),
            Service("glow_club", "Glow club", "membership", 90, "month", kind="membership", min_age=18),
            Service("facial", "Facial", "skin", 120, "session", pairs_with=("tox",), min_age=12),
            Service(
                "elite",
                "Elite tier",
                "membership",
                60,
                "month",
                kind="membership",
                offered_at=(Moment.REFERRAL,),
            ),
        ]
    )
