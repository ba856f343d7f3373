"""The review lifecycle of a draft: who may do what, and from which status.

drafted -> edited -> pending_approval -> approved | rejected -> queued -> sent -> accepted |
declined. A draft the guards flagged starts as `needs_attention` and is otherwise a `drafted` one.
A draft whose patient is dismissed for the week before it is queued is `superseded`.
`queued` is a draft handed to the outbox: it becomes `sent` when the channel takes it, and
`approved` again if delivery fails for good or the carrier reports it undelivered (the approval
of the unchanged text stands; a resend is checked again at send time). The rules live here, not
in buttons, so the CLI, the API and the review screen all obey them.
"""

from __future__ import annotations

from enum import StrEnum

from assistant.errors import Conflict, Forbidden


class Role(StrEnum):
    COORDINATOR = "coordinator"
    PROVIDER = "provider"
    QA = "qa"
    ADMIN = "admin"


class Status(StrEnum):
    DRAFTED = "drafted"
    NEEDS_ATTENTION = "needs_attention"
    EDITED = "edited"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    QUEUED = "queued"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SUPERSEDED = "superseded"


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    REGENERATE = "regenerate"
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    SEND = "send"
    DELIVER = "deliver"
    OUTCOME = "outcome"
    MANAGE_USERS = "manage_users"
    READ_AUDIT = "read_audit"
    PUSH_EVENTS = "push_events"
    CONSENT_ON_FILE = "state_consent_on_file"
    CHANGE_OFFER = "change_offer"
    DISMISS = "dismiss"
    """Sets a patient aside for the week (closing their unsent draft), or takes that back."""


DISMISS_REASONS: dict[str, str] = {
    "spoke_already": "we spoke with the patient already",
    "not_now": "not the right time for this patient",
    "not_a_fit": "the offer does not suit the patient",
    "other": "another reason (say which)",
}
"""Why a coordinator sets a patient aside for the week. Not the patient's answer: a dismissal
teaches the conversion model nothing."""
DISMISS_NOTE_LIMIT = 200

S = Status
OPEN = frozenset({S.DRAFTED, S.NEEDS_ATTENTION, S.EDITED, S.REJECTED})
"""Statuses in which the coordinator still owns the text."""
UNSENT = OPEN | {S.PENDING_APPROVAL, S.APPROVED, S.QUEUED}
"""A patient's open draft: at most one per patient is in one of these (creating another returns
it instead)."""

ALLOWED: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset(Role),
    Action.CREATE: frozenset({Role.COORDINATOR, Role.ADMIN}),
    Action.REGENERATE: frozenset({Role.COORDINATOR, Role.ADMIN}),
    Action.EDIT: frozenset({Role.COORDINATOR, Role.PROVIDER, Role.ADMIN}),
    Action.SUBMIT: frozenset({Role.COORDINATOR, Role.ADMIN}),
    Action.APPROVE: frozenset({Role.PROVIDER}),
    Action.REJECT: frozenset({Role.PROVIDER}),
    Action.SEND: frozenset({Role.COORDINATOR, Role.ADMIN}),
    Action.DELIVER: frozenset({Role.ADMIN}),
    Action.OUTCOME: frozenset({Role.COORDINATOR, Role.ADMIN}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.READ_AUDIT: frozenset({Role.QA, Role.ADMIN}),
    Action.PUSH_EVENTS: frozenset({Role.COORDINATOR, Role.ADMIN}),
    # The owner's word that the practice holds marketing consent for an export's new clients.
    Action.CONSENT_ON_FILE: frozenset({Role.ADMIN}),
    Action.CHANGE_OFFER: frozenset({Role.COORDINATOR, Role.ADMIN}),
    Action.DISMISS: frozenset({Role.COORDINATOR, Role.ADMIN}),
}

FROM: dict[Action, frozenset[Status]] = {
    Action.REGENERATE: OPEN,
    Action.EDIT: OPEN | {S.PENDING_APPROVAL, S.APPROVED},
    Action.SUBMIT: frozenset({S.DRAFTED, S.NEEDS_ATTENTION, S.EDITED}),
    Action.APPROVE: frozenset({S.PENDING_APPROVAL}),
    Action.REJECT: frozenset({S.PENDING_APPROVAL}),
    Action.SEND: frozenset({S.APPROVED}),
    Action.DELIVER: frozenset({S.QUEUED}),
    Action.OUTCOME: frozenset({S.SENT}),
    Action.CHANGE_OFFER: OPEN,
    # A dismissal closes the patient's draft unless it is already on its way.
    Action.DISMISS: OPEN | {S.PENDING_APPROVAL, S.APPROVED},
}


def authorise(role: Role, action: Action) -> None:
    """Raises Forbidden unless `role` may take `action`."""
    allowed = ALLOWED[action]
    if role not in allowed:
        who = " or ".join(sorted(r.value for r in allowed))
        raise Forbidden(f"only a {who} may {action.value.replace('_', ' ')}; you are a {role.value}")


def transition(
    status: Status, action: Action, *, accepted: bool | None = None, blocked: bool = False
) -> Status:
    """The status after `action`, or Conflict naming why the action is illegal now. `blocked`:
    the edited text fails a blocking guard, so it goes back to the coordinator."""
    allowed = FROM.get(action)
    if allowed is None or status not in allowed:
        raise Conflict(
            f"cannot {action.value} a draft that is {status.value.replace('_', ' ')}" + _hint(status, action)
        )
    if action is Action.EDIT:
        if blocked:
            return S.NEEDS_ATTENTION
        # An edit after approval needs a new approval; the provider's queue keeps what it has.
        return S.PENDING_APPROVAL if status in (S.PENDING_APPROVAL, S.APPROVED) else S.EDITED
    if action is Action.OUTCOME:
        return S.ACCEPTED if accepted else S.DECLINED
    return {
        Action.REGENERATE: S.DRAFTED,
        Action.CHANGE_OFFER: S.DRAFTED,
        Action.DISMISS: S.SUPERSEDED,
        Action.SUBMIT: S.PENDING_APPROVAL,
        Action.APPROVE: S.APPROVED,
        Action.REJECT: S.REJECTED,
        Action.SEND: S.QUEUED,
        Action.DELIVER: S.SENT,
    }[action]


def approval_refusal(approver: str, last_editor: str | None) -> str | None:
    """Maker-checker: why `approver` may not approve text `last_editor` wrote, if they may not."""
    if last_editor is not None and approver == last_editor:
        return "you edited this text last; another provider must approve it"
    return None


def _hint(status: Status, action: Action) -> str:
    if action is Action.SEND and status in OPEN | {S.PENDING_APPROVAL}:
        return " (a provider must approve it first)"
    if action is Action.SUBMIT and status is S.REJECTED:
        return " (edit or regenerate it first)"
    if action in (Action.APPROVE, Action.REJECT) and status in OPEN:
        return " (a coordinator must submit it first)"
    if status is S.QUEUED:
        return " (it is in the outbox, on its way to the patient)"
    if status in (S.SENT, S.ACCEPTED, S.DECLINED):
        return " (it has already gone to the patient)"
    return ""
