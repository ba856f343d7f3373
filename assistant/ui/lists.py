"""The lists a reviewer starts from: who is ready this week, the drafts, the approval queue."""

from __future__ import annotations

from datetime import date

import streamlit as st

from assistant.app.accounts import User
from assistant.app.review import Review
from assistant.domain.moments import Moment
from assistant.domain.review import Action, Status
from assistant.ui.desk import (
    attempt,
    changed,
    default_as_of,
    md,
    moment_label,
    money,
    offered,
    open_draft,
    status_label,
)

ROW = [2, 3, 4, 2, 3, 3, 2]
ROW_HEADINGS = ["Patient", "Moment", "Offer", "Channel", "Status", "Guards failing", ""]


# Ready this week -------------------------------------------------------------------------------


def ready_this_week(desk: Review, user: User) -> None:
    st.header("Ready this week")
    as_of = st.date_input("As of", value=default_as_of(), key="as_of")
    queue = attempt(lambda: desk.queue(user, as_of))
    if queue is None:
        return
    st.caption(
        f"{queue['total_ready']} patients at a cross-sell moment as of {as_of.isoformat()}, "
        "highest expected value first."
    )
    if not queue["ready"]:
        st.info("No patient is ready on this day.")
    for item in queue["ready"]:
        _ready_patient(desk, user, item, as_of)


def _ready_patient(desk: Review, user: User, item: dict, as_of: date) -> None:
    with st.container(border=True):
        st.markdown(f"**{md(item['name'])}** ({md(item['patient_id'])}) · {md(moment_label(item['moment']))}")
        st.markdown(f"Signal: {md(item['signal'])}")
        st.markdown(
            f"Offer: **{md(item['offer_name'])}** at {md(money(item['price']))} · "
            f"expected value {md(money(item['expected_value']))} "
            f"({item['p_accept']:.0%} likely to accept, by {md(item['channel'])})"
        )
        st.markdown("Why:\n" + "\n".join(f"- {md(reason)}" for reason in item["reasons"]))
        _ready_draft(desk, user, item, as_of)


def _ready_draft(desk: Review, user: User, item: dict, as_of: date) -> None:
    draft = item["draft"]
    if draft is not None:
        text, button = st.columns([5, 1])
        text.markdown(f"Draft: **{status_label(draft['status'])}** (version {draft['version']})")
        if button.button("Open", key=f"open-{draft['id']}"):
            open_draft(desk, user, draft["id"])
    elif offered(user, Action.CREATE):
        if st.button("Draft", key=f"draft-{item['patient_id']}"):
            created = attempt(lambda: desk.create(user, item["patient_id"], as_of))
            if created is not None:
                changed(
                    created,
                    f"Drafted for {item['patient_id']}: {status_label(created.status)}. Review it below.",
                )
    else:
        st.caption("Not drafted yet.")


# The drafts and the approval queue -------------------------------------------------------------


def drafts_list(desk: Review, user: User) -> None:
    st.header("Drafts")
    left, right = st.columns(2)
    statuses = left.multiselect(
        "Status", [s.value for s in Status], format_func=status_label, key="filter_status"
    )
    moment = right.selectbox(
        "Moment",
        ["", *(m.value for m in Moment)],
        key="filter_moment",
        format_func=lambda m: moment_label(m) if m else "any moment",
    )
    rows = attempt(lambda: desk.drafts(user, statuses=statuses or None, moment=moment or None))
    if rows is not None:
        draft_rows(desk, user, rows, "No drafts match these filters.")


def approval_queue(desk: Review, user: User) -> None:
    st.header("Approval queue")
    st.caption("Drafts a coordinator submitted; open one to approve it or send it back.")
    rows = attempt(lambda: desk.drafts(user, statuses=[Status.PENDING_APPROVAL.value]))
    if rows is not None:
        draft_rows(desk, user, rows, "Nothing is waiting for approval.")


def draft_rows(desk: Review, user: User, rows: list[dict], empty: str) -> None:
    """One line per draft (no text: opening one is what the desk audits) and its Open button."""
    if not rows:
        st.info(empty)
        return
    st.caption(f"{len(rows)} drafts")
    for column, heading in zip(st.columns(ROW), ROW_HEADINGS, strict=True):
        column.markdown(f"**{heading}**")
    for row in rows:
        cells = st.columns(ROW, vertical_alignment="center")
        who = f"{row['first_name']} ({row['patient_id']})" if row["first_name"] else row["patient_id"]
        cells[0].markdown(md(who))
        cells[1].markdown(md(moment_label(row["moment"])))
        cells[2].markdown(f"{md(row['offer_name'])} · {md(money(row['price']))}")
        cells[3].markdown(md(row["channel"]))
        cells[4].markdown(f"{status_label(row['status'])} (v{row['version']})")
        cells[5].markdown(md(", ".join(row["failed_guards"])) or "none")
        if cells[6].button("Open", key=f"open-{row['id']}"):
            open_draft(desk, user, row["id"])
