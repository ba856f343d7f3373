"""A coordinator's own calls on a patient: another eligible offer in the draft's place, and a
patient set aside for the week with a reason (the coordinator's call, never the patient's
answer: it is not a decline and teaches the model nothing)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from assistant.app.accounts import User
from assistant.app.review import Review
from assistant.domain.review import DISMISS_NOTE_LIMIT, DISMISS_REASONS, Action
from assistant.drafting.content import Draft
from assistant.errors import InputError
from assistant.ui.desk import (
    attempt,
    changed,
    close_draft,
    default_as_of,
    flash,
    md,
    money,
    offered,
    status_label,
)

NOT_AN_ANSWER = "This is not counted as the patient's answer: the model learns nothing from it."


# Another offer ----------------------------------------------------------------------------------


def change_offer(desk: Review, user: User, draft: Draft) -> None:
    """The offers the patient is eligible for now, with the evidence for each, and a switch to
    one of them (written afresh, checked by the guards). The list is read (and audited) when
    the coordinator asks for it, once per draft version, not on every rerun."""
    if not offered(user, Action.CHANGE_OFFER, draft.status):
        return
    shown = f"{draft.id}-{draft.version}"
    if not st.toggle("Change offer", key=f"change-offer-{shown}", help="Offer another eligible service"):
        return
    found = _alternatives(desk, user, draft)
    if found is None:
        return
    if not found:
        st.info("The patient is no longer eligible for any offer now.")
        return
    st.dataframe(
        [_alternative_row(a) for a in found],
        hide_index=True,
        key=f"alternatives-{shown}",
        column_config={
            "Expected value": st.column_config.TextColumn(help="price x chance, in whole dollars"),
        },
    )
    others = [a for a in found if not a["current"]]
    if not others:
        st.caption("No other offer is eligible for this patient now.")
        return
    names = {a["offer"]: a for a in found}
    chosen = st.radio(
        "Offer to use",
        list(names),
        index=next(n for n, a in enumerate(found) if not a["current"]),
        key=f"offer-choice-{shown}",
        format_func=lambda offer: _choice_label(names[offer]),
    )
    st.caption("The message is written afresh for the offer chosen, and checked by the guards again.")
    if st.button("Use this offer", key=f"use-offer-{shown}"):
        new = attempt(lambda: desk.change_offer(user, draft.id, chosen, draft.version))
        if new is not None:
            st.session_state.get("alternatives", {}).pop(draft.id, None)
            failing = [g.name for g in new.guards if not g.passed]
            checked = f" Guards failing: {', '.join(failing)}." if failing else " All guards pass."
            changed(
                new,
                f"Now offering {new.offer_name} at {money(new.price)}: written afresh as version "
                f"{new.version} ({status_label(new.status)}); review the new text.{checked}",
                "warning" if failing else "success",
            )


def _alternatives(desk: Review, user: User, draft: Draft) -> list[dict] | None:
    seen = st.session_state.setdefault("alternatives", {})
    version, found = seen.get(draft.id, (None, None))
    if version != draft.version or found is None:
        found = attempt(lambda: desk.alternatives(user, draft.id))
        if found is None:
            return None
        seen[draft.id] = (draft.version, found)
    return found


def _alternative_row(alternative: dict) -> dict:
    """One eligible offer as data (never read as markup): what it costs, how likely the patient
    is to take it, and why."""
    low, high = alternative["interval"]
    return {
        "": "current" if alternative["current"] else "",
        "Offer": alternative["offer_name"],
        "Price": money(alternative["price"]),
        "Expected value": money(alternative["expected_value"], whole=True),
        "Chance": f"{alternative['p_accept']:.0%} ({low:.0%}–{high:.0%})",
        "Evidence": alternative["evidence"],
        "Why": " · ".join(alternative["reasons"]),
    }


def _choice_label(alternative: dict) -> str:
    current = " (current)" if alternative["current"] else ""
    value = money(alternative["expected_value"], whole=True)
    return f"{alternative['offer_name']} · {money(alternative['price'])} · expected {value}{current}"


# A patient set aside for the week -------------------------------------------------------------


def dismiss_from_draft(desk: Review, user: User, draft: Draft) -> None:
    """Dismissal from the draft view: the draft is closed with it, so the screen goes back to
    the list."""
    if offered(user, Action.DISMISS, draft.status):
        first_name = (draft.brief or {}).get("first_name", "") or draft.patient_id
        if dismiss_form(desk, user, draft.patient_id, first_name, _this_week(), f"draft-{draft.id}"):
            close_draft()
            st.rerun()


def dismiss_from_queue(desk: Review, user: User, item: dict, as_of: date) -> None:
    if offered(user, Action.DISMISS) and dismiss_form(
        desk, user, item["patient_id"], item["name"], as_of, f"queue-{item['patient_id']}"
    ):
        st.rerun()


def dismiss_form(desk: Review, user: User, patient_id: str, name: str, as_of: date, key: str) -> bool:
    """A reason, a note (required for "other") and a confirmation; True once dismissed (a
    flash says so for the next run)."""
    with st.expander("Dismiss for this week"), st.form(f"dismiss-{key}", border=False):
        st.caption(
            f"Sets {md(name)} aside for this week's queue; their unsent draft is closed. {NOT_AN_ANSWER}"
        )
        reason = st.selectbox(
            "Reason",
            list(DISMISS_REASONS),
            index=None,
            placeholder="Choose why",
            key=f"dismiss-reason-{key}",
            format_func=lambda r: DISMISS_REASONS[r],
        )
        note = st.text_input(
            "Note",
            max_chars=DISMISS_NOTE_LIMIT,
            key=f"dismiss-note-{key}",
            help='Required when the reason is "another reason"',
        )
        confirmed = st.form_submit_button("Confirm dismissal", key=f"dismiss-confirm-{key}")
    if not confirmed:
        return False
    done = attempt(lambda: desk.dismiss(user, patient_id, _chosen(reason), note, as_of))
    if done is None:
        return False
    closed = " Their unsent draft is closed." if done["closed_draft"] else ""
    flash(
        "success",
        f"{name} is dismissed for the week {done['week']} ({_reason(done['reason'])}).{closed} "
        + NOT_AN_ANSWER,
    )
    return True


def _chosen(reason: str | None) -> str:
    if reason is None:
        raise InputError("choose a reason for setting the patient aside")
    return reason


def dismissed_this_week(desk: Review, user: User, as_of: date) -> None:
    """The patients set aside for the week of `as_of`, each with a way to take it back."""
    found = attempt(lambda: desk.dismissals(user, as_of))
    if not found:
        return
    taking_back = offered(user, Action.DISMISS)
    with st.expander(f"Dismissed this week ({len(found)})"):
        for dismissal in found:
            text, button = st.columns([5, 1], vertical_alignment="center")
            note = f": {md(dismissal['note'])}" if dismissal["note"] else ""
            text.markdown(
                f"**{md(dismissal['name'])}** ({md(dismissal['patient_id'])}) · "
                f"{md(_reason(dismissal['reason']))}{note} · "
                f"by {md(dismissal['by'])}"
            )
            if taking_back and button.button("Take back", key=f"take-back-{dismissal['patient_id']}"):
                _take_back(desk, user, dismissal, as_of)


def _take_back(desk: Review, user: User, dismissal: dict, as_of: date) -> None:
    if attempt(lambda: desk.undo_dismissal(user, dismissal["patient_id"], as_of)) is not None:
        flash("success", f"{dismissal['name']} is back in this week's queue, to be drafted again.")
        st.rerun()


def _reason(reason: str) -> str:
    """A reason as a list reads it ("another reason", without the form's "say which")."""
    return DISMISS_REASONS.get(reason, reason).removesuffix(" (say which)")


def _this_week() -> date:
    """The day the queue is read for (the demo practice lives on a fixed day)."""
    picked = st.session_state.get("as_of")
    return picked if isinstance(picked, date) else default_as_of()
