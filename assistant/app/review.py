"""The review desk: the one service the CLI, the API and the review screen share.

Every rule of the lifecycle is enforced here (roles, transitions, versions, consent at send
time), and every view, edit, approval, rejection, send and outcome is written to the audit log
in the same transaction as the change it records.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

from assistant.app import needs as waiting_rules
from assistant.app.accounts import ANONYMOUS, Accounts, Expiry, LoginLimits, Token, User
from assistant.app.audit import AuditCheck, draft_text, drafted, opened, scanned, verify
from assistant.app.drafting import Drafting, WeekDrafts, draft_changes, open_drafting
from assistant.app.importer import ImportReport
from assistant.app.learning import Learning
from assistant.app.outbox import Outbox, masked
from assistant.app.practice import Practice, ScanResult, day_bounds, ready_dict
from assistant.app.spreadsheets import SheetImport, audited, mapping_of, upload_name, uploaded
from assistant.domain.attribution import unanswered
from assistant.domain.consent import CONSENT_KINDS, opt_out_record, opted_out
from assistant.domain.engine import ReadyOffer, Suppression
from assistant.domain.history import Menu
from assistant.domain.holdout import week_of
from assistant.domain.review import (
    DISMISS_NOTE_LIMIT,
    DISMISS_REASONS,
    FROM,
    Action,
    Status,
    approval_refusal,
    authorise,
    transition,
)
from assistant.domain.wording import Wording, article_title
from assistant.drafting.content import Draft, GuardResult, ReviewNote
from assistant.drafting.guards import blocks_submission
from assistant.errors import (
    Conflict,
    Forbidden,
    InputError,
    LoginRefused,
    NotEligible,
    NotFound,
    TooLarge,
    TooManyAttempts,
)
from assistant.exports.people import normal_phone
from assistant.sending import (
    TEST_PREFIX,
    Composed,
    Letterhead,
    Message,
    Sender,
    SmsLength,
    UnsubscribeLinks,
    compose,
    segments,
)
from assistant.storage.repository import (
    audit_row,
    epoch,
    outbox_row,
    outcome_delete,
    outcome_insert,
)

OPT_OUT_TYPES = ("STOP", "START", "HELP")
"""Twilio's Advanced Opt-Out reading of an inbound SMS (its `OptOutType` field)."""
_E164 = re.compile(r"\+[1-9]\d{6,14}")
"""A phone stored as E.164 already: it matches a number only exactly."""

CARRIER_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "read": 5,
}
"""Twilio's message states in the order they happen: callbacks may arrive out of order."""


@dataclass(frozen=True, slots=True)
class Unsubscribed:
    already: bool
    """The patient's email was closed before this click."""


@dataclass(frozen=True, slots=True)
class Preview:
    """A draft as its patient would receive it if it were sent now, and to whom (masked)."""

    to: str
    message: Composed
    length: SmsLength | None
    """An SMS's length in segments (None for an email)."""


@dataclass(frozen=True, slots=True)
class TestSent:
    """A test a coordinator sent themselves: where it went (masked) and through what."""

    channel: str
    to: str
    via: str


EMAIL_ADDRESS = re.compile(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    draft_id: str | None
    patient_id: str | None
    detail: dict

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "draft_id": self.draft_id,
            "patient_id": self.patient_id,
            "detail": self.detail,
        }


def listing(draft: Draft) -> dict:
    """A draft in a list: enough to choose it, none of its text (opening it is audited)."""
    first_name = (draft.brief or {}).get("first_name", "")
    return {
        "id": draft.id,
        "patient_id": draft.patient_id,
        "first_name": first_name,
        "as_of": draft.as_of,
        "moment": draft.moment,
        "offer": draft.offer,
        "offer_name": draft.offer_name,
        "price": draft.price,
        "channel": draft.channel,
        "status": draft.status,
        "version": draft.version,
        "drafter": draft.drafter,
        "failed_guards": [g.name for g in draft.guards if not g.passed],
        "created_at": draft.created_at,
        **_review_notes(draft),
    }


def _review_notes(draft: Draft) -> dict:
    """The last submission note and rejection on the draft, with who wrote them and when (a
    submission without a note leaves none: `Review.needs` reads the audit log for it)."""
    fields: dict = dict.fromkeys(
        ("submitted_by", "submitted_at", "submit_note", "rejected_by", "rejected_at", "rejection_comment")
    )
    for note in draft.notes:
        if note.action == Action.SUBMIT:
            fields.update(submitted_by=note.actor, submitted_at=note.at, submit_note=note.comment)
        elif note.action == Action.REJECT:
            fields.update(rejected_by=note.actor, rejected_at=note.at, rejection_comment=note.comment)
    return fields


