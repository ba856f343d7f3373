"""Who must not get an offer, and why. Every suppression carries a reason a coordinator can read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from assistant.domain.consent import CONSENT_KINDS, opted_out
from assistant.domain.history import History, Sentiment
from assistant.domain.records import Service
from assistant.domain.rules import Rules


class Reason(StrEnum):
    NO_CONSENT = "no marketing consent"
    OPTED_OUT = "opted out"
    NO_CONTACT = "no contact details"
    COMPLAINT = "recent complaint"
    NEGATIVE = "negative feedback"
    LUKEWARM = "lukewarm feedback"
    NO_SIGNAL = "no recent signal"
    COOLDOWN = "recent offer (cooldown)"
    NO_CANDIDATE = "no candidate"
    CONTRAINDICATION = "contraindication"
    UNDER_AGE = "under minimum age"
    HOLDS = "already holds it"
    DECLINED = "declined recently"
    HELD_OUT = "held out (control group)"


@dataclass(frozen=True, slots=True)
class Block:
    reason: Reason
    detail: str


class Eligibility:
    """The BRIEF's rules, each configurable per practice through `Rules`."""

    def __init__(self, rules: Rules, sentiment: Sentiment) -> None:
        self.rules = rules
        self.sentiment = sentiment

    def channel(self, history: History, as_of: date) -> str | Block:
        """The channel to use: the preferred one unless opted out, else the other one."""
        patient = history.patient
        opted = self._opted_out(history, as_of)
        contacts = {"email": bool(patient.email), "sms": bool(patient.phone)}
        no_contacts = not any(contacts.values())
        other = "sms" if patient.preferred_channel == "email" else "email"
        for channel in (patient.preferred_channel, other):
            if channel not in opted and (
                contacts[channel] or (no_contacts and channel == patient.preferred_channel)
            ):
                return channel
        if opted:
            return Block(Reason.OPTED_OUT, "opted out of " + " and ".join(sorted(opted)))
        return Block(Reason.NO_CONTACT, "no email or phone on file")

    def channel_block(self, history: History, as_of: date | None, channel: str) -> Block | None:
        """Why a message cannot go to this patient by this channel, if it cannot (as of a day,
        or with every consent fact on file when `as_of` is None)."""
        if channel in self._opted_out(history, as_of):
            return Block(Reason.OPTED_OUT, f"opted out of {channel}")
        contact = history.patient.email if channel == "email" else history.patient.phone
        if not contact:
            return Block(
                Reason.NO_CONTACT,
                "no email address on file" if channel == "email" else "no phone number on file",
            )
        return None

    def contact_block(self, history: History, channel: str) -> Block | None:
        """Why no message may go to this patient by this channel now: no marketing consent, an
        opt-out, or no address. Checked at send and again at delivery, with every consent fact
        on file whatever its date (a STOP this evening counts, in any time zone)."""
        if not history.patient.marketing_consent:
            return Block(Reason.NO_CONSENT, "marketing consent is not on file")
        return self.channel_block(history, None, channel)

    @staticmethod
    def _opted_out(history: History, as_of: date | None) -> set[str]:
        return opted_out(history.of_kind(*CONSENT_KINDS), as_of)

    def patient_block(self, history: History, as_of: date) -> Block | None:
        """Rules that stop every offer to this patient, in the order a coordinator checks them."""
        if not history.patient.marketing_consent:
            return Block(Reason.NO_CONSENT, "marketing consent is not on file")
        channel = self.channel(history, as_of)
        if isinstance(channel, Block):
            return channel
        return self._unsettled(history, as_of)

    def _unsettled(self, history: History, as_of: date) -> Block | None:
        """The article's rule: never at a moment of uncertainty."""
        rules = self.rules
        block_since = as_of - timedelta(days=rules.negative_block_days)
        signal_since = as_of - timedelta(days=rules.signal_days)
        latest_feeling: tuple[str, str] | None = None
        for event in history.events:
            day = event.at.date()
            if day < block_since or day > as_of:
                continue
            if event.kind == "complaint":
                return Block(Reason.COMPLAINT, f"complaint on {day.isoformat()}" + _said(event.text("note")))
            if event.kind in ("feedback", "check_in"):
                feeling = self.sentiment.judge(
                    event.number("score"), event.text("comment"), rules.peak_score, rules.negative_score
                )
                if feeling == "negative":
                    return Block(
                        Reason.NEGATIVE,
                        f"{_scored(event)} on {day.isoformat()}" + _said(event.text("comment")),
                    )
                if feeling != "neutral" and day >= signal_since:
                    latest_feeling = (feeling, f"{_scored(event)} on {day.isoformat()}")
            if event.kind == "appointment_cancelled":
                why = event.text("reason")
                if why and self.sentiment.judge(None, why, 11, -1) == "negative":
                    return Block(Reason.NEGATIVE, f"cancelled on {day.isoformat()}" + _said(why))
        if rules.lukewarm_blocks and latest_feeling and latest_feeling[0] == "lukewarm":
            return Block(Reason.LUKEWARM, latest_feeling[1] + " (not a clear yes)")
        return None

    def cooldown(self, history: History, as_of: date) -> Block | None:
        since = as_of - timedelta(days=self.rules.attribution_days)
        held = [e for e in history.events if e.kind == "held_out" and since <= e.at.date() <= as_of]
        if held:
            until = held[-1].at.date() + timedelta(days=self.rules.attribution_days)
            detail = f"drawn for the control group; offers again after {until.isoformat()}"
            return Block(Reason.HELD_OUT, detail)
        since = as_of - timedelta(days=self.rules.cooldown_days)
        recent = [o for o in history.offers if since <= o.at.date() <= as_of]
        if not recent:
            return None
        last = max(recent, key=lambda o: o.at)
        until = last.at.date() + timedelta(days=self.rules.cooldown_days)
        return Block(
            Reason.COOLDOWN,
            f"offered {last.service_id} on {last.at.date().isoformat()}; "
            f"next offer after {until.isoformat()}",
        )

    def offer_block(self, history: History, service: Service, as_of: date) -> Block | None:
        """Rules that stop this one offer to this patient."""
        patient = history.patient
        clash = [f for f in patient.flags if f in service.contraindications]
        if clash:
            return Block(Reason.CONTRAINDICATION, f"{', '.join(clash)} excludes {service.name}")
        age = patient.age_on(as_of)
        if service.min_age is not None and age is not None and age < service.min_age:
            return Block(Reason.UNDER_AGE, f"{service.name} is from age {service.min_age}; patient is {age}")
        if service.is_held and self.holds(history, service.id):
            return Block(Reason.HOLDS, f"already holds {service.name}")
        since = as_of - timedelta(days=self.rules.declined_days)
        for outcome in history.outcomes:
            if (
                outcome.service_id == service.id
                and not outcome.accepted
                and since <= outcome.at.date() <= as_of
            ):
                return Block(Reason.DECLINED, f"declined {service.name} on {outcome.at.date().isoformat()}")
        return None

    @staticmethod
    def holds(history: History, service_id: str) -> bool:
        if service_id in history.patient.memberships:
            return True
        if any(e.kind == "membership_started" and e.service_id == service_id for e in history.events):
            return True
        return any(o.accepted and o.service_id == service_id for o in history.outcomes)


def _scored(event) -> str:
    label = "check-in" if event.kind == "check_in" else "feedback"
    score = event.number("score")
    return f"{label} {score:g}/10" if score is not None else label


def _said(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    return f': "{text[:77]}..."' if len(text) > 80 else f': "{text}"'
