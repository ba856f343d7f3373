"""The outbox: messages handed over by Send, delivered by a worker with retries and backoff.

A message is `queued`, then `sending` while a worker holds it (for a lease), then `delivered`
or, after the last try, `failed`. A worker that stops mid-delivery leaves its message `sending`;
when the lease runs out, the next worker delivers it again under the same message id, which the
senders treat as the same message (at least once, never a second message). Delivery records the
`offer_presented` event that cooldowns and learning read; a message that fails for good
releases the patient's contact slot and puts its draft back to `approved`. So does a message the
channel took but the carrier could not deliver (Twilio's `undelivered` / `failed`): its presented
offer is withdrawn, since the patient never saw it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

import orjson

from assistant.app.drafting import draft_changes
from assistant.app.practice import Practice
from assistant.domain.consent import opt_out_record, opted_out
from assistant.domain.history import History
from assistant.domain.records import Patient
from assistant.domain.review import Status
from assistant.domain.timing import next_opening, patient_zone
from assistant.drafting.content import Draft
from assistant.errors import CrosssellError
from assistant.sending import TWILIO_OPTED_OUT, Message, Receipt, Sender, SendError
from assistant.storage.repository import (
    audit_row,
    epoch,
    from_epoch,
    maybe_from_epoch,
    message_update,
    offer_delete,
    slot_release,
)

log = logging.getLogger("crosssell.outbox")

WORKER = "worker"
"""The actor the audit log names for what the worker does."""

CARRIER_ERRORS = {
    "30003": "the phone is unreachable (off or out of coverage)",
    "30004": "the message was blocked by the recipient or their carrier",
    "30005": "the number is unknown or no longer in service",
    "30006": "the number is a landline or cannot take text messages",
    "30007": "the carrier filtered it as unwanted",
    "30008": "the carrier gave no reason",
    "21211": "the number is not a valid phone number",
    "21610": "the patient opted out of text messages with their carrier (they replied STOP)",
    "21614": "the number is not a mobile number",
}
"""Twilio's delivery error codes, in a coordinator's words."""
CARRIER_OPT_OUT = TWILIO_OPTED_OUT


def carrier_error(status: str, code: str | None) -> str:
    """Why the carrier did not deliver, in words, with Twilio's code for whoever looks it up."""
    said = f"the carrier reported the message {status}"
    if not code:
        return said
    words = CARRIER_ERRORS.get(code)
    return f"{said}: {words} (Twilio error {code})" if words else f"{said} (Twilio error {code})"


@dataclass(frozen=True, slots=True)
class Delivery:
    """A message's state in the outbox, as the API and the screen show it."""

    message_id: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    error: str | None
    carrier: str | None = None
    """What the SMS provider last reported (Twilio: queued, sent, delivered, undelivered...)."""
    said: str = ""
    """Where the message is, in words a coordinator reads ("Sent by email to j***@example.com")."""

    @classmethod
    def of(cls, row: Any) -> Delivery:
        return cls(
            row.id,
            row.state,
            row.attempts,
            from_epoch(row.next_attempt_at) if row.state == "queued" else None,
            maybe_from_epoch(row.delivered_at),
            row.error,
            row.carrier_state,
        )

    def as_dict(self) -> dict:
        return {
            "message_id": self.message_id,
            "state": self.state,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
            "error": self.error,
            "carrier": self.carrier,
            "said": self.said,
        }


