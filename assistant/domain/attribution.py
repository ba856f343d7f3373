"""Outcomes that come back by themselves: an offer counts as accepted when the patient books,
has or starts the offered service within the attribution window after it was presented, with
what that visit paid. Nobody has to click "accepted" for the learning loop to hear it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from assistant.domain.history import History
from assistant.domain.records import Event, OfferMade

UPTAKES = {"appointment_booked": "booked", "visit_completed": "visited", "membership_started": "started"}
"""The events that take an offer up, and how the outcome says so."""


@dataclass(frozen=True, slots=True)
class Uptake:
    offer: OfferMade
    event: Event

    def record(self) -> dict:
        """The `offer_accepted` line: one per offer (its id is the offer's), dated when the
        patient took it up, naming the event that did and what it paid."""
        line: dict = {
            "type": "event",
            "id": f"{self.offer.id}-taken-up",
            "patient_id": self.offer.patient_id,
            "kind": "offer_accepted",
            "at": self.event.at.isoformat(),
            "service_id": self.offer.service_id,
            "source": f"attributed: {UPTAKES[self.event.kind]} ({self.event.id})",
        }
        amount = self.event.number("amount")
        if amount is not None:
            line["amount"] = amount
        return line


def unanswered(history: History) -> list[OfferMade]:
    """The offers presented to the patient that no outcome about their service has followed,
    oldest first."""
    return [
        offer
        for offer in sorted(history.offers, key=lambda o: (o.at, o.id))
        if not any(o.service_id == offer.service_id and o.at >= offer.at for o in history.outcomes)
    ]


def uptakes(history: History, window_days: int) -> list[Uptake]:
    """Each presented offer still unanswered, with the first event within `window_days` after
    it that books, completes or starts the offered service."""
    window = timedelta(days=window_days)
    found = []
    for offer in unanswered(history):
        event = next(
            (
                e
                for e in history.events
                if e.kind in UPTAKES
                and e.service_id == offer.service_id
                and offer.at < e.at <= offer.at + window
            ),
            None,
        )
        if event is not None:
            found.append(Uptake(offer, event))
    return found
