"""A patient's record in the practice's words: one sentence an event ("Weighed 280 lb on 12 Sep",
"Booked Botox for 8 Dec"), and a draft's sources named by what they are ("Visit on 12 Sep"), so a
reviewer reads the history rather than its fields.

The services are named as the menu names them, days as the practice says them (day and short
month, the year only when it is not this year, in the practice's own time zone), and the
patient's and providers' own words are quoted whole, as data, never reworded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from assistant.domain.history import Menu
from assistant.domain.moments import Moment
from assistant.domain.records import Event

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""Short months as the practice writes them, whatever the server's locale."""
FREE_TEXT = ("note", "comment", "reason", "text")
"""Fields that hold someone's own words: quoted as written, never reworded."""
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Wording:
    """What a sentence needs from the practice: its menu (names, not ids), its time zone and
    today's day (a day in another year says the year)."""

    menu: Menu
    time_zone: tzinfo
    today: date

    def day(self, moment: datetime | date) -> str:
        """12 Sep; 12 Sep 2025 when it is not this year. A time is read in the practice's zone."""
        if isinstance(moment, datetime):
            moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(self.time_zone)
            moment = moment.date()
        words = f"{moment.day} {MONTHS[moment.month - 1]}"
        return words if moment.year == self.today.year else f"{words} {moment.year}"

    def service(self, service_id: str | None, fallback: str = "a treatment") -> str:
        if not service_id:
            return fallback
        found = self.menu.get(service_id)
        return _plain(found.name) if found else service_id.replace("_", " ")

    def event(self, event: Event) -> str:
        """The event as one sentence; a kind this module does not know still reads as words."""
        return _KINDS.get(event.kind, _other)(event, self)

    def source(self, kind: str, on: date | str | None, title: str = "") -> str:
        """What a draft cites, by what it is: "Visit on 12 Sep", "Intake form on 3 Oct",
        "Knowledge: Botox, aftercare". `kind` is the source's kind as a draft stores it
        (`visit_completed note`, `goals`, `knowledge`); `title` names a knowledge article."""
        if isinstance(on, str):
            on = _parse_day(on)
        when = self.day(on) if on else ""
        if kind in ("knowledge", "menu"):
            return f"Knowledge: {title}" if title else "Knowledge from the practice"
        if kind == "goals":
            return "The patient's goals"
        event_kind, _, part = kind.partition(" ")
        label = SOURCE_LABELS.get(event_kind) or _humanised(event_kind) or "The record"
        if part == "goals":
            label = f"Goals from the {label[0].lower()}{label[1:]}"
        elif part == "goal":
            label = "The patient's new goal"
        return f"{label} on {when}" if when else label


SOURCE_LABELS = {
    "visit_completed": "Visit",
    "consultation": "Intake form",
    "result_observed": "Results seen",
    "feedback": "Feedback",
    "check_in": "Check-in",
    "measurement": "Measurement",
    "milestone": "Milestone",
    "complaint": "Complaint",
    "goal_changed": "Goal changed",
    "appointment_cancelled": "Cancellation",
    "history": "History",
}
"""The record's entries a draft cites, by what the practice calls them."""


def article_title(source_id: str, menu: Menu, section: str = "") -> str:
    """A knowledge passage's title from its id (`knowledge:botox#aftercare`, `menu:botox`):
    the service as the menu names it, and the section of its page."""
    prefix, _, rest = source_id.partition(":")
    service_id, _, slug = rest.partition("#")
    name = _plain(menu.name(service_id)) if service_id else ""
    if prefix == "menu":
        return f"{name}, menu description" if name else "the menu"
    part = section or slug.replace("-", " ")
    part = part[:1].lower() + part[1:] if part else ""
    if name and part:
        return f"{name}, {part}"
    return name or part


# One sentence a kind -------------------------------------------------------------------------------


def _booked(e: Event, w: Wording) -> str:
    when = e.ref_at or _parse_time(e.data.get("scheduled_for"))
    made = f"Booked {w.service(e.service_id, 'an appointment')}"
    made += f" for {w.day(when)}" if when else ""
    return f"{made} (booked on {w.day(e.at)})"


def _cancelled(e: Event, w: Wording) -> str:
    return _with_words(f"Cancelled {w.service(e.service_id, 'an appointment')} on {w.day(e.at)}", e)


def _consultation(e: Event, w: Wording) -> str:
    said = f"Consultation for {w.service(e.service_id)} on {w.day(e.at)}"
    goals = _goals(e.data.get("goals"))
    return _with_words(said + (f". Goals: {goals}" if goals else ""), e)


def _visit(e: Event, w: Wording) -> str:
    service = w.menu.get(e.service_id)
    amount = e.number("amount")
    if service is not None and service.kind == "product":
        paid = f" for {_money(amount)}" if amount else ""
        said = f"Bought {_plain(service.name)}{paid} on {w.day(e.at)}"
    else:
        said = f"Visit: {w.service(e.service_id)} on {w.day(e.at)}"
        if amount is not None:
            said += f", {_money(amount)}" if amount else ", no charge"
    provider = e.text("provider").strip()
    return _with_words(said + (f", with {provider}" if provider else ""), e)


def _result(e: Event, w: Wording) -> str:
    return _with_words(f"Results seen after {w.service(e.service_id)} on {w.day(e.at)}", e)


def _scored(title: str) -> Callable[[Event, Wording], str]:
    def word(e: Event, w: Wording) -> str:
        score = e.number("score")
        said = f"{title} on {w.day(e.at)}" + (f", {score:g} out of 10" if score is not None else "")
        return _with_words(said, e)

    return word