class Outbox:
    """Delivers what Send queued, through the practice's senders."""

    def __init__(self, practice: Practice, senders: Callable[[], dict[str, Sender]]) -> None:
        self.practice = practice
        self.repository = practice.repository
        self.clock = practice.clock
        self.settings = practice.settings
        self._senders = senders

    def delivery(self, draft_id: str) -> Delivery | None:
        """The latest message for a draft, if it was ever sent."""
        rows = self.repository.messages(draft_id=draft_id)
        if not rows:
            return None
        row = rows[-1]
        delivery = Delivery.of(row)
        to = str(orjson.loads(row.message).get("to") or "")
        patient = self.repository.patient(row.patient_id)
        zone = (
            patient_zone(patient, self.clock.time_zone, self.settings.country)
            if patient is not None
            else self.clock.time_zone
        )
        return replace(delivery, said=delivery_words(delivery, row.channel, to, self.clock.now(), zone))

    def run_once(self, limit: int = 100) -> int:
        """Delivers every message due now; returns how many were delivered."""
        now = epoch(self.clock.now())
        return sum(self.deliver(message_id) for message_id in self.repository.due_messages(now, limit))

    def deliver(self, message_id: str) -> bool:
        """One try at one message, if it is due and no other worker holds it."""
        now = epoch(self.clock.now())
        if not self.repository.take_message(message_id, now, now + int(self.settings.delivery_lease_seconds)):
            return False
        row = self.repository.message(message_id)
        history = self.repository.history(row.patient_id)
        blocked = self._blocked(row, history)
        if blocked:
            self._failed_try(row, f"not delivered: {blocked}", final=True)
            return False
        assert history is not None  # a patient no longer on file is blocked
        opening = self._opening(history.patient)
        if opening is not None:
            self._wait(row, opening)
            return False
        message = _message(row)
        try:
            receipt = self._senders()[row.channel].send(message)
        except Exception as exc:  # any failure of the channel is a failed try, retried later
            refused = exc if isinstance(exc, SendError) else None
            if refused is not None and refused.opted_out and row.channel == "sms":
                self._carrier_opt_out(row)
            self._failed_try(row, _reason(exc, message.to), final=refused is not None and refused.permanent)
            return False
        self._delivered(row, receipt)
        return True

    def _delivered(self, row: Any, receipt: Receipt) -> None:
        draft = self._draft(row.draft_id)
        detail = {"message_id": row.id, "via": str(receipt)}
        try:
            self.practice.record(
                row.patient_id,
                draft.offer,
                "presented",
                moment=draft.moment,
                channel=row.channel,
                policy=draft.decision,
                event_id=f"{row.id}-presented",
            )
        except CrosssellError as exc:  # the message is out: it must be marked so whatever else
            detail["offer_not_recorded"] = str(exc)
        now = self.clock.now()
        self._move_draft(
            draft,
            Status.SENT,
            "delivered",
            detail,
            message_update(
                row.id,
                {
                    "state": "delivered",
                    "delivered_at": epoch(now),
                    "updated_at": epoch(now),
                    "receipt": str(receipt),
                    "error": None,
                },
            ),
            sent_via=str(receipt),
        )

    def undelivered(self, row: Any, status: str, error_code: str | None, audit: Sequence[dict] = ()) -> None:
        """The carrier could not deliver a message the channel took (Twilio's `undelivered` or
        `failed`): the message is `failed` with the reason in words, its `offer_presented` is
        withdrawn (the patient never saw it, so learning and the cooldown must not count it),
        the patient's contact slot is released, and the draft goes back to `approved` for the
        coordinator to act on, as after a failed delivery in the outbox. A 21610 is the
        carrier's word that the patient opted out: it is recorded in the consent ledger first.

        The approval stands for a resend: the provider approved this exact text, and a carrier
        failure says nothing about the text. A resend is still checked again at send time (this
        version's approval, the guards, consent, cooldown and cap), so a patient who opted out
        with their carrier gets nothing; any edit needs a new approval. A second report of the
        same failure changes nothing. A draft whose outcome is on record keeps it and its offer
        (the coordinator's word stands); one the patient has another open draft beside stays
        `sent`, its offer withdrawn, since two open drafts for one patient are not allowed."""
        error = carrier_error(status, error_code)
        if error_code == CARRIER_OPT_OUT:
            self._carrier_opt_out(row)
        if row.state == "failed":
            self.repository.update_message(row.id, {"carrier_state": status}, audit)
            return
        now = self.clock.now()
        offer_id = f"{row.id}-presented"
        failed = message_update(
            row.id,
            {"state": "failed", "carrier_state": status, "error": error, "updated_at": epoch(now)},
        )
        also = [failed, offer_delete(offer_id), slot_release(row.patient_id, row.id)]
        withdrawn = self._audit_row(
            row.draft_id, row.patient_id, "offer_withdrawn", {"offer_id": offer_id, "reason": error}
        )
        draft = self._draft(row.draft_id)
        detail = {"message_id": row.id, "error": error, "by": "carrier"}
        if draft.status != Status.SENT.value:
            # An outcome is on record (the coordinator's word): it and its offer stand.
            kept = {**detail, "draft_kept": draft.status}
            entry = self._audit_row(row.draft_id, row.patient_id, "delivery_failed", kept)
            self.repository.change_message([failed], [*audit, entry])
            return
        latest = draft.sent_via == row.receipt  # not a message the draft was since sent again by
        # The draft being sent is not open: any open draft is another, which must stay the one.
        other_open = bool(self.repository.open_drafts([row.patient_id]))
        if latest and not other_open:
            draft.sent_via = None
            audit = [*audit, withdrawn]
            self._move_draft(draft, Status.APPROVED, "delivery_failed", detail, *also, audit=audit)
            return
        kept = {**detail, "draft_kept": draft.status}
        rows = [*audit, withdrawn, self._audit_row(row.draft_id, row.patient_id, "delivery_failed", kept)]
        self.repository.change_message(also, rows)

    def _carrier_opt_out(self, row: Any) -> None:
        """The carrier's STOP, in the consent ledger as the carrier told us, unless the
        patient's SMS is closed already."""
        history = self.repository.history(row.patient_id)
        if history is None or "sms" in opted_out(history.events):
            return
        source = f"the carrier: Twilio error {CARRIER_OPT_OUT} on message {row.id}"
        record = opt_out_record(row.patient_id, "sms", self.clock.now(), "carrier-stop", source)
        report = self.practice.import_records([record], WORKER)
        if report.rejected:
            raise CrosssellError(report.rejected[0].message)
        detail = {"message_id": row.id, "channel": "sms", "error_code": CARRIER_OPT_OUT}
        entry = self._audit_row(row.draft_id, row.patient_id, "carrier_opt_out", detail)
        self.repository.append_audit([entry])

    def _blocked(self, row: Any, history: History | None) -> str | None:
        """Consent, opt-outs and the practice's cap, as of the moment of delivery: a patient
        who opted out while the message waited gets nothing."""
        if history is None:
            return "the patient is no longer on file"
        found = self.practice.eligibility().contact_block(history, row.channel)
        return found.detail if found else self.practice.over_cap(row.patient_id)

    def _opening(self, patient: Patient) -> datetime | None:
        """When the patient's sending hours open next, if they are closed now."""
        rules = self.practice.rules()
        zone = patient_zone(patient, self.clock.time_zone, self.settings.country)
        return next_opening(self.clock.now(), zone, rules.send_from_hour, rules.send_until_hour)

    def _wait(self, row: Any, opening: datetime) -> None:
        """Back in the queue until the patient's morning; no try is counted."""
        now = epoch(self.clock.now())
        detail = {"message_id": row.id, "until": opening.isoformat()}
        self.repository.update_message(
            row.id,
            {"state": "queued", "next_attempt_at": epoch(opening), "lease_until": None, "updated_at": now},
            [self._audit_row(row.draft_id, row.patient_id, "held_for_sending_hours", detail)],
        )

    def _failed_try(self, row: Any, error: str, final: bool = False) -> None:
        attempts = row.attempts + 1
        now = epoch(self.clock.now())
        if attempts < self.settings.delivery_attempts and not final:
            wait = self.settings.delivery_backoff_seconds * 2 ** (attempts - 1)
            self.repository.update_message(
                row.id,
                {
                    "state": "queued",
                    "attempts": attempts,
                    "next_attempt_at": now + int(wait),
                    "lease_until": None,
                    "updated_at": now,
                    "error": error,
                },
                [
                    self._audit_row(
                        row.draft_id,
                        row.patient_id,
                        "delivery_retry",
                        {"message_id": row.id, "attempt": attempts, "error": error},
                    )
                ],
            )
            return
        self._move_draft(
            self._draft(row.draft_id),
            Status.APPROVED,
            "delivery_failed",
            {"message_id": row.id, "attempts": attempts, "error": error},
            message_update(
                row.id,
                {
                    "state": "failed",
                    "attempts": attempts,
                    "lease_until": None,
                    "updated_at": now,
                    "error": error,
                },
            ),
            slot_release(row.patient_id, row.id),
        )

    def _move_draft(
        self,
        draft: Draft,
        status: Status,
        action: str,
        detail: dict,
        *also: Any,
        sent_via: str | None = None,
        audit: Sequence[dict] = (),
    ) -> None:
        before, expected = draft.status, draft.version
        draft.status, draft.version = status.value, expected + 1
        if status is Status.APPROVED:
            # The text is what the provider approved: the approval stands for the next send.
            draft.approved_version = draft.version
        if sent_via is not None:
            draft.sent_via = sent_via
        row = draft_changes(draft, self.clock.now())
        detail = {"from": before, "to": draft.status, "version": draft.version, **detail}
        rows = [*audit, self._audit_row(draft.id, draft.patient_id, action, detail)]
        if not self.repository.change_draft(draft.id, expected, row, rows, also):
            raise CrosssellError(f"draft {draft.id} changed while its message was in the outbox")

    def _draft(self, draft_id: str) -> Draft:
        raw = self.repository.draft(draft_id)
        if raw is None:
            raise CrosssellError(f"the outbox holds a message for unknown draft {draft_id!r}")
        return Draft.model_validate_json(raw)

    def _audit_row(self, draft_id: str, patient_id: str, action: str, detail: dict) -> dict:
        return audit_row(self.clock.now(), WORKER, action, detail, draft_id, patient_id)


