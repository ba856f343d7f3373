"""The lists a reviewer starts from: who is ready this week, the drafts, the approval queue."""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from assistant.app.accounts import User
from assistant.app.review import Review
from assistant.domain.moments import Moment
from assistant.domain.review import Action, Status
from assistant.ui.choose import dismiss_from_queue, dismissed_this_week
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

SECTIONS = {"This week": True, "Also ready": False, "All ready": None}
"""The queue's sections: the week's top (rule `weekly_capacity`), the rest, or everyone."""
NOT_DRAFTED = "not drafted"
TABLE_ROW_PX, TABLE_MAX_PX = 35, 600
"""The queue table's row height and its tallest: a week of 12 shows whole, a longer list scrolls."""
SIGNAL_WORDS = 8
"""How much of a signal the table shows; the whole of it is in the row's "why"."""


def ready_this_week(desk: Review, user: User) -> None:
    st.header("Ready this week")
    as_of = st.date_input("As of", value=default_as_of(), key="as_of")
    queue = attempt(lambda: desk.queue(user, as_of))
    if queue is None:
        return
    items = queue["ready"]
    st.caption(
        f"{queue['total_ready']} patients at a cross-sell moment as of {as_of.isoformat()}. This week: "
        f"the top {queue['capacity']} by expected value (the practice's weekly capacity; a patient "
        "drawn for the control group leaves their place to the next). Select a row for the why "
        "and the draft." + _offered(queue["offered_this_week"])
    )
    if not items:
        st.info("No patient is ready on this day.")
        return
    counts = {
        name: sum(1 for i in items if flag is None or i["this_week"] is flag)
        for name, flag in SECTIONS.items()
    }
    section = st.radio(
        "Section",
        list(SECTIONS),
        key="queue_section",
        horizontal=True,
        format_func=lambda name: f"{name} ({counts[name]})",
    )
    shown = [i for i in _filtered(items) if SECTIONS[section] is None or i["this_week"] is SECTIONS[section]]
    if not shown:
        st.info("No ready patient matches these filters.")
        return
    dismissed_this_week(desk, user, as_of)
    picked = _queue_table(shown, section, as_of)
    if picked is not None:
        _ready_patient(desk, user, picked, as_of)


def _offered(count: int) -> str:
    if not count:
        return ""
    patients = "patient was" if count == 1 else "patients were"
    return f" {count} {patients} offered earlier this week: their places are taken."


def _filtered(items: list[dict]) -> list[dict]:
    """The queue narrowed by the name typed and the moments, offers, channels and draft
    statuses chosen (none chosen: all)."""
    search, moment, offer = st.columns([2, 2, 2])
    name = search.text_input("Search by name", key="queue_search", placeholder="first or last name")
    moments = moment.multiselect(
        "Moment", _choices(items, "moment"), key="queue_moment", format_func=moment_label
    )
    offers = offer.multiselect("Offer", _choices(items, "offer_name"), key="queue_offer")
    channel, status, _ = st.columns([2, 2, 2])
    channels = channel.multiselect("Channel", _choices(items, "channel"), key="queue_channel")
    statuses = status.multiselect(
        "Draft status",
        sorted({_draft_status(i) for i in items}),
        key="queue_status",
    )
    words = name.casefold().split()
    return [
        i
        for i in items
        if all(w in i["name"].casefold() for w in words)
        and (not moments or i["moment"] in moments)
        and (not offers or i["offer_name"] in offers)
        and (not channels or i["channel"] in channels)
        and (not statuses or _draft_status(i) in statuses)
    ]


def _choices(items: list[dict], key: str) -> list[str]:
    return sorted({i[key] for i in items})


def _draft_status(item: dict) -> str:
    return status_label(item["draft"]["status"]) if item["draft"] else NOT_DRAFTED


