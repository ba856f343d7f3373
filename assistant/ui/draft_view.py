"""One draft under review: its text beside the record it draws on, the guards, the buttons its
status and the reviewer's role allow, the review notes and the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from assistant.app.accounts import User
from assistant.app.review import Review
from assistant.domain.review import Action
from assistant.drafting.content import Draft, GuardResult
from assistant.drafting.guards import blocks_submission
from assistant.ui.desk import (
    attempt,
    changed,
    close_draft,
    md,
    moment_label,
    money,
    offered,
    open_draft,
    status_label,
)


@dataclass(frozen=True, slots=True)
class Step:
    """A button in the draft view: the action it asks the desk for, and what to say after."""

    label: str
    action: Action
    call: Callable[[], Draft]
    done: str
    main: bool = False


def draft_view(desk: Review, user: User, draft: Draft) -> None:
    _top(desk, user, draft)
    text, record = st.columns([3, 2], gap="large")
    with text:
        _text(desk, user, draft)
    with record:
        _sources(draft)
        _history(desk, user, draft)
    guards("Guards on the saved text", draft.guards)
    _actions(desk, user, draft)
    _notes(draft)
    _audit(desk, user, draft)


def _top(desk: Review, user: User, draft: Draft) -> None:
    with st.container(horizontal=True):
        back = st.button("Back to the list", key="back")
        reload = st.button("Reload", key="reload", help="Open the draft again as it is stored now")
    if back:
        close_draft()
        st.rerun()
    if reload:
        open_draft(desk, user, draft.id)
    first_name = (draft.brief or {}).get("first_name", "")
    st.header(
        f"{md(draft.offer_name)} for {md(first_name)} ({md(draft.patient_id)})"
        if first_name
        else f"{md(draft.offer_name)} for {md(draft.patient_id)}"
    )
    st.markdown(
        f"**Status: {status_label(draft.status)}** · version {draft.version} · "
        f"{md(moment_label(draft.moment))} · {md(draft.channel)} · {md(money(draft.price))}"
        f" · written by {md(draft.drafter)} for {draft.as_of}"
    )
    if draft.delivery:
        delivery = draft.delivery
        tries = f", {delivery['attempts']} failed tries" if delivery["attempts"] else ""
        st.caption(
            f"Message: {delivery['state']}{tries}"
            + (f" ({md(delivery['error'])})" if delivery["error"] else "")
        )


# The text, and the record beside it -----------------------------------------------------------


def _text(desk: Review, user: User, draft: Draft) -> None:
    st.subheader("Draft")
    shown = f"{draft.id}-{draft.version}"  # a new version on screen starts from its stored text
    if not offered(user, Action.EDIT, draft.status):
        if draft.channel == "email":
            st.text_input("Subject", value=draft.subject, disabled=True, key=f"subject-{shown}")
        st.text_area("Body", value=draft.body, height=340, disabled=True, key=f"body-{shown}")
        return
    with st.form(f"edit-{shown}", border=False):
        subject = (
            st.text_input("Subject", value=draft.subject, key=f"subject-{shown}")
            if draft.channel == "email"
            else None
        )
        body = st.text_area("Body", value=draft.body, height=340, key=f"body-{shown}")
        with st.container(horizontal=True):
            check = st.form_submit_button(
                "Check", key="check", help="Run the guards on this text without saving"
            )
            save = st.form_submit_button("Save", type="primary", key="save")
    if check:
        _check(desk, user, draft, draft.subject if subject is None else subject, body)
    if save:
        saved = attempt(lambda: desk.edit(user, draft.id, draft.version, subject, body))
        if saved is not None:
            changed(
                saved,
                f"Saved as version {saved.version}; it is now "
                f"{status_label(saved.status)}.{_failing(saved.guards)}",
            )


def _check(desk: Review, user: User, draft: Draft, subject: str, body: str) -> None:
    """The guards on what the person typed, before anything is saved."""
    found = attempt(lambda: desk.check(user, draft.id, subject, body))
    if found is not None:
        guards("Guards on your unsaved text", found)


def _sources(draft: Draft) -> None:
    st.subheader("Sources")
    if not draft.sources:
        st.caption("The draft cites no sources.")
    for source in draft.sources:
        when = f", {source.date}" if source.date else ""
        st.markdown(f"- `{source.id}` {md(source.kind)}{when}: {md(source.text)}")


def _history(desk: Review, user: User, draft: Draft) -> None:
    st.subheader("History")
    events = attempt(lambda: desk.history(user, draft.id))
    if not events:
        st.caption("No history to show.")
        return
    lines = []
    for event in events:
        service = f" · {md(event['service'])}" if event["service"] else ""
        text = f": {md(event['text'])}" if event["text"] else ""
        lines.append(f"- {event['date']} · {md(event['kind'].replace('_', ' '))}{service}{text}")
    st.markdown("\n".join(lines))


# Guards -------------------------------------------------------------------------------------------


def guards(title: str, results: list[GuardResult]) -> None:
    """Each guard's verdict; a failing one says why, and whether it stops the draft going on."""
    st.subheader(title)
    for result in results:
        if result.passed:
            st.markdown(f":green[passed] **{result.name}**: {md(result.detail)}")
        else:
            stops = " (must be fixed before submitting)" if blocks_submission(result) else ""
            st.warning(f"{result.name}: {md(result.detail)}{stops}")