CHANNEL_WORDS = {"email": "email", "sms": "SMS"}


def masked(address: str) -> str:
    """An address shown without giving it away: "j***@example.com", "+1***0003"."""
    address = address.strip()
    if "@" in address:
        name, _, domain = address.rpartition("@")
        return f"{name[:1]}***@{domain}"
    return f"{address[:2]}***{address[-4:]}" if len(address) > 6 else "***"


def delivery_words(delivery: Delivery, channel: str, to: str, now: datetime, zone: tzinfo) -> str:
    """Where a message is, in words: never the outbox's file or a receipt, which say nothing
    to a coordinator. Times are the patient's, since sending hours are theirs."""
    by, who = CHANNEL_WORDS.get(channel, channel), masked(to)
    if delivery.state == "delivered":
        return f"Sent by {by} to {who}"
    if delivery.state == "failed":
        return f"Not sent by {by} to {who}: {delivery.error or 'the channel refused it'}"
    if delivery.state == "sending":
        return f"Being sent by {by} to {who}"
    due = delivery.next_attempt_at
    if due is None or due <= now:
        return f"Queued by {by} to {who}; it goes out shortly"
    local = due.astimezone(zone)
    when = f"{local.hour}:{local.minute:02d}"
    if local.date() != now.astimezone(zone).date():
        when += f" on {local.strftime('%a')} {local.day} {local.strftime('%b')}"
    if delivery.attempts:
        return f"Queued by {by} to {who}; a try failed, the next is at {when} the patient's time"
    return f"Queued by {by} to {who}; it goes out at {when} the patient's time"


def _message(row: Any) -> Message:
    body = orjson.loads(row.message)
    return Message(
        row.id,
        row.draft_id,
        row.patient_id,
        row.channel,
        body["to"],
        body["subject"],
        body["body"],
        from_epoch(row.created_at),
    )


def _reason(exc: Exception, recipient: str) -> str:
    """Why a try failed, for the API and the audit log: never the patient's address or number,
    which a channel's error may echo."""
    text = str(exc)
    said = text if isinstance(exc, CrosssellError) else ": ".join(filter(None, (type(exc).__name__, text)))
    return re.sub(re.escape(recipient), "<recipient>", said, flags=re.IGNORECASE) if recipient else said


class Worker:
    """Runs the outbox in a background thread (`crosssell serve`) until stopped."""

    def __init__(self, outbox: Outbox, poll_seconds: float) -> None:
        self.outbox = outbox
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="crosssell-outbox", daemon=True)

    def start(self) -> Worker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.outbox.run_once()
            except Exception as exc:  # a bad round must not end the worker; the next one retries
                log.warning("outbox round failed: %s", type(exc).__name__)
            self._stop.wait(self.poll_seconds)