def _queue_table(items: list[dict], section: str, as_of: date) -> dict | None:
    """One row a patient, sortable by any column; the row selected, if any. The table's key
    follows what it lists, so a selection never lands on another patient when filters change."""
    frame = pd.DataFrame(
        {
            "Patient": [i["name"] for i in items],
            "Moment": [moment_label(i["moment"]) for i in items],
            "Signal": [_few_words(i["signal"]) for i in items],
            "Offer": [i["offer_name"] for i in items],
            "Price": [float(i["price"]) for i in items],
            "Expected value": [round(i["expected_value"]) for i in items],
            "Channel": [i["channel"] for i in items],
            "Draft": [_draft_status(i) for i in items],
            "Week": ["this week" if i["this_week"] else "also ready" for i in items],
        }
    )
    cents = any(not float(i["price"]).is_integer() for i in items)
    listed = "\0".join([section, as_of.isoformat(), *(i["patient_id"] for i in items)])
    key = "queue_table-" + hashlib.sha256(listed.encode()).hexdigest()[:12]
    event = st.dataframe(
        frame,
        key=key,
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        height=min(TABLE_ROW_PX * (len(items) + 1) + 3, TABLE_MAX_PX),
        column_order=[c for c in frame.columns if c != "Week" or SECTIONS[section] is None],
        column_config={
            "Patient": st.column_config.TextColumn(width=130),
            "Moment": st.column_config.TextColumn(width=140),
            "Signal": st.column_config.TextColumn(width=200, help="the row's why has all of it"),
            "Offer": st.column_config.TextColumn(width=170),
            "Price": st.column_config.NumberColumn(format="$%.2f" if cents else "$%.0f", width=60),
            "Expected value": st.column_config.NumberColumn(
                format="$%.0f", help="price x chance of acceptance, in whole dollars", width=75
            ),
            "Channel": st.column_config.TextColumn(width=60),
            "Draft": st.column_config.TextColumn(width=90),
            "Week": st.column_config.TextColumn(width=80),
        },
    )
    rows = list(event.selection.rows) if event is not None else []
    return items[rows[0]] if rows and 0 <= rows[0] < len(items) else None


def _few_words(text: str) -> str:
    words = text.split()
    return " ".join(words[:SIGNAL_WORDS]) + (" …" if len(words) > SIGNAL_WORDS else "")


def _ready_patient(desk: Review, user: User, item: dict, as_of: date) -> None:
    with st.container(border=True):
        week = "this week" if item["this_week"] else "also ready"
        st.subheader(f"{md(item['name'])} ({md(item['patient_id'])})")
        st.markdown(f"{md(moment_label(item['moment']))} · {week}")
        st.markdown(f"Signal: {md(item['signal'])}")
        st.markdown(
            f"Offer: **{md(item['offer_name'])}** at {md(money(item['price']))} · "
            f"expected value {md(money(item['expected_value'], whole=True))} "
            f"({item['p_accept']:.0%} likely to accept, by {md(item['channel'])})"
        )
        st.markdown("Why:\n" + "\n".join(f"- {md(reason)}" for reason in item["reasons"]))
        st.caption(f"Evidence: {md(item['evidence'])}")
        _ready_draft(desk, user, item, as_of)
        dismiss_from_queue(desk, user, item, as_of)


def _ready_draft(desk: Review, user: User, item: dict, as_of: date) -> None:
    draft = item["draft"]
    if draft is not None:
        text, button = st.columns([5, 1])
        text.markdown(f"Draft: **{status_label(draft['status'])}** (version {draft['version']})")
        if button.button("Open", key=f"open-{draft['id']}"):
            open_draft(desk, user, draft["id"])
        _preview(desk, user, draft)
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


def _preview(desk: Review, user: User, listed: dict) -> None:
    """The draft's text, read through the desk (which audits the view) once per draft version
    this session, not on every rerun while the row stays selected."""
    seen = st.session_state.setdefault("queue_previews", {})
    draft = seen.get(listed["id"])
    if draft is None or draft.version != listed["version"]:
        draft = attempt(lambda: desk.get(user, listed["id"]))
        if draft is None:
            return
        seen[listed["id"]] = draft
    st.markdown("**Preview**")
    if draft.subject:
        st.text(f"Subject: {draft.subject}")
    st.text(draft.body)


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
