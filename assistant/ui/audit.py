"""The audit log for those who may read all of it (QA, admins): whether its chain is whole, its
entries newest first with filters, and one entry read in full, with what an edit changed."""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from assistant.app.accounts import User
from assistant.app.review import AuditEntry, Review
from assistant.domain.changes import unified_diff
from assistant.ui.desk import attempt, md

LIMIT = 5000
"""The newest entries the screen reads at once; the filters work within them."""
ALL = "Everyone"


def audit_screen(desk: Review, user: User) -> None:
    st.title("Audit log")
    _chain(desk, user)
    entries = attempt(lambda: desk.audit(user, limit=LIMIT))
    if entries is None:
        return
    entries = list(reversed(entries))  # newest first
    chosen = _filtered(desk, entries)
    if len(entries) >= LIMIT:
        st.caption(f"The newest {LIMIT:,} entries are read; narrow the dates to see older ones.")
    if not chosen:
        st.info("No entry matches these filters.")
        return
    st.caption(f"{len(chosen):,} of {len(entries):,} entries, newest first")
    st.dataframe(
        [_row(desk, e) for e in chosen],
        hide_index=True,
        column_config={"When": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm:ss")},
    )
    _entry(desk, chosen)


def _chain(desk: Review, user: User) -> None:
    """The chain check: each entry sealed to the one before, the end held against the head."""
    check = attempt(lambda: desk.verify_audit(user))
    if check is None:
        return
    if check.intact:
        st.success(f"The log is whole: all {check.entries:,} entries are as they were written.")
    else:
        st.error(f"The log was altered: {md(check.broken)}. Entries before it are whole: {check.entries:,}.")


def _filtered(desk: Review, entries: list[AuditEntry]) -> list[AuditEntry]:
    """The filters a person narrows the log with: who, what, which draft or patient, when."""
    actors = sorted({e.actor for e in entries})
    actions = sorted({e.action for e in entries})
    who, what, subject = st.columns(3)
    actor = who.selectbox("Who", [ALL, *actors], key="audit_actor")
    chosen_actions = what.multiselect("Action", actions, key="audit_action", placeholder="Every action")
    about = subject.text_input("Draft or patient id", key="audit_subject").strip().lower()
    since_col, until_col = st.columns(2)
    since = since_col.date_input("From", value=None, key="audit_from", format="YYYY-MM-DD")
    until = until_col.date_input("To", value=None, key="audit_to", format="YYYY-MM-DD")
    return [
        e
        for e in entries
        if (actor == ALL or e.actor == actor)
        and (not chosen_actions or e.action in chosen_actions)
        and (not about or about in (e.draft_id or "").lower() or about in (e.patient_id or "").lower())
        and _within(_day(desk, e), since, until)
    ]


def _within(day: date, since: object, until: object) -> bool:
    return (not isinstance(since, date) or day >= since) and (not isinstance(until, date) or day <= until)


def _when(desk: Review, entry: AuditEntry) -> datetime:
    """When it happened, on the practice's clock (the log keeps UTC)."""
    return datetime.fromisoformat(entry.at).astimezone(desk.clock.time_zone)


def _day(desk: Review, entry: AuditEntry) -> date:
    return _when(desk, entry).date()


def _row(desk: Review, entry: AuditEntry) -> dict:
    return {
        "Entry": entry.id,
        "When": _when(desk, entry).replace(tzinfo=None),
        "Who": entry.actor,
        "Action": entry.action.replace("_", " "),
        "Draft": entry.draft_id or "",
        "Patient": entry.patient_id or "",
        "Detail": summary(entry.detail),
    }


def summary(detail: dict) -> str:
    """The detail in a line for the table; the entry below shows all of it."""
    parts = [f"{k.replace('_', ' ')}: {v}" for k, v in detail.items() if k not in ("before", "after")]
    if "after" in detail:
        parts.append("text changed" if "before" in detail else "text written")
    elif "before" in detail:
        parts.append("undone")
    return "; ".join(parts)


def _entry(desk: Review, entries: list[AuditEntry]) -> None:
    """One entry in full, chosen by its number (a new entry on the next run moves no choice)."""
    by_id = {e.id: e for e in entries}
    picked = st.selectbox(
        "Read an entry in full",
        list(by_id),
        format_func=lambda i: f"#{i} · {by_id[i].actor} · {by_id[i].action.replace('_', ' ')}",
        key="audit_entry",
    )
    entry = by_id.get(picked) if picked is not None else None
    if entry is None:
        return
    st.subheader(f"Entry {entry.id}")
    st.caption(
        f"{_when(desk, entry):%Y-%m-%d %H:%M:%S %Z} · {md(entry.actor)} · {md(entry.action)}"
        + (f" · draft {md(entry.draft_id)}" if entry.draft_id else "")
        + (f" · patient {md(entry.patient_id)}" if entry.patient_id else "")
    )
    if "before" in entry.detail or "after" in entry.detail:
        changed = unified_diff(entry.detail.get("before"), entry.detail.get("after"))
        st.markdown("**What changed** (removed lines start with -, added lines with +)")
        if changed:
            st.code(changed, language="diff")
        else:
            st.caption("The text was written as it was: nothing changed.")
    st.markdown("**The whole entry, as the log keeps it**")
    st.json(entry.detail, expanded=True)