class Review:
    """Drafts under review for one practice. `drafting` writes new text; `senders` deliver."""

    def __init__(
        self, practice: Practice, drafting: Drafting, senders: dict[str, Sender] | None = None
    ) -> None:
        self.practice = practice
        self.clock = practice.clock
        self.repository = practice.repository
        self.drafting = drafting
        self._senders = senders
        settings = practice.settings
        self.accounts = Accounts(
            self.repository, self.clock, settings.session_hours, LoginLimits.of(settings)
        )
        self.outbox = Outbox(practice, lambda: self.senders)

    @property
    def senders(self) -> dict[str, Sender]:
        if self._senders is None:
            from assistant.sending import senders

            self._senders = senders(self.practice.settings)
        return self._senders

    # Logging in and out ------------------------------------------------------------------

    def login(self, user_id: str, password: str, address: str | None = None) -> tuple[User, str]:
        """A session token for a user's password. `address` is the client's, where known: too
        many failures from it, or on the account, lock logins out for a while. Every login,
        and every failure with its reason, is audited."""
        try:
            user, token = self.accounts.login(user_id, password, address)
        except (LoginRefused, TooManyAttempts) as refused:
            self._login_failed(user_id, refused, address)
            raise
        self._audit(user, "login", None, {"address": address})
        return user, token

    def change_password(
        self, actor: User, current: str, new: str, session: str | None, address: str | None = None
    ) -> None:
        """The logged-in user's own change; their other sessions end (`session`, the one asking,
        stays). A wrong current password counts against the account like a failed login."""
        try:
            self.accounts.change_password(actor.id, current, new, address, keep=session)
        except (LoginRefused, TooManyAttempts) as refused:
            self._login_failed(actor.id, refused, address)
            if isinstance(refused, LoginRefused):
                raise Forbidden("the current password is wrong") from None
            raise
        self._audit(actor, "password_changed", None, {"user": actor.id, "address": address})

    def _login_failed(
        self, user_id: str, refused: LoginRefused | TooManyAttempts, address: str | None
    ) -> None:
        reason = refused.reason if isinstance(refused, LoginRefused) else "locked"
        tried = user_id.strip().lower()[:100]
        self._audit(ANONYMOUS, "login_failed", None, {"user": tried, "reason": reason, "address": address})

    def logout(self, token: str) -> None:
        """Ends the session that `token` opened (it stops working at once)."""
        user = self.accounts.authenticate(token)
        self.accounts.logout(token)
        self._audit(user, "logout", None, {})

    # The queue and the drafts ------------------------------------------------------------

    def queue(self, actor: User, as_of: date, limit: int | None = None) -> dict:
        """Who is ready this week, each with their latest draft for that day, if any, and
        whether they are one of the week's top `capacity` (`this_week`) or also ready."""
        authorise(actor.role, Action.VIEW)
        scan = self.practice.scan_undismissed(as_of, limit)
        self._audit(actor, "read_queue", None, scanned(scan))
        latest = self._latest_drafts(as_of)
        ready = []
        for offer in scan.ready:
            item = ready_dict(offer)
            item["this_week"] = offer.patient.id in scan.this_week
            draft = latest.get(offer.patient.id)
            item["draft"] = listing(draft) if draft else None
            ready.append(item)
        capacity = self.practice.rules().weekly_capacity
        total = scan.total_ready
        return {
            "as_of": as_of.isoformat(),
            "total_ready": total,
            "capacity": capacity,
            "offered_this_week": scan.offered_this_week,
            "ready": ready,
        }

    def scan(self, actor: User, as_of: date, limit: int | None = None) -> ScanResult:
        authorise(actor.role, Action.VIEW)
        scan = self.practice.scan(as_of, limit)
        self._audit(actor, "scan", None, scanned(scan))
        return scan

    def _latest_drafts(self, as_of: date) -> dict[str, Draft]:
        """Each patient's open draft, else their latest draft of that day."""
        latest = {p: Draft.model_validate_json(raw) for p, raw in self.repository.open_drafts().items()}
        for raw in self.repository.drafts(as_of=as_of.isoformat()):
            draft = Draft.model_validate_json(raw)
            latest.setdefault(draft.patient_id, draft)
        return latest

    def drafts(
        self,
        actor: User,
        *,
        as_of: date | None = None,
        statuses: Sequence[str] | None = None,
        moment: str | None = None,
        patient_id: str | None = None,
        limit: int | None = 500,
    ) -> list[dict]:
        authorise(actor.role, Action.VIEW)
        for status in statuses or ():
            if status not in {s.value for s in Status}:
                raise InputError(
                    f"unknown status {status!r}; use one of: {', '.join(s.value for s in Status)}"
                )
        day = as_of.isoformat() if as_of else None
        raws = self.repository.drafts(
            as_of=day, patient_id=patient_id, statuses=statuses, moment=moment, limit=limit
        )
        rows = [listing(Draft.model_validate_json(r)) for r in raws]
        asked = {"as_of": day, "statuses": statuses, "moment": moment, "patient_id": patient_id}
        detail = {
            "filters": {k: v for k, v in asked.items() if v},
            "patients": sorted({r["patient_id"] for r in rows}),
        }
        self._audit(actor, "read_drafts", None, detail, patient_id)
        return rows

    def needs(self, actor: User) -> dict:
        """What waits for this person, by what they do next (`assistant.app.needs`), oldest
        first in each group: each draft as listed, with the patient's full name, `since` (when
        it came into its status) and who submitted, rejected or approved it, when, and their
        comment. The reading is audited like a list of drafts."""
        authorise(actor.role, Action.VIEW)
        found = waiting_rules.waiting(self._open_drafts(), actor.role)
        names = self._names({d.patient_id for group in found.values() for d in group})
        groups: list[dict] = []
        for group in waiting_rules.groups_for(actor.role):
            items = [
                {
                    **listing(d),
                    "patient_name": names.get(d.patient_id) or d.patient_id,
                    "blocking_guards": waiting_rules.blocking(d),
                    **waiting_rules.trail_fields(d, self.repository.audit(draft_id=d.id)),
                }
                for d in found[group.key]
            ]
            groups.append(
                {
                    "key": group.key,
                    "title": group.title,
                    "hint": group.hint,
                    "count": len(items),
                    "items": waiting_rules.oldest_first(items),
                }
            )
        total = sum(g["count"] for g in groups)
        detail = {
            "groups": {g["key"]: g["count"] for g in groups},
            "patients": sorted({i["patient_id"] for g in groups for i in g["items"]}),
        }
        self._audit(actor, "read_needs", None, detail)
        return {
            "role": actor.role.value,
            "total": total,
            "groups": groups,
            "note": None if groups else waiting_rules.NOTHING_TO_ACT_ON,
        }

    def needs_count(self, actor: User) -> int:
        """How many drafts wait for this person: a number that names no patient (the sidebar
        shows it on every screen), so it is not audited; `needs` lists them, audited."""
        authorise(actor.role, Action.VIEW)
        return sum(len(g) for g in waiting_rules.waiting(self._open_drafts(), actor.role).values())

    def _open_drafts(self) -> list[Draft]:
        return [Draft.model_validate_json(raw) for raw in self.repository.open_drafts().values()]

    def _names(self, patient_ids: set[str]) -> dict[str, str]:
        """Patients' full names, for a list a person reads (a caller shows the id for one
        missing)."""
        found = (self.repository.patient(p) for p in sorted(patient_ids))
        return {p.id: p.name for p in found if p is not None}

    def get(self, actor: User, draft_id: str) -> Draft:
        """Opens a draft; the view is audited."""
        authorise(actor.role, Action.VIEW)
        draft = self._load(draft_id)
        self._audit(actor, Action.VIEW, draft, opened(draft))
        return draft

    def history(self, actor: User, draft_id: str) -> list[dict]:
        """The patient's record as of the draft's day, for the reviewer beside the draft. The
        reading is audited under the patient: the draft's own trail is what was done to it."""
        authorise(actor.role, Action.VIEW)
        draft = self._load(draft_id)
        record = self.repository.history(draft.patient_id, day_bounds(date.fromisoformat(draft.as_of))[1])
        if record is None:
            raise NotFound(f"unknown patient {draft.patient_id!r}")
        menu = self.practice.menu()
        words = self.wording(menu)
        events = [
            {
                "id": e.id,
                "date": e.at.date().isoformat(),
                "kind": e.kind,
                "service": menu.name(e.service_id) if e.service_id else None,
                "text": _event_text(e.data),
                "sentence": words.event(e),
            }
            for e in record.events
            if not e.kind.startswith("offer_")
        ]
        detail = {"draft": draft.id, "as_of": draft.as_of, "events": len(events)}
        self._audit(actor, "read_history", None, detail, draft.patient_id)
        return events

    def wording(self, menu: Menu | None = None) -> Wording:
        """How the record is said to a reviewer: the menu's names, the practice's days."""
        return Wording(menu or self.practice.menu(), self.clock.time_zone, self.clock.today())

    def source_titles(self, draft: Draft) -> dict[str, str]:
        """The titles of the knowledge a draft cites (its service and the page's section), by
        source id: a reviewer reads "Botox, aftercare", not an id."""
        menu = self.practice.menu()
        pages = self.practice.knowledge.service_pages.values()
        sections = {p.id: p.section for page in pages for p in page}
        return {
            s.id: article_title(s.id, menu, sections.get(s.id, ""))
            for s in draft.sources
            if s.kind in ("knowledge", "menu")
        }

    # Creating ------------------------------------------------------------------------------

    def create(self, actor: User, patient_id: str, as_of: date, channel: str | None = None) -> Draft:
        """A new draft for the patient, or their open draft: one offer at a time."""
        return self.create_or_open(actor, patient_id, as_of, channel)[0]

    def create_or_open(
        self, actor: User, patient_id: str, as_of: date, channel: str | None = None
    ) -> tuple[Draft, bool]:
        """`create`, and whether the draft is a new one (False: the patient's open draft)."""
        authorise(actor.role, Action.CREATE)
        draft, new = self.drafting.draft_or_open(patient_id, as_of, channel)
        if not new:
            return draft, False
        self._audit(actor, Action.CREATE, draft, drafted(draft))
        return draft, True

    def draft_week(
        self,
        actor: User,
        as_of: date,
        limit: int | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> WeekDrafts:
        authorise(actor.role, Action.CREATE)
        week = self.drafting.draft_week(as_of, None, limit, on_progress)
        created = [self._audit_row(actor, Action.CREATE, d, drafted(d)) for d in week.drafts]
        shown = [self._audit_row(actor, Action.VIEW, d, opened(d)) for d in week.already_open]
        self.repository.append_audit(created + shown)
        return week

    def regenerate(self, actor: User, draft_id: str, version: int | None = None) -> Draft:
        def apply(draft: Draft) -> dict:
            return _rewritten(draft, self.drafting.redraft(draft))

        return self._change(actor, draft_id, Action.REGENERATE, version, apply)

    # Another offer, and a patient set aside for the week ----------------------------------------

    def alternatives(self, actor: User, draft_id: str) -> list[dict]:
        """Every offer the draft's patient is eligible for at this moment, best expected value
        first, each with its evidence; `current` marks the draft's own. None when the patient
        is no longer eligible for any. The reading is audited."""
        authorise(actor.role, Action.VIEW)
        draft = self._load(draft_id)
        _, found = self.practice.alternatives(draft.patient_id, date.fromisoformat(draft.as_of))
        offers = [] if isinstance(found, Suppression) else found
        self._audit(actor, "read_alternatives", draft, {"offers": [o.service.id for o in offers]})
        return [alternative_dict(o, draft.offer) for o in offers]

    def change_offer(self, actor: User, draft_id: str, service_id: str, version: int | None = None) -> Draft:
        """Switches an open draft to another offer the patient is eligible for now, written
        afresh and checked by the guards; the audit entry keeps the offer and text before and
        after. An offer the patient is not eligible for is refused, naming those they are."""

        def apply(draft: Draft) -> dict:
            if service_id == draft.offer:
                raise InputError(f"the draft already offers {draft.offer_name}")
            history, found = self.practice.alternatives(draft.patient_id, date.fromisoformat(draft.as_of))
            if isinstance(found, Suppression):
                why = f"{found.reason.value} ({found.detail})"
                raise NotEligible(f"{draft.patient_id} gets no offer now: {why}")
            chosen = next((o for o in found if o.service.id == service_id), None)
            if chosen is None:
                others = ", ".join(
                    f"{o.service.id} ({o.service.name})" for o in found if o.service.id != draft.offer
                )
                raise InputError(
                    f"{service_id!r} is not an offer {draft.patient_id} is eligible for now; "
                    + (f"choose one of: {others}" if others else "there is no other eligible offer")
                )
            before = {"offer": draft.offer, "price": draft.price}
            detail = _rewritten(draft, self.drafting.redraft(draft, (history, chosen)))
            detail["before"].update(before)
            detail["after"].update({"offer": draft.offer, "price": draft.price})
            return detail

        return self._change(actor, draft_id, Action.CHANGE_OFFER, version, apply)

    def dismiss(
        self, actor: User, patient_id: str, reason: str, note: str = "", as_of: date | None = None
    ) -> dict:
        """Sets a patient aside for the week of `as_of` (default today), with a reason from
        DISMISS_REASONS and a note (required for "other"): they leave the week's queue and
        their unsent draft is closed (`superseded`). It is the coordinator's call, not the
        patient's answer, so nothing reaches the learning. Audited under the patient."""
        authorise(actor.role, Action.DISMISS)
        day = as_of or self.clock.today()
        reason, note = _dismissal(reason, note)
        if self.repository.patient(patient_id) is None:
            raise NotFound(f"unknown patient {patient_id!r}")
        week = week_of(day)
        if week < week_of(self.clock.today()):
            raise Conflict(f"the week {week} is over: a patient is dismissed for this week or a later one")
        if patient_id in self.practice.dismissed(day):
            raise Conflict(f"{patient_id} is already dismissed for the week {week}")
        open_draft = self.drafting.open_drafts([patient_id]).get(patient_id)
        closable = open_draft is not None and Status(open_draft.status) in FROM[Action.DISMISS]
        dismissal = {
            "patient_id": patient_id,
            "week": week,
            "as_of": day.isoformat(),
            "reason": reason,
            "note": note,
            "by": actor.id,
            "at": self.clock.stamp(),
            "closed_draft": open_draft.id if open_draft and closable else None,
        }
        audit = self._audit_row(actor, "dismissed", None, dismissal, patient_id)
        self.repository.change_dismissals(week, patient_id, dismissal, [audit])
        if open_draft is not None and closable:
            closed = {"reason": reason, "note": note}
            self._change(actor, open_draft.id, Action.DISMISS, open_draft.version, lambda d: closed)
        return dismissal

    def undo_dismissal(self, actor: User, patient_id: str, as_of: date | None = None) -> dict:
        """Takes back a dismissal in the week it was made for (a past week's stays as it was):
        the patient is back in the queue, to be drafted again. Audited with what was undone."""
        authorise(actor.role, Action.DISMISS)
        day = as_of or self.clock.today()
        week = week_of(day)
        if week < week_of(self.clock.today()):
            raise Conflict(f"the week {week} is over: its dismissals stay as they were")
        dismissal = self.practice.dismissed(day).get(patient_id)
        if dismissal is None:
            raise NotFound(f"{patient_id} is not dismissed for the week {week}")
        detail = {"week": week, "before": dismissal}
        audit = self._audit_row(actor, "dismissal_undone", None, detail, patient_id)
        if not self.repository.change_dismissals(week, patient_id, None, [audit]):
            raise NotFound(f"{patient_id} is not dismissed for the week {week}")
        return dismissal

    def dismissals(self, actor: User, as_of: date) -> list[dict]:
        """The patients dismissed for the week of `as_of`, oldest first (audited)."""
        authorise(actor.role, Action.VIEW)
        found = sorted(self.practice.dismissed(as_of).values(), key=lambda d: d["at"])
        detail = {"week": week_of(as_of), "patients": [d["patient_id"] for d in found]}
        self._audit(actor, "read_dismissals", None, detail)
        names = self._names({d["patient_id"] for d in found})
        return [{**d, "name": names.get(d["patient_id"]) or d["patient_id"]} for d in found]

    # Editing and approval --------------------------------------------------------------------

    def check(self, actor: User, draft_id: str, subject: str, body: str) -> list[GuardResult]:
        """The guards on text a person is typing, before it is saved."""
        authorise(actor.role, Action.EDIT)
        return self.drafting.recheck(self._load(draft_id), subject, body)

    def edit(self, actor: User, draft_id: str, version: int, subject: str | None, body: str | None) -> Draft:
        """Saves a person's text; the guards run again on it. A stale version is refused."""
        if version is None:
            raise InputError("an edit must name the version it was made on")

        def apply(draft: Draft) -> dict:
            new_subject = draft.subject if subject is None else subject.strip()
            new_body = draft.body if body is None else body.strip()
            if (new_subject, new_body) == (draft.subject, draft.body):
                raise InputError("the edit changes nothing")
            before = draft_text(draft)
            draft.guards = self.drafting.recheck(draft, new_subject, new_body)
            draft.subject, draft.body = new_subject, new_body
            draft.edited_by = actor.id
            draft.approved_by = draft.approved_version = None
            return {
                "before": before,
                "after": draft_text(draft),
                "failed_guards": [g.name for g in draft.guards if not g.passed],
            }

        return self._change(actor, draft_id, Action.EDIT, version, apply)

    def submit(self, actor: User, draft_id: str, version: int | None = None, comment: str = "") -> Draft:
        def apply(draft: Draft) -> dict:
            self._require_clean(draft, "submit")
            return self._note(draft, actor, Action.SUBMIT, comment)

        return self._change(actor, draft_id, Action.SUBMIT, version, apply)

    def approve(self, actor: User, draft_id: str, version: int | None, comment: str = "") -> Draft:
        """A provider approves the exact version they were shown, and never their own text."""
        if version is None:
            raise InputError("an approval must name the version it was shown")

        def apply(draft: Draft) -> dict:
            refusal = approval_refusal(actor.id, draft.edited_by)
            if refusal:
                raise Forbidden(refusal)
            self._require_clean(draft, "approve")
            draft.approved_by = actor.id
            draft.approved_version = draft.version + 1
            return self._note(draft, actor, Action.APPROVE, comment)

        return self._change(actor, draft_id, Action.APPROVE, version, apply)

    def reject(self, actor: User, draft_id: str, comment: str, version: int | None) -> Draft:
        if version is None:
            raise InputError("a rejection must name the version it was shown")
        if not comment or not comment.strip():
            raise InputError("a rejection needs a comment saying what to change")
        return self._change(
            actor, draft_id, Action.REJECT, version, lambda d: self._note(d, actor, Action.REJECT, comment)
        )

    def _require_clean(self, draft: Draft, step: str) -> None:
        """The blocking guards, run again on the text as it is now (whoever wrote it)."""
        draft.guards = self.drafting.recheck(draft, draft.subject, draft.body)
        blocking = [g for g in draft.guards if not g.passed and blocks_submission(g)]
        if blocking:
            raise Conflict(
                f"cannot {step}: "
                + "; ".join(f"{g.name} failed ({g.detail})" for g in blocking)
                + ". Edit the text first"
            )

    # Sending and outcomes ---------------------------------------------------------------------

    def send(self, actor: User, draft_id: str, version: int | None = None) -> Draft:
        """Hands an approved draft to the outbox, after checking again, as of now: the approval
        (this exact version, by a provider who did not write it), the blocking guards, consent,
        opt-outs and the cooldown. The draft's new version, the patient's contact slot and the
        message are written in one transaction, so no two offers reach a patient inside the
        cooldown, however many people press Send at once. The first delivery is tried at once
        (unless only the worker delivers); `delivery` on the draft says where it is."""
        authorise(actor.role, Action.SEND)
        draft = self._load(draft_id)
        transition(Status(draft.status), Action.SEND)
        self._check_version(draft, version)
        self._check_approval(draft)
        self._require_clean(draft, "send")
        to = self._reachable(actor, draft)
        message_id = self._enqueue(actor, draft, to)
        if self.practice.settings.deliver_on_send:
            self.outbox.deliver(message_id)
        return self._load(draft_id)

    @staticmethod
    def _check_approval(draft: Draft) -> None:
        if draft.approved_by is None or draft.approved_version != draft.version:
            raise Conflict(
                f"draft {draft.id} was changed after it was approved; a provider must approve it again"
            )
        refusal = approval_refusal(draft.approved_by, draft.edited_by)
        if refusal:
            raise Conflict(
                f"draft {draft.id} was approved by the person who wrote it; another provider must approve it"
            )

    def _enqueue(self, actor: User, draft: Draft, to: str) -> str:
        now = self.clock.now()
        before, read_version = draft.status, draft.version
        draft.status, draft.version, draft.sent_at = Status.QUEUED.value, read_version + 1, self.clock.stamp()
        message_id = f"msg-{uuid.uuid4().hex[:16]}"
        message = outbox_row(
            message_id,
            draft_id=draft.id,
            draft_version=draft.version,
            patient_id=draft.patient_id,
            channel=draft.channel,
            content={"to": to, "subject": draft.subject, "body": draft.body},
            at=now,
        )
        row = draft_changes(draft, now)
        detail = {"from": before, "to": draft.status, "version": draft.version, "message_id": message_id}
        cutoff = epoch(now) - self.practice.rules().cooldown_days * 86_400
        audit = [self._audit_row(actor, Action.SEND, draft, {**detail, "to_channel": draft.channel})]
        queued = self.repository.enqueue(draft.id, read_version, row, message, cutoff, audit)
        if queued == "stale":
            self._check_version(self._load(draft.id), read_version)
            raise Conflict(f"draft {draft.id} changed while you were sending it; reload it")
        if queued == "held":
            reason = "another offer to this patient is on its way or went out inside the cooldown"
            self._audit(actor, "send_refused", draft, {"reason": reason})
            raise Conflict(f"not sent to {draft.patient_id}: {reason}")
        return message_id

    def _save(self, actor: User, draft: Draft, expected: int, action: Action | str, detail: dict) -> bool:
        """Stores `draft` over version `expected`, with its audit entry, in one transaction."""
        row = draft_changes(draft, self.clock.now())
        return self.repository.change_draft(
            draft.id, expected, row, [self._audit_row(actor, action, draft, detail)]
        )

    def _reachable(self, actor: User, draft: Draft) -> str:
        """The address to send to, after consent, opt-outs and the cooldown, read from the
        whole record as it is now (events are dated in UTC, so the cooldown counts UTC days)."""
        history = self.repository.history(draft.patient_id)
        if history is None:
            raise NotFound(f"unknown patient {draft.patient_id!r}")
        eligibility = self.practice.eligibility()
        found = eligibility.contact_block(history, draft.channel) or eligibility.cooldown(
            history, self.clock.now().date()
        )
        blocked = found.detail if found else self.practice.over_cap(draft.patient_id)
        if blocked:
            self._audit(actor, "send_refused", draft, {"reason": blocked})
            raise Conflict(f"not sent to {draft.patient_id}: {blocked}")
        patient = history.patient
        to = patient.email if draft.channel == "email" else patient.phone
        if not to:
            raise Conflict(f"not sent to {draft.patient_id}: no {draft.channel} address on file")
        return to

    def outcome(self, actor: User, draft_id: str, accepted: bool, version: int | None = None) -> Draft:
        """The patient's answer; recorded as `offer_accepted` or `offer_declined` for learning,
        under an id of the draft's own, so a correction finds it."""
        authorise(actor.role, Action.OUTCOME)
        draft = self._change(
            actor, draft_id, Action.OUTCOME, version, lambda d: {"accepted": accepted}, accepted=accepted
        )
        self.practice.record(
            draft.patient_id,
            draft.offer,
            "accepted" if accepted else "declined",
            channel=draft.channel,
            event_id=outcome_id(draft.id),
        )
        return draft

    def correct_outcome(
        self, actor: User, draft_id: str, accepted: bool | None, version: int | None = None
    ) -> Draft:
        """Changes the patient's recorded answer (`accepted` True or False) or undoes it (None:
        the draft is `sent` again, its answer unknown). The earlier `offer_*` outcome is
        replaced, not outvoted, so learning and attribution read only the corrected one; the
        draft, the outcome and the audit entry (before and after) change in one transaction."""
        authorise(actor.role, Action.OUTCOME)
        draft = self._load(draft_id)
        if draft.status not in (Status.ACCEPTED, Status.DECLINED):
            raise Conflict(
                f"cannot correct the outcome of a draft that is {draft.status.replace('_', ' ')}"
                " (only an accepted or declined one has an outcome to correct)"
            )
        self._check_version(draft, version)
        before, read_version = draft.status, draft.version
        after = {True: Status.ACCEPTED, False: Status.DECLINED, None: Status.SENT}[accepted]
        if after.value == before:
            raise InputError(f"the outcome is already {before}")
        history = self.repository.history(draft.patient_id)
        earlier = self._recorded_outcome(draft, history.outcomes if history else [])
        statements: list[Any] = [outcome_delete(o.id) for o in earlier]
        if accepted is not None:
            statements.append(
                # Dated as the answer it corrects: it answers the same offer.
                outcome_insert(
                    outcome_id(draft.id),
                    draft.patient_id,
                    draft.offer,
                    accepted,
                    earlier[0].at if earlier else self.clock.now(),
                    draft.channel,
                )
            )
        draft.status, draft.version = after.value, read_version + 1
        detail = {
            "from": before,
            "to": draft.status,
            "version": draft.version,
            "before": {"outcome": before},
            "after": {"outcome": after.value if accepted is not None else None},
            "replaced": [o.id for o in earlier],
        }
        row = draft_changes(draft, self.clock.now())
        audit = [self._audit_row(actor, "outcome_corrected", draft, detail)]
        if not self.repository.change_draft(draft.id, read_version, row, audit, statements):
            self._check_version(self._load(draft_id), read_version)
            raise Conflict(f"draft {draft_id} changed while you were correcting it; reload it")
        return draft

    def _recorded_outcome(self, draft: Draft, outcomes: Sequence[Any]) -> list[Any]:
        """The outcome the desk recorded for this draft: under the draft's own id, or (recorded
        before outcomes had one) the first desk-recorded answer about its offer since it was
        sent."""
        own = [o for o in outcomes if o.id == outcome_id(draft.id)]
        if own or draft.sent_at is None:
            return own
        sent = datetime.fromisoformat(draft.sent_at)
        desk = [
            o
            for o in outcomes
            if o.service_id == draft.offer
            and o.at >= sent
            and o.id.startswith(
                (f"{draft.patient_id}-offer_accepted-", f"{draft.patient_id}-offer_declined-")
            )
        ]
        return desk[:1]

    def preview(self, actor: User, draft_id: str) -> Preview:
        """The draft as its patient would receive it, composed by the senders' own code (the
        email's footer and unsubscribe line, the SMS as written and its segments). The reading
        of the patient's address is audited."""
        authorise(actor.role, Action.VIEW)
        draft = self._load(draft_id)
        history = self.repository.history(draft.patient_id)
        if history is None:
            raise NotFound(f"unknown patient {draft.patient_id!r}")
        patient = history.patient
        to = (patient.email if draft.channel == "email" else patient.phone) or ""
        settings = self.practice.settings
        message = Message(
            "preview",
            draft.id,
            draft.patient_id,
            draft.channel,
            to,
            draft.subject,
            draft.body,
            self.clock.now(),
        )
        composed = compose(message, Letterhead.of(settings), UnsubscribeLinks.of(settings).placeholder())
        self._audit(actor, "preview", draft, {"channel": draft.channel, "version": draft.version})
        length = segments(composed.text) if draft.channel == "sms" else None
        return Preview(masked(to) if to else f"no {draft.channel} address on file", composed, length)

    def send_test(self, actor: User, draft_id: str, to: str) -> TestSent:
        """The draft sent to the person who will send it (their own address or number), marked
        as a test: no patient gets it, it is no offer (no `offer_presented`, no contact slot,
        not in the outbox) and the draft's status stays. Audited, with the address masked."""
        authorise(actor.role, Action.SEND)
        draft = self._load(draft_id)
        to = to.strip()
        if draft.channel == "email":
            if not EMAIL_ADDRESS.fullmatch(to):
                raise InputError(f"{to!r} is not an email address to send the test to")
        else:
            number = normal_phone(to, self.practice.settings.country)
            if number is None:
                raise InputError(f"{to!r} is not a phone number to send the test to")
            to = number
        subject = f"[Test] {draft.subject}" if draft.subject else "[Test]"
        body = draft.body if draft.channel == "email" else f"[Test] {draft.body}"
        message = Message(
            f"{TEST_PREFIX}{uuid.uuid4().hex[:16]}",
            draft.id,
            "",
            draft.channel,
            to,
            subject,
            body,
            self.clock.now(),
        )
        receipt = self.senders[draft.channel].send(message)
        sent = TestSent(draft.channel, masked(to), receipt.via)
        detail = {"channel": draft.channel, "to": sent.to, "via": receipt.via, "version": draft.version}
        self._audit(actor, "test_send", draft, detail)
        return sent

    # Events pushed by the booking system ---------------------------------------------------------

    def push(self, actor: User, lines: list[bytes]) -> ImportReport:
        """Events, patients or services as contract lines, from an integration. The audit
        entry names the patients the push changed and which fields of each (names only:
        never a value)."""
        authorise(actor.role, Action.PUSH_EVENTS)
        if not any(line.strip() for line in lines):
            raise InputError("nothing to import: send a JSON object, a JSON array or JSON Lines")
        report = self.practice.import_lines(lines, actor.id)
        changed = {patient: change.names() for patient, change in sorted(report.changed.items())}
        detail = {"lines": report.lines, "rejected": len(report.rejected), "changed": changed}
        self._audit(actor, "push", None, detail)
        return report

    def import_export(
        self,
        actor: User,
        filename: str,
        data: bytes,
        *,
        preset: str | None = None,
        mapping_toml: str | None = None,
        dry_run: bool = False,
        consent_on_file: bool = False,
    ) -> SheetImport:
        """A booking system's export uploaded (the API, the Import screen): `crosssell import
        FILE --preset NAME | --mapping MAP.toml` for whoever may push events. Stating consent
        on file is the owner's word, so only an admin's. The upload lives in a private
        temporary file for the run only. A real run is audited as the command's is; a dry run
        too, since it shows the rows to whoever asked."""
        authorise(actor.role, Action.PUSH_EVENTS)
        if consent_on_file:
            authorise(actor.role, Action.CONSENT_ON_FILE)
        name = upload_name(filename)
        limit = self.practice.settings.max_upload_bytes
        if len(data) > limit:
            raise TooLarge(f"{name} is over the upload limit of {limit / 2**20:.3g} MiB ({limit} bytes)")
        mapping = mapping_of(preset, mapping_toml, self.practice.settings.knowledge_dir)
        with uploaded(name, data) as path:
            result = self.practice.import_export(
                path, mapping, consent_on_file=consent_on_file, dry_run=dry_run, actor=actor.id
            )
        self._audit(actor, "import_dry_run" if dry_run else "import", None, audited(result))
        return result

    def reply(self, actor: User, patient_id: str, channel: str, text: str, at: datetime | None = None) -> str:
        """A patient's reply, read as the carriers read it (knowledge/consent.json): STOP and
        the other opt-out keywords, or a refusal in plain words, become an `opted_out` event;
        START and UNSTOP an `opted_in`; HELP and anything else are kept as feedback. A decline
        in plain words ("no thanks") is kept as feedback too and answers the patient's latest
        unanswered offer (`offer_declined`). Returns "opted_out", "opted_in", "help",
        "declined" (an offer was declined) or "feedback"."""
        authorise(actor.role, Action.PUSH_EVENTS)
        if self.repository.patient(patient_id) is None:
            raise NotFound(f"unknown patient {patient_id!r}")
        if channel not in ("email", "sms"):
            raise InputError(f"unknown channel {channel!r}: use email or sms")
        return self._reply(actor, patient_id, channel, text, at)

    def _reply(
        self,
        actor: User,
        patient_id: str,
        channel: str,
        text: str,
        at: datetime | None = None,
        keyword: str | None = None,
    ) -> str:
        """`reply` past its checks; `keyword` is the carrier's own reading of the text (Twilio's
        OptOutType), which wins over ours: the carrier has already acted on it."""
        when = (at or self.clock.now()).astimezone(UTC)
        reading = self.practice.knowledge.replies.read(keyword or text, channel)
        consent = reading.kind in CONSENT_KINDS
        record: dict[str, Any] = {
            "type": "event",
            "kind": reading.kind if consent else "feedback",
            "patient_id": patient_id,
            "at": when.isoformat(),
            "id": f"{patient_id}-reply-{uuid.uuid4().hex[:12]}",
        }
        if consent:
            record.update(channel=reading.channel, source=f"{channel} reply", text=text)
        else:
            record["comment"] = text
        report = self.practice.import_records([record], actor.id)
        if report.rejected:
            raise InputError(report.rejected[0].message)
        kind = reading.kind
        if kind == "declined":
            kind = "declined" if self._declined(patient_id, when) else "feedback"
        self._audit(actor, "reply", None, {"kind": kind, "channel": channel}, patient_id)
        return kind

    def _declined(self, patient_id: str, when: datetime) -> bool:
        """Whether a decline answered an offer: the latest unanswered one presented within the
        attribution window before it (an older one has already gone unanswered)."""
        history = self.repository.history(patient_id)
        window = timedelta(days=self.practice.rules().attribution_days)
        offers = [o for o in unanswered(history) if when - o.at <= window] if history else []
        if not offers:
            return False
        offer = offers[-1]
        self.practice.record(
            patient_id, offer.service_id, "declined", at=when, event_id=f"{offer.id}-declined-by-reply"
        )
        return True

    def unsubscribe(self, token: str) -> Unsubscribed:
        """An email's unsubscribe link, clicked or posted by the mailbox (RFC 8058), with no
        login: the link names its message, the message its patient. The patient's email is
        closed by an `opted_out` event unless it already is; a link this practice did not sign
        is refused, and both are audited."""
        message_id = UnsubscribeLinks.of(self.practice.settings).message_id(token)
        row = self.repository.message(message_id) if message_id else None
        if row is None or row.channel != "email":
            self._audit(ANONYMOUS, "unsubscribe_refused", None, {"reason": "not a link this practice sent"})
            raise Forbidden("this unsubscribe link is not one this practice sent")
        history = self.repository.history(row.patient_id)
        if history is not None and "email" in opted_out(history.events):
            self._audit(ANONYMOUS, "unsubscribe", None, {"message_id": row.id, "new": False}, row.patient_id)
            return Unsubscribed(already=True)
        record = opt_out_record(
            row.patient_id, "email", self.clock.now(), "unsubscribe", f"unsubscribe link in email {row.id}"
        )
        report = self.practice.import_records([record], ANONYMOUS.id)
        if report.rejected:
            raise InputError(report.rejected[0].message)
        self._audit(ANONYMOUS, "unsubscribe", None, {"message_id": row.id, "new": True}, row.patient_id)
        return Unsubscribed(already=False)

    # Twilio's webhooks (login-free; the router checks Twilio's signature first) -------------------

    def sms_received(self, sender: str, text: str, opt_out_type: str | None, message_sid: str) -> str | None:
        """An SMS a patient sent the practice's Twilio number, read as `reply` reads one. The
        patient is the one whose stored phone is this number (E.164, read in the practice's
        country); none or several is audited as `sms_from_unknown`, without the number, and
        nothing is recorded. Returns what `reply` returns, or None."""
        region = self.practice.settings.country
        number = normal_phone(sender, region)
        matches = self._by_phone(number, region) if number else set()
        if len(matches) != 1:
            self._audit(
                ANONYMOUS, "sms_from_unknown", None, {"matches": len(matches), "message_sid": message_sid}
            )
            return None
        keyword = (opt_out_type or "").strip().upper()
        return self._reply(
            ANONYMOUS, matches.pop(), "sms", text, keyword=keyword if keyword in OPT_OUT_TYPES else None
        )

    def _by_phone(self, number: str, region: str) -> set[str]:
        """The patients whose stored phone is this E.164 number, however it was stored: an
        exact match does not end the search, since another patient's "(555) 010-0001" is the
        same number, and the ambiguity must be seen. Phones already in E.164 need no parsing."""
        exact = {pid for pid, _ in self.repository.phones(exactly=number)}
        written = {
            pid
            for pid, phone in self.repository.phones()
            if not _E164.fullmatch(phone) and normal_phone(phone, region) == number
        }
        return exact | written

    def carrier_status(self, message_sid: str, status: str, error_code: str | None) -> bool:
        """Twilio's report on a message it took: stored as the message's carrier state (a late
        `sent` does not undo `delivered`). `undelivered` and `failed` are audited and fail the
        message: the outbox withdraws its presented offer and reopens the draft
        (`Outbox.undelivered`). False when no message has this sid."""
        row = self.repository.message_by_receipt(f"twilio:{message_sid}")
        if row is None:
            self._audit(
                ANONYMOUS, "carrier_status_unknown", None, {"message_sid": message_sid, "status": status}
            )
            return False
        if CARRIER_RANK.get(row.carrier_state or "", -1) > CARRIER_RANK[status]:
            return True
        if status not in ("undelivered", "failed"):
            self.repository.update_message(row.id, {"carrier_state": status})
            return True
        detail = {"message_id": row.id, "status": status, "error_code": error_code}
        audit = audit_row(
            self.clock.now(), ANONYMOUS.id, f"carrier_{status}", detail, row.draft_id, row.patient_id
        )
        self.outbox.undelivered(row, status, error_code, [audit])
        return True

    def twilio_refused(self, path: str) -> None:
        """A webhook call without Twilio's valid signature: audited, then refused."""
        self._audit(ANONYMOUS, "twilio_signature_refused", None, {"path": path})

    # The audit log -------------------------------------------------------------------------------

    def audit(
        self,
        actor: User,
        *,
        draft_id: str | None = None,
        patient_id: str | None = None,
        user: str | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """The log; anyone who may open a draft may read that draft's trail, and QA and admins
        may read everything. The reading is itself an entry, after what it read."""
        if draft_id is None or patient_id is not None or user is not None:
            authorise(actor.role, Action.READ_AUDIT)
        else:
            authorise(actor.role, Action.VIEW)
        rows = self.repository.audit(draft_id=draft_id, patient_id=patient_id, actor=user, limit=limit)
        asked = {"draft_id": draft_id, "patient_id": patient_id, "actor": user, "limit": limit}
        detail = {"filters": {k: v for k, v in asked.items() if v is not None}, "entries": len(rows)}
        self._audit(actor, "read_audit", None, detail, patient_id)
        return [
            AuditEntry(
                r.id,
                datetime.fromtimestamp(r.at, UTC).isoformat(),
                r.actor,
                r.action,
                r.draft_id,
                r.patient_id,
                orjson.loads(r.detail),
            )
            for r in rows
        ]

    def verify_audit(self, actor: User) -> AuditCheck:
        """Whether the log is as it was written (`audit.verify`); for those who may read it all."""
        authorise(actor.role, Action.READ_AUDIT)
        return verify(self.repository)

    # Users -------------------------------------------------------------------------------------

    def users(self, actor: User) -> list[User]:
        authorise(actor.role, Action.MANAGE_USERS)
        return self.accounts.list()

    def add_user(
        self, actor: User, user_id: str, role: str, password: str, name: str = ""
    ) -> tuple[User, str]:
        """A new user and their API token (shown once); the addition is audited."""
        authorise(actor.role, Action.MANAGE_USERS)
        user, token = self.accounts.add(user_id, role, password, name)
        self._audit(actor, "user_added", None, {"user": user.id, "role": user.role.value})
        return user, token

    def disable_user(self, actor: User, user_id: str) -> User:
        """Disables a user and revokes their tokens; nobody can disable themselves."""
        authorise(actor.role, Action.MANAGE_USERS)
        if user_id == actor.id:
            raise Conflict("you cannot disable yourself")
        user = self.accounts.disable(user_id)
        self._audit(actor, "user_disabled", None, {"user": user.id})
        return user

    def set_password(self, actor: User, user_id: str, new: str) -> None:
        """An admin sets a user's password: the user's sessions end and a lockout is lifted."""
        authorise(actor.role, Action.MANAGE_USERS)
        self.accounts.set_password(user_id, new)
        self._audit(actor, "password_set", None, {"user": user_id})

    def issue_token(self, actor: User, user_id: str, expires: Expiry = None) -> tuple[str, Token]:
        """A new API token for a user, until `expires` or for good (their old one stops
        working); the token, shown once, and what an admin may see of it later."""
        authorise(actor.role, Action.MANAGE_USERS)
        self.accounts.get(user_id)
        token = self.accounts.new_api_token(user_id, expires)
        issued = next(t for t in self.accounts.tokens(user_id) if t.kind == "api")
        self._audit(
            actor, "token_issued", None, {"user": user_id, "expires_at": issued.as_dict()["expires_at"]}
        )
        return token, issued

    def tokens(self, actor: User, user_id: str) -> list[Token]:
        """A user's live tokens with their expiry and last use (never the tokens themselves)."""
        authorise(actor.role, Action.MANAGE_USERS)
        return self.accounts.tokens(user_id)

    # What was learned --------------------------------------------------------------------------

    def learning(self, actor: User, as_of: date, top: int = 3) -> dict:
        """What `learn report` prints: converters per moment and segment, the off-policy
        estimate."""
        authorise(actor.role, Action.VIEW)
        return Learning(self.practice).report(as_of, top)

    def diagnostic(self, actor: User, as_of: date) -> dict:
        """The article's revenue diagnostic over the practice's year to `as_of`."""
        authorise(actor.role, Action.VIEW)
        return Learning(self.practice).diagnostic(as_of)

    # Internals ----------------------------------------------------------------------------------

    def _load(self, draft_id: str) -> Draft:
        raw = self.repository.draft(draft_id)
        if raw is None:
            raise NotFound(f"unknown draft {draft_id!r}")
        draft = Draft.model_validate_json(raw)
        if draft.sent_at is not None:
            delivery = self.outbox.delivery(draft_id)
            draft.delivery = delivery.as_dict() if delivery else None
        return draft

    @staticmethod
    def _check_version(draft: Draft, version: int | None) -> None:
        if version is not None and version != draft.version:
            raise Conflict(
                f"draft {draft.id} has changed since you opened it (you have version "
                f"{version}, it is now version {draft.version}, "
                f"{draft.status.replace('_', ' ')}); reload it and try again"
            )

    def _change(
        self,
        actor: User,
        draft_id: str,
        action: Action,
        version: int | None,
        apply: Callable[[Draft], dict],
        accepted: bool | None = None,
    ) -> Draft:
        authorise(actor.role, action)
        draft = self._load(draft_id)
        status = transition(Status(draft.status), action, accepted=accepted)
        self._check_version(draft, version)
        before, read_version = draft.status, draft.version
        detail = apply(draft)
        if action is Action.EDIT:
            blocked = any(not g.passed and blocks_submission(g) for g in draft.guards)
            status = transition(Status(before), action, blocked=blocked)
        draft.status = status.value
        draft.version = read_version + 1
        detail = {"from": before, "to": draft.status, "version": draft.version, **detail}
        if not self._save(actor, draft, read_version, action, detail):
            self._check_version(self._load(draft_id), read_version)
            raise Conflict(f"draft {draft_id} changed while you were saving; reload it")
        return draft

    def _note(self, draft: Draft, actor: User, action: Action, comment: str) -> dict:
        comment = (comment or "").strip()
        if comment:
            draft.notes.append(
                ReviewNote(at=self.clock.stamp(), actor=actor.id, action=action.value, comment=comment)
            )
        return {"comment": comment} if comment else {}

    def _audit(
        self,
        actor: User,
        action: Action | str,
        draft: Draft | None,
        detail: dict,
        patient_id: str | None = None,
    ) -> None:
        self.repository.append_audit([self._audit_row(actor, action, draft, detail, patient_id)])

    def _audit_row(
        self,
        actor: User,
        action: Action | str,
        draft: Draft | None,
        detail: dict,
        patient_id: str | None = None,
    ) -> dict:
        return audit_row(
            self.clock.now(),
            actor.id,
            str(action),
            detail,
            draft.id if draft else None,
            draft.patient_id if draft else patient_id,
        )


REWRITTEN = (
    "moment",
    "offer",
    "offer_name",
    "price",
    "subject",
    "body",
    "drafter",
    "guards",
    "sources",
    "attempts",
    "usage",
    "prompt_version",
    "brief",
    "decision",
)
"""What a fresh draft replaces in the draft under review (its id, trail and version stay)."""


def _rewritten(draft: Draft, fresh: Draft) -> dict:
    """Puts `fresh`'s text and offer into `draft`; the audit detail of the change."""
    before = draft_text(draft)
    for name in REWRITTEN:
        setattr(draft, name, getattr(fresh, name))
    draft.edited_by = None
    return {"before": before, "after": draft_text(draft), "drafter": draft.drafter}


def alternative_dict(offer: ReadyOffer, current: str) -> dict:
    """An eligible offer as the coordinator weighs it: price, acceptance estimate, expected
    value and the reasons for it."""
    ready = ready_dict(offer)
    keys = ("offer", "offer_name", "moment", "price", "p_accept", "interval", "expected_value", "evidence")
    return {
        **{k: ready[k] for k in keys},
        "reasons": [r for r in offer.reasons if not r.startswith(("Considered:", "Not offered:"))],
        "current": offer.service.id == current,
    }


def _dismissal(reason: str, note: str) -> tuple[str, str]:
    """The reason and note of a dismissal, checked: a known reason, a short note, and a note
    for "other"."""
    reason = (reason or "").strip()
    note = " ".join((note or "").split())
    if reason not in DISMISS_REASONS:
        raise InputError(f"unknown reason {reason!r}; use one of: {', '.join(DISMISS_REASONS)}")
    if len(note) > DISMISS_NOTE_LIMIT:
        raise InputError(f"the note is {len(note)} characters; keep it to {DISMISS_NOTE_LIMIT}")
    if reason == "other" and not note:
        raise InputError("say why in the note when the reason is other")
    return reason, note


def outcome_id(draft_id: str) -> str:
    """The id of the outcome the desk records for a draft: one answer per draft."""
    return f"{draft_id}-outcome"


def _event_text(data: dict) -> str:
    parts = [
        f"{k}: {v}"
        for k, v in data.items()
        if k not in ("referred_name",) and isinstance(v, str | int | float)
    ]
    return "; ".join(parts)


@contextmanager
def open_review(practice: Practice | None = None, *, model: bool = True) -> Iterator[Review]:
    """The review desk over the configured practice and drafting backend. `model=False` opens
    it with the template drafter only, for work that writes no text (users, the audit log),
    so no model server is started for it."""
    practice = practice or Practice()
    if not model:
        with closing(Drafting(practice)) as drafting:
            yield Review(practice, drafting)
        return
    with open_drafting(practice) as drafting:
        yield Review(practice, drafting)
