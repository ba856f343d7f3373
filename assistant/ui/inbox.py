""" "Needs me", the screen each person lands on: the drafts that wait for their role, grouped by
what they do next, oldest first, each with who did what, when and their comment."""

from __future__ import annotations

from datetime import datetime, tzinfo

import streamlit as st

from assistant.app.accounts import User
from assistant.app.review import Review
from assistant.ui.desk import attempt, md, moment_label, open_draft, status_label

NEEDS_ME = "Needs me"
COLUMNS = (2.0, 2.4, 2.4, 2.2, 1.8)
HEADINGS = ("Patient", "Offer and moment", "Who, when, waiting since", "Note", "")
"""Five columns, so a tablet's 1024 px shows each cell whole, the Open button too."""


def needs_me(desk: Review, user: User) -> None:
    st.header(NEEDS_ME)
    needs = attempt(lambda: desk.needs(user))
    if needs is None:
        return
    if needs["note"]:
        st.info(needs["note"])
        return
    if not needs["total"]:
        st.success("Nothing waits for you right now.")
    zone = desk.clock.time_zone
    for group in needs["groups"]:
        st.subheader(f"{group['title']} ({group['count']})")
        st.caption(group["hint"])
        if group["items"]:
            _rows(desk, user, group["key"], group["items"], zone)


def _rows(desk: Review, user: User, key: str, items: list[dict], zone: tzinfo) -> None:
    """One line a draft, oldest first, and its Open button (opening it is what the desk
    audits); free text as data."""
    for column, heading in zip(st.columns(COLUMNS), HEADINGS, strict=True):
        column.markdown(f"**{heading}**" if heading else "")
    for item in items:
        who, note = _said(key, item, zone)
        cells = st.columns(COLUMNS, vertical_alignment="center")
        cells[0].markdown(md(item["patient_name"]))
        cells[1].markdown(f"{md(item['offer_name'])}  \n{md(moment_label(item['moment']))}")
        cells[2].markdown(f"{md(who)}  \nwaiting since {md(when(item['since'], zone))}")
        cells[3].markdown(md(note) if note else "—")
        if cells[4].button("Open", key=f"open-{item['id']}"):
            open_draft(desk, user, item["id"])


def _said(key: str, item: dict, zone: tzinfo) -> tuple[str, str]:
    """Who did what and when, and the comment they left, as the group reads them."""
    if key == "rejected":
        return _by("Rejected", item, "rejected", zone), item.get("rejection_comment") or ""
    if key == "to_approve":
        return _by("Submitted", item, "submitted", zone), item.get("submit_note") or ""
    if key == "to_send":
        return _by("Approved", item, "approved", zone), item.get("approval_note") or ""
    state = status_label(item["status"]).capitalize()
    if key == "to_fix":
        return state, "Blocked by: " + ", ".join(item["blocking_guards"] or item["failed_guards"])
    warnings = item["failed_guards"]
    return state, ("Warnings: " + ", ".join(warnings)) if warnings else ""


def _by(done: str, item: dict, prefix: str, zone: tzinfo) -> str:
    by, at = item.get(f"{prefix}_by"), item.get(f"{prefix}_at")
    if not by:
        return done
    return f"{done} by {by}" + (f", {when(at, zone)}" if at else "")


def when(stamp: str, zone: tzinfo) -> str:
    """A moment as the practice reads it, in its own time zone: "Tue 24 Nov, 15:00"."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return f"{moment:%a} {moment.day} {moment:%b}, {moment:%H:%M}"
