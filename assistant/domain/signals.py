"""Moment detection: which of the eight moments a patient is at on a given day, and why.

Each recent event in the history is read for the signal it carries (a booking, a consult, a
visible result, a positive check-in...). The signal names the services whose next steps apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from assistant.domain.history import History, Menu, Sentiment
from assistant.domain.moments import Moment
from assistant.domain.records import Event
from assistant.domain.rules import Rules

QUOTE_LIMIT = 90


@dataclass(frozen=True, slots=True)
class Signal:
    """A patient at a moment: the event that shows it and the services it builds on."""

    moment: Moment
    on: date
    event_id: str
    summary: str
    anchors: tuple[str, ...] = ()
    peak: bool = False
    goal: str | None = None
    booked: str | None = None
    plan: str | None = None


def quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > QUOTE_LIMIT:
        text = text[: QUOTE_LIMIT - 3].rstrip() + "..."
    return f'"{text}"'


class MomentDetector:
    """Finds the signals in one history as of one day, under the practice's rules."""

    def __init__(self, menu: Menu, rules: Rules, sentiment: Sentiment) -> None:
        self.menu = menu
        self.rules = rules
        self.sentiment = sentiment

    def detect(self, history: History, as_of: date) -> list[Signal]:
        since = as_of - timedelta(days=self.rules.signal_days)
        signals: list[Signal] = []
        for event in history.events:
            day = event.at.date()
            signal: Signal | list[Signal] | None
            if event.kind == "membership_renewal_due":
                signal = self._renewal(event, as_of)
            elif since <= day <= as_of:
                signal = self._read(event, history, as_of)
            else:
                signal = None
            if signal is not None:
                signals.extend(signal if isinstance(signal, list) else [signal])
        return signals

    def anchors(self, history: History, before: date, *, all_time: bool = False) -> tuple[str, ...]:
        """Services a next step can build on: recent treatments, newest first, then memberships."""
        oldest = date.min if all_time else before - timedelta(days=self.rules.anchor_days)
        seen: dict[str, None] = {}
        for event in reversed(history.events):
            if (
                event.service_id
                and event.kind in ("visit_completed", "membership_started")
                and oldest <= event.at.date() <= before
            ):
                seen.setdefault(event.service_id, None)
        for held in history.patient.memberships:
            seen.setdefault(held, None)
        return tuple(seen)

    def _read(self, event: Event, history: History, as_of: date) -> Signal | list[Signal] | None:
        reader = _READERS.get(event.kind)
        return reader(self, event, history, as_of) if reader else None

    def _booking(self, event: Event, history: History, as_of: date) -> list[Signal] | None:
        booked = event.service_id
        if event.ref_at is None or event.ref_at.date() < as_of or booked is None:
            return None
        for later in history.events:
            if (
                later.at > event.at
                and later.service_id == booked
                and later.kind in ("appointment_cancelled", "visit_completed")
            ):
                return None
        when = event.ref_at.date().isoformat()
        name = self.menu.name(booked)
        signals = [
            Signal(
                Moment.BOOKING,
                event.at.date(),
                event.id,
                f"Booked {name} for {when}",
                anchors=(booked,),
                booked=booked,
            )
        ]
        had_before = any(
            e.kind == "visit_completed" and e.service_id == booked and e.at < event.at for e in history.events
        )
        if had_before:
            signals.append(
                Signal(
                    Moment.REBOOKING_RENEWAL,
                    event.at.date(),
                    event.id,
                    f"Rebooked {name} for {when} (a repeat treatment)",
                    anchors=(booked,),
                )
            )
        return signals

    def _consultation(self, event: Event, history: History, as_of: date) -> Signal:
        service = self.menu.get(event.service_id)
        plan = service.id if service is not None and service.is_held else None
        note = event.text("note")
        summary = f"Consultation for {self.menu.name(event.service_id)}" + (
            f": {quote(note)}" if note else ""
        )
        return Signal(
            Moment.INTAKE,
            event.at.date(),
            event.id,
            summary,
            anchors=(event.service_id,) if event.service_id else (),
            plan=plan,
        )

    def _visit(self, event: Event, history: History, as_of: date) -> list[Signal]:
        name = self.menu.name(event.service_id)
        anchors = (event.service_id,) if event.service_id else ()
        note = event.text("note")
        summary = f"{name} completed on {event.at.date().isoformat()}" + (f": {quote(note)}" if note else "")
        signals = [Signal(Moment.POST_TREATMENT_SUMMARY, event.at.date(), event.id, summary, anchors=anchors)]
        first_visit = not any(e.kind == "visit_completed" and e.at < event.at for e in history.events)
        if first_visit:
            signals.append(
                Signal(Moment.INTAKE, event.at.date(), event.id, f"First visit: {summary}", anchors=anchors)
            )
        return signals

    def _summary(self, event: Event, history: History, as_of: date) -> Signal:
        return Signal(
            Moment.POST_TREATMENT_SUMMARY,
            event.at.date(),
            event.id,
            f"Post-treatment summary for {self.menu.name(event.service_id)} sent",
            anchors=(event.service_id,) if event.service_id else (),
        )

    def _result(self, event: Event, history: History, as_of: date) -> Signal:
        note = event.text("note")
        summary = f"Provider noted visible results of {self.menu.name(event.service_id)}" + (
            f": {quote(note)}" if note else ""
        )
        anchors = ((event.service_id,) if event.service_id else ()) + self.anchors(history, event.at.date())
        return Signal(
            Moment.RESULTS_VISIBLE,
            event.at.date(),
            event.id,
            summary,
            anchors=tuple(dict.fromkeys(anchors)),
            peak=True,
        )

    def _milestone(self, event: Event, history: History, as_of: date) -> Signal | None:
        if not self._treated_before(event, history):
            return None
        note = event.text("note")
        return Signal(
            Moment.RESULTS_VISIBLE,
            event.at.date(),
            event.id,
            "Milestone reached" + (f": {quote(note)}" if note else ""),
            anchors=self.anchors(history, event.at.date()),
            peak=True,
        )

    def _measurement(self, event: Event, history: History, as_of: date) -> Signal | None:
        metric = event.text("metric")
        value = event.number("value")
        if metric.lower() not in self.rules.lower_is_better or value is None:
            return None
        earlier = [
            v
            for e in history.events
            if e.kind == "measurement"
            and e.at < event.at
            and e.text("metric") == metric
            and (v := e.number("value")) is not None
        ]
        if not earlier or earlier[0] <= 0:
            return None
        baseline, best_before = earlier[0], min(earlier)
        step = self.rules.milestone_step_pct
        lost_now = (baseline - value) / baseline * 100
        lost_before = (baseline - best_before) / baseline * 100
        if lost_now < step or int(lost_now // step) <= int(lost_before // step):
            return None
        unit = event.text("unit")
        summary = (
            f"{metric.capitalize()} {baseline:g} -> {value:g}{' ' + unit if unit else ''} "
            f"({lost_now:.1f}% down from baseline)"
        )
        return Signal(
            Moment.RESULTS_VISIBLE,
            event.at.date(),
            event.id,
            summary,
            anchors=self.anchors(history, event.at.date()),
            peak=True,
        )

    def _feedback(self, event: Event, history: History, as_of: date) -> Signal | None:
        if self._judge(event) != "peak" or not self._treated_before(event, history):
            return None
        return Signal(
            Moment.RESULTS_VISIBLE,
            event.at.date(),
            event.id,
            _scored("Feedback", event),
            anchors=self.anchors(history, event.at.date()),
            peak=True,
        )

    def _check_in(self, event: Event, history: History, as_of: date) -> Signal | None:
        if self._judge(event) != "peak":
            return None
        return Signal(
            Moment.CHECK_IN,
            event.at.date(),
            event.id,
            _scored("Check-in", event),
            anchors=self.anchors(history, event.at.date()),
            peak=True,
        )

    def _referral(self, event: Event, history: History, as_of: date) -> Signal:
        who = event.text("referred_name")
        return Signal(
            Moment.REFERRAL,
            event.at.date(),
            event.id,
            "Referred " + (who if who else "a friend"),
            anchors=self.anchors(history, event.at.date()),
            peak=True,
        )

    def _goal(self, event: Event, history: History, as_of: date) -> Signal:
        new, old = event.text("to"), event.text("from")
        summary = f"Goal changed to {quote(new)}" + (f" (was {quote(old)})" if old else "")
        return Signal(
            Moment.GOAL_CHANGE,
            event.at.date(),
            event.id,
            summary,
            anchors=self.anchors(history, event.at.date(), all_time=True),
            goal=new,
        )

    def _renewal(self, event: Event, as_of: date) -> Signal | None:
        if event.ref_at is None or event.at.date() > as_of:
            return None
        due = event.ref_at.date()
        if not as_of <= due <= as_of + timedelta(days=self.rules.renewal_due_days):
            return None
        return Signal(
            Moment.REBOOKING_RENEWAL,
            event.at.date(),
            event.id,
            f"{self.menu.name(event.service_id)} renewal due {due.isoformat()}",
            anchors=(event.service_id,) if event.service_id else (),
        )

    def _judge(self, event: Event) -> str:
        return self.sentiment.judge(
            event.number("score"), event.text("comment"), self.rules.peak_score, self.rules.negative_score
        )

    @staticmethod
    def _treated_before(event: Event, history: History) -> bool:
        """No results before the patient has experienced any treatment."""
        return any(e.kind == "visit_completed" and e.at <= event.at for e in history.events)


def _scored(label: str, event: Event) -> str:
    score = event.number("score")
    comment = event.text("comment")
    parts = [f"{label} on {event.at.date().isoformat()}"]
    if score is not None:
        parts.append(f"{score:g}/10")
    text = " ".join(parts)
    return f"{text}: {quote(comment)}" if comment else text


_READERS = {
    "appointment_booked": MomentDetector._booking,
    "consultation": MomentDetector._consultation,
    "visit_completed": MomentDetector._visit,
    "summary_sent": MomentDetector._summary,
    "result_observed": MomentDetector._result,
    "milestone": MomentDetector._milestone,
    "measurement": MomentDetector._measurement,
    "feedback": MomentDetector._feedback,
    "check_in": MomentDetector._check_in,
    "referral_made": MomentDetector._referral,
    "goal_changed": MomentDetector._goal,
}
