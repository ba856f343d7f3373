"""What waits for a person: the drafts their role acts on next, grouped by what they do with
them, oldest first. `Review.needs` reads the drafts and their trail; the rules are here.

A group belongs to whoever may take its action (the domain's ALLOWED table, not a role's
name): those who submit fix, submit and rework rejected drafts; those who approve approve;
those who send send. QA takes none of these actions, so nothing waits for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from assistant.domain.review import ALLOWED, Action, Role, Status
from assistant.drafting.content import Draft
from assistant.drafting.guards import blocks_submission


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    title: str
    action: Action
    """Who sees the group: those who may take this action."""
    hint: str


GROUPS = (
    Group("to_fix", "To fix", Action.SUBMIT, "a guard that blocks submission fails; edit or regenerate it"),
    Group(
        "rejected", "Rejected", Action.SUBMIT, "a provider sent it back; their comment says what to change"
    ),
    Group("to_submit", "To submit", Action.SUBMIT, "drafted and clean: read it, then submit it for approval"),
    Group("to_approve", "To approve", Action.APPROVE, "submitted for approval"),
    Group("to_send", "To send", Action.SEND, "approved and waiting to be sent"),
)
NOTHING_TO_ACT_ON = "Nothing here waits for your role: you read drafts and the audit log, you act on none."


def groups_for(role: Role) -> list[Group]:
    return [g for g in GROUPS if role in ALLOWED[g.action]]


def blocking(draft: Draft) -> list[str]:
    """The guards that fail and stop the draft going to a provider."""
    return [g.name for g in draft.guards if not g.passed and blocks_submission(g)]


def group_of(draft: Draft) -> str | None:
    """Which group a draft waits in, whoever looks; None when nobody acts on it next."""
    status = Status(draft.status)
    if status is Status.NEEDS_ATTENTION:
        return "to_fix"
    if status in (Status.DRAFTED, Status.EDITED):
        return "to_fix" if blocking(draft) else "to_submit"
    return {
        Status.REJECTED: "rejected",
        Status.PENDING_APPROVAL: "to_approve",
        Status.APPROVED: "to_send",
    }.get(status)


def waiting(drafts: Iterable[Draft], role: Role) -> dict[str, list[Draft]]:
    """The drafts waiting for `role`, by group key (every group of the role, empty or not)."""
    found: dict[str, list[Draft]] = {g.key: [] for g in groups_for(role)}
    for draft in drafts:
        key = group_of(draft)
        if key in found:
            found[key].append(draft)
    return found


def _at(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _sortable(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def trail_fields(draft: Draft, trail: Sequence[Any]) -> dict:
    """Who did what and when, from the draft's audit trail (oldest first): `since`, when it came
    into its status, and the last submission, rejection and approval with their comments."""
    fields: dict = {"since": draft.created_at}
    last: dict[str, tuple[str, str, str]] = {}
    for row in trail:
        detail = orjson.loads(row.detail) if isinstance(row.detail, str | bytes) else dict(row.detail)
        if detail.get("to") == draft.status:
            fields["since"] = _at(row.at)
        if row.action in (Action.SUBMIT, Action.REJECT, Action.APPROVE):
            last[row.action] = (row.actor, _at(row.at), detail.get("comment", ""))
    for action, prefix, text in (
        (Action.SUBMIT, "submitted", "submit_note"),
        (Action.REJECT, "rejected", "rejection_comment"),
        (Action.APPROVE, "approved", "approval_note"),
    ):
        if action in last:
            by, at, comment = last[action]
            fields.update({f"{prefix}_by": by, f"{prefix}_at": at, text: comment})
    return fields


def oldest_first(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda i: (_sortable(i["since"]), i["id"]))