def _failing(results: list[GuardResult]) -> str:
    failing = [g.name for g in results if not g.passed]
    return f" Guards failing: {', '.join(failing)}." if failing else " All guards pass."


# The buttons ----------------------------------------------------------------------------------


def _actions(desk: Review, user: User, draft: Draft) -> None:
    """The buttons this role may press in this status; the desk refuses anything else anyway."""
    commenting = any(offered(user, a, draft.status) for a in (Action.SUBMIT, Action.APPROVE, Action.REJECT))
    comment = ""
    if commenting:
        comment = st.text_area(
            "Comment",
            key=f"comment-{draft.id}-{draft.version}",
            placeholder="A note for the provider, or what to change",
        )
    steps = [s for s in _steps(desk, user, draft, comment) if offered(user, s.action, draft.status)]
    if not steps:
        return
    with st.container(horizontal=True):
        pressed = [
            st.button(
                step.label,
                key=f"{step.label.lower().replace(' ', '-')}-{draft.id}",
                type="primary" if step.main else "secondary",
            )
            for step in steps
        ]
    for step, was_pressed in zip(steps, pressed, strict=True):
        if was_pressed:
            result = attempt(step.call)
            if result is not None:
                changed(result, step.done.format(draft=result))


def _steps(desk: Review, user: User, draft: Draft, comment: str) -> list[Step]:
    """Every version passed is the one on screen, so acting on a stale view is refused."""
    at = (draft.id, draft.version)
    return [
        Step(
            "Submit for approval",
            Action.SUBMIT,
            lambda: desk.submit(user, *at, comment=comment),
            "Submitted for approval: a provider will review it.",
            main=True,
        ),
        Step(
            "Regenerate",
            Action.REGENERATE,
            lambda: desk.regenerate(user, *at),
            "Regenerated by {draft.drafter}: review the new text.",
        ),
        Step(
            "Approve",
            Action.APPROVE,
            lambda: desk.approve(user, *at, comment=comment),
            "Approved: a coordinator can send it now.",
            main=True,
        ),
        Step(
            "Reject",
            Action.REJECT,
            lambda: desk.reject(user, draft.id, comment, draft.version),
            "Rejected: it goes back to the coordinator with your comment.",
        ),
        Step(
            "Send",
            Action.SEND,
            lambda: desk.send(user, *at),
            "Sent by {draft.channel}: {draft.delivery[state]}.",
            main=True,
        ),
        Step(
            "Accepted",
            Action.OUTCOME,
            lambda: desk.outcome(user, draft.id, True, draft.version),
            "Recorded: the patient accepted.",
        ),
        Step(
            "Declined",
            Action.OUTCOME,
            lambda: desk.outcome(user, draft.id, False, draft.version),
            "Recorded: the patient declined.",
        ),
    ]


# The trail --------------------------------------------------------------------------------------


def _notes(draft: Draft) -> None:
    st.subheader("Review notes")
    if not draft.notes:
        st.caption("No notes yet.")
    for note in draft.notes:
        st.markdown(f"**{md(note.actor)}** ({note.action}, {note.at}): {md(note.comment)}")


def _audit(desk: Review, user: User, draft: Draft) -> None:
    st.subheader("Audit trail")
    entries = attempt(lambda: desk.audit(user, draft_id=draft.id))
    if entries:
        st.dataframe(
            [{"at": e.at, "who": e.actor, "action": e.action, "detail": _detail(e.detail)} for e in entries],
            hide_index=True,
        )


def _detail(detail: dict) -> str:
    """The audit detail in a line; the before and after texts are summed up, not repeated."""
    parts = [f"{k}: {v}" for k, v in detail.items() if k not in ("before", "after")]
    if "after" in detail:
        parts.append("text changed" if "before" in detail else "text written")
    return "; ".join(str(p) for p in parts)