def _measurement(e: Event, w: Wording) -> str:
    metric = e.text("metric").strip()
    value = e.number("value")
    amount = f"{value:g} {e.text('unit')}".strip() if value is not None else ""
    if metric.lower() == "weight" and amount:
        return f"Weighed {amount} on {w.day(e.at)}"
    what = _humanised(metric) or "A measurement"
    return f"{what}: {amount} on {w.day(e.at)}" if amount else f"{what} measured on {w.day(e.at)}"


def _milestone(e: Event, w: Wording) -> str:
    return _with_words(f"Reached a milestone on {w.day(e.at)}", e)


def _summary(e: Event, w: Wording) -> str:
    return f"Sent the summary of {w.service(e.service_id)} on {w.day(e.at)}"


def _membership(e: Event, w: Wording) -> str:
    return f"Started {w.service(e.service_id, 'a membership')} on {w.day(e.at)}"


def _renewal(e: Event, w: Wording) -> str:
    # A due date is a day, not a time: read in a zone west of UTC its midnight is the day before.
    raw = e.data.get("due_date")
    due: date | datetime | None = _parse_day(raw) if isinstance(raw, str) else None
    due = due or e.ref_at
    said = f"{w.service(e.service_id, 'A membership')} due for renewal"
    return f"{said} on {w.day(due)} (noted {w.day(e.at)})" if due else f"{said} (noted {w.day(e.at)})"


def _referral(e: Event, w: Wording) -> str:
    # Who was referred is someone else's name: not repeated beside the patient's record.
    return f"Referred someone to the practice on {w.day(e.at)}"


def _goal(e: Event, w: Wording) -> str:
    said = f"Changed goals on {w.day(e.at)}"
    before, after = e.text("from").strip(), e.text("to").strip()
    if after:
        said += f'. Now: "{after}"'
    if before:
        said += f' (was: "{before}")'
    return said


def _complaint(e: Event, w: Wording) -> str:
    return _with_words(f"Complained on {w.day(e.at)}", e)


def _presented(e: Event, w: Wording) -> str:
    said = f"Offered {w.service(e.service_id, 'a service')}"
    channel = e.text("channel")
    said += f" by {_channel(channel)}" if channel else ""
    return said + f" on {w.day(e.at)}" + _moment(e.text("moment"))


def _held_out(e: Event, w: Wording) -> str:
    return (
        f"Held back from an offer of {w.service(e.service_id, 'a service')} on {w.day(e.at)}"
        f" (the practice's comparison group){_moment(e.text('moment'))}"
    )


def _answered(verb: str) -> Callable[[Event, Wording], str]:
    def word(e: Event, w: Wording) -> str:
        return f"{verb} the offer of {w.service(e.service_id, 'a service')} on {w.day(e.at)}"

    return word


def _consent(verb: str) -> Callable[[Event, Wording], str]:
    def word(e: Event, w: Wording) -> str:
        channel = e.text("channel")
        what = "all messages" if channel in ("all", "") else f"{_channel(channel)} messages"
        return _with_words(f"{verb} {what} on {w.day(e.at)}", e)

    return word


def _other(e: Event, w: Wording) -> str:
    """A kind without its own sentence: its name in words, the service, the day, their words."""
    said = _humanised(e.kind) or "Something happened"
    if e.service_id:
        said += f": {w.service(e.service_id)}"
    return _with_words(f"{said} on {w.day(e.at)}", e)


_KINDS: dict[str, Callable[[Event, Wording], str]] = {
    "appointment_booked": _booked,
    "appointment_cancelled": _cancelled,
    "consultation": _consultation,
    "visit_completed": _visit,
    "result_observed": _result,
    "feedback": _scored("Feedback"),
    "measurement": _measurement,
    "milestone": _milestone,
    "summary_sent": _summary,
    "check_in": _scored("Check-in"),
    "membership_started": _membership,
    "membership_renewal_due": _renewal,
    "referral_made": _referral,
    "goal_changed": _goal,
    "complaint": _complaint,
    "offer_presented": _presented,
    "held_out": _held_out,
    "offer_accepted": _answered("Accepted"),
    "offer_declined": _answered("Declined"),
    "opted_out": _consent("Opted out of"),
    "opted_in": _consent("Opted in to"),
}
WORDED_KINDS = frozenset(_KINDS)


# Pieces ----------------------------------------------------------------------------------------


def _with_words(said: str, e: Event) -> str:
    """The sentence, then the person's own words quoted as written: "Said: …" for what the
    patient wrote (a comment), "Note: …" for what the practice wrote."""
    for key in FREE_TEXT:
        text = e.text(key).strip()
        if text:
            label = "Said" if key == "comment" else "Reason" if key == "reason" else "Note"
            return f'{said}. {label}: "{text}"'
    return said


def _plain(name: str) -> str:
    """A menu name without its note in brackets: "Botox (neurotoxin)" reads "Botox"."""
    return re.sub(r"\s*\(.*?\)\s*$", "", name).strip() or name


def _goals(goals: object) -> str:
    if not isinstance(goals, list):
        return ""
    return "; ".join(f'"{g}"' for g in goals if isinstance(g, str) and g.strip())


def _money(amount: float) -> str:
    return f"${amount:,.0f}" if float(amount).is_integer() else f"${amount:,.2f}"


def _channel(channel: str) -> str:
    return {"sms": "SMS", "email": "email"}.get(channel, _humanised(channel).lower())


def _moment(moment: str) -> str:
    try:
        return f", {Moment(moment).at}" if moment else ""
    except ValueError:
        return f", at {_humanised(moment).lower()}"


def _humanised(name: str) -> str:
    """`membership_renewal_due` as "Membership renewal due"."""
    words = " ".join(re.sub(r"[_\-.]+", " ", name).split())
    return words[:1].upper() + words[1:]


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
