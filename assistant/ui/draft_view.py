"""One draft under review: its text beside the record it draws on, the guards, the buttons its
status and the reviewer's role allow, the review notes and the audit trail."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

from assistant.app.accounts import User
from assistant.app.review import Review
from assistant.domain.changes import unified_diff
from assistant.domain.review import ALLOWED, Action, Status
from assistant.drafting.content import Draft, GuardResult
from assistant.drafting.guards import blocks_submission
from assistant.drafting.guards.lexicon import normalise
from assistant.ui.audit import summary
from assistant.ui.choose import change_offer, dismiss_from_draft
from assistant.ui.desk import (
    attempt,
    changed,
    close_draft,
    md,
    moment_label,
    money,
    offered,
    open_draft,
    review,
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
    blocked_by: str = ""
    """Why the button is disabled (a blocking guard fails on the saved text), if it is."""


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
    change_offer(desk, user, draft)
    dismiss_from_draft(desk, user, draft)
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
        if delivery["state"] == "failed" and draft.status == "approved":
            _delivery_failed(delivery)


def _delivery_failed(delivery: dict) -> None:
    """A message that did not reach the patient, said where the coordinator acts: the draft is
    back to approved, and sending it again keeps that approval."""
    st.warning(
        f"Delivery failed: {md(delivery['said'])}. The patient did not get it and it does not count "
        "as offered. Send it again once the address is right (the approval stands), or edit it "
        "(it then needs a new approval)."
    )


# The text, and the record beside it -----------------------------------------------------------


def _text(desk: Review, user: User, draft: Draft) -> None:
    st.subheader("Draft")
    shown = f"{draft.id}-{draft.version}"  # a new version on screen starts from its stored text
    if not offered(user, Action.EDIT, draft.status):
        if draft.channel == "email":
            st.text_input("Subject", value=draft.subject, disabled=True, key=f"subject-{shown}")
        st.text_area("Body", value=draft.body, height=340, disabled=True, key=f"body-{shown}")
        _found_in(draft.subject, draft.body, draft.guards)
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
    else:
        _found_in(draft.subject, draft.body, draft.guards)
    if save:
        saved = attempt(lambda: desk.edit(user, draft.id, draft.version, subject, body))
        if saved is not None:
            changed(
                saved,
                f"Saved as version {saved.version}; it is now "
                f"{status_label(saved.status)}.{_failing(saved.guards)}",
                _verdict(saved.guards),
            )


def _check(desk: Review, user: User, draft: Draft, subject: str, body: str) -> None:
    """The guards on what the person typed, before anything is saved."""
    found = attempt(lambda: desk.check(user, draft.id, subject, body))
    if found is not None:
        _found_in(subject, body, found)
        guards("Guards on your unsaved text", found)


def _found_in(subject: str, body: str, results: list[GuardResult]) -> None:
    """The text with the phrases failing guards found marked: red for what blocks, orange for
    a warning. Shown only where a guard named a phrase."""
    blocking = [p for g in results if not g.passed and blocks_submission(g) for p in g.phrases]
    warning = [p for g in results if not g.passed and not blocks_submission(g) for p in g.phrases]
    if not blocking and not warning:
        return
    st.caption("Where the guards found it (red must be fixed before submitting; orange is a warning)")
    text = f"{subject}\n\n{body}" if subject.strip() else body
    st.markdown(highlighted(text, blocking, warning))


def highlighted(text: str, blocking: Sequence[str], warning: Sequence[str] = ()) -> str:
    """Markdown of the text with these phrases marked (case, spacing and curly quotes aside),
    every piece of the text escaped (`md`), so nothing a patient or a model wrote reads as
    markup; a line stays a line, a blank line a paragraph."""
    paragraphs = [
        "  \n".join(_marked_line(line, blocking, warning) for line in chunk.splitlines() if line.strip())
        for chunk in re.split(r"\n\s*\n", text.strip())
    ]
    return "\n\n".join(p for p in paragraphs if p)


def _marked_line(line: str, blocking: Sequence[str], warning: Sequence[str]) -> str:
    spans: list[tuple[int, int, str]] = []
    plain = normalise(line)
    for colour, phrases in (("red", blocking), ("orange", warning)):
        for phrase in phrases:
            words = normalise(phrase).split()
            if not words:
                continue
            pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
            spans += [(m.start(), m.end(), colour) for m in pattern.finditer(plain)]
    out, at = [], 0
    for start, end, colour in sorted(spans):
        if start < at:
            continue  # inside a span already marked
        out.append(_piece(line[at:start]))
        out.append(f":{colour}-background[{md(line[start:end])}]")
        at = end
    out.append(_piece(line[at:]))
    return "".join(out).strip()


def _piece(text: str) -> str:
    """`md` of a piece of a line, keeping the spaces at its ends that `md` trims."""
    if not text.strip():
        return " " if text else ""
    return (" " if text[0].isspace() else "") + md(text) + (" " if text[-1].isspace() else "")


def _sources(draft: Draft) -> None:
    """What the draft draws on, named by what it is ("Visit on 12 Sep", "Knowledge: Botox,
    aftercare"); the ids are for QA, in small print."""
    st.subheader("Sources")
    if not draft.sources:
        st.caption("The draft cites no sources.")
        return
    desk = review()
    words = desk.wording()
    titles = desk.source_titles(draft)
    lines = [
        f"- {md(words.source(s.kind, s.date, titles.get(s.id, '')))}: {md(s.text)}" for s in draft.sources
    ]
    st.markdown("\n".join(lines))
    st.caption("For QA, the sources' ids: " + md(", ".join(s.id for s in draft.sources)))


def _history(desk: Review, user: User, draft: Draft) -> None:
    """The patient's record as of the draft's day, one sentence an event, in the practice's words."""
    st.subheader("History")
    events = attempt(lambda: desk.history(user, draft.id))
    if not events:
        st.caption("No history to show.")
        return
    st.markdown("\n".join(f"- {md(event['sentence'])}" for event in events))


# Guards -------------------------------------------------------------------------------------------


def guards(title: str, results: list[GuardResult]) -> None:
    """Each guard's verdict; a failing one says why, and whether it stops the draft going on."""
    st.subheader(title)
    for result in results:
        if result.passed:
            st.markdown(f":green[passed] **{md(result.name)}**: {md(result.detail)}")
        elif blocks_submission(result):
            st.error(f"{md(result.name)}: {md(result.detail)} (must be fixed before submitting)")
        else:
            st.warning(f"{md(result.name)}: {md(result.detail)} (a warning: the provider sees it)")


def _failing(results: list[GuardResult]) -> str:
    failing = [g.name for g in results if not g.passed]
    return f" Guards failing: {', '.join(failing)}." if failing else " All guards pass."


def _verdict(results: list[GuardResult]) -> str:
    """How a save is announced: an error while a guard blocks, a warning while one fails."""
    failing = [g for g in results if not g.passed]
    if any(blocks_submission(g) for g in failing):
        return "error"
    return "warning" if failing else "success"


def _blocking(draft: Draft, step: str) -> str:
    """Why a step is disabled: the blocking guards failing on the saved text ("" when none)."""
    names = [g.name for g in draft.guards if not g.passed and blocks_submission(g)]
    return f"Fix {' and '.join(names)} before {step}" if names else ""


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
    if offered(user, Action.SEND, draft.status):
        _preview(desk, user, draft)
    _corrections(desk, user, draft)
    if not steps:
        return
    with st.container(horizontal=True):
        pressed = [
            st.button(
                step.label,
                key=f"{step.label.lower().replace(' ', '-')}-{draft.id}",
                type="primary" if step.main else "secondary",
                disabled=bool(step.blocked_by),
                help=step.blocked_by or None,
            )
            for step in steps
        ]
    for step in steps:
        if step.blocked_by:
            st.caption(f"{step.label}: {md(step.blocked_by)}.")
    for step, was_pressed in zip(steps, pressed, strict=True):
        if was_pressed:
            result = attempt(step.call)
            if result is not None:
                changed(result, step.done.format(draft=result))


def _preview(desk: Review, user: User, draft: Draft) -> None:
    """The message exactly as the patient will receive it (the senders compose it), and a test
    of it to the coordinator's own address before the real Send."""
    st.subheader("As the patient will receive it")
    preview = attempt(lambda: desk.preview(user, draft.id))
    if preview is None:
        return
    message = preview.message
    if message.channel == "email":
        st.markdown(
            f"**From:** {md(message.sender)}  \n**Reply-To:** {md(message.reply_to or message.sender)}"
            f"  \n**To:** {md(preview.to)}  \n**Subject:** {md(message.subject)}"
        )
    else:
        st.markdown(f"**To:** {md(preview.to)} · by SMS, from the practice's number")
    st.text(message.text)
    if preview.length is not None:
        st.caption(f"{preview.length}. Nothing is added to the text: it goes as written.")
    with st.form(f"test-{draft.id}", border=False):
        what = "email address" if draft.channel == "email" else "mobile number"
        to = st.text_input(
            f"Your own {what}, for a test",
            value=st.session_state.get(f"test-to-{draft.channel}", ""),
            key=f"test-to-{draft.id}",
        )
        test = st.form_submit_button("Send a test to me", key=f"send-test-{draft.id}")
    if test:
        st.session_state[f"test-to-{draft.channel}"] = to
        sent = attempt(lambda: desk.send_test(user, draft.id, to))
        if sent is not None:
            by = "email" if sent.channel == "email" else "SMS"
            st.success(
                f"Test sent by {by} to {md(sent.to)}, marked as a test. The patient got nothing "
                f"and the draft is still {status_label(draft.status)}."
            )


def _corrections(desk: Review, user: User, draft: Draft) -> None:
    """A recorded answer can be changed or undone (the desk audits it, before and after)."""
    if user.role not in ALLOWED[Action.OUTCOME] or draft.status not in (Status.ACCEPTED, Status.DECLINED):
        return
    other = draft.status == Status.DECLINED
    change = f"Change to {'accepted' if other else 'declined'}"
    with st.container(horizontal=True):
        flip = st.button(change, key=f"correct-{draft.id}")
        undo = st.button("Undo the outcome", key=f"undo-outcome-{draft.id}")
    if flip:
        result = attempt(lambda: desk.correct_outcome(user, draft.id, other, draft.version))
        if result is not None:
            said = "accepted" if other else "declined"
            changed(result, f"Corrected: the patient {said}.")
    if undo:
        result = attempt(lambda: desk.correct_outcome(user, draft.id, None, draft.version))
        if result is not None:
            changed(result, "Undone: the patient's answer is not known; the draft is sent again.")


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
            blocked_by=_blocking(draft, "submitting"),
        ),
        Step(
            "Regenerate in new words",
            Action.REGENERATE,
            lambda: desk.regenerate(user, *at),
            "Regenerated by {draft.drafter} in new words as version {draft.version}: review the new text.",
        ),
        Step(
            "Approve",
            Action.APPROVE,
            lambda: desk.approve(user, *at, comment=comment),
            "Approved: a coordinator can send it now.",
            main=True,
            blocked_by=_blocking(draft, "approving"),
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
            "{draft.delivery[said]}.",
            main=True,
            blocked_by=_blocking(draft, "sending"),
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
    """The draft's trail, and for each change of its text what changed, line by line."""
    st.subheader("Audit trail")
    entries = attempt(lambda: desk.audit(user, draft_id=draft.id))
    if not entries:
        return
    st.dataframe(
        [{"at": e.at, "who": e.actor, "action": e.action, "detail": _detail(e.detail)} for e in entries],
        hide_index=True,
    )
    for entry in entries:
        if "before" in entry.detail and "after" in entry.detail:
            changed = unified_diff(entry.detail["before"], entry.detail["after"])
            with st.expander(f"What {md(entry.actor)} changed ({entry.action}, {entry.at})"):
                if changed:
                    st.code(changed, language="diff")
                else:
                    st.caption("Nothing changed in the text.")


def _detail(detail: dict) -> str:
    """The audit detail in a line; what the text was and became is below the table."""
    return summary(detail)
