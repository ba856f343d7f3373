"""The owner's dashboard: acceptance by moment and by offer with intervals, revenue from accepted
offers by month, this week's funnel, touchpoint coverage and the revenue diagnostic, and the
same as a printable HTML report."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from assistant.app.accounts import User
from assistant.app.learning import owner_report, render_owner_report, what_if_rows
from assistant.app.review import Review
from assistant.reports import dollars, lift_line, percent
from assistant.settings import bundled
from assistant.ui.desk import attempt, default_as_of

TEMPLATES = bundled("ui/templates")


@st.cache_data(ttl=60, show_spinner="Reading the practice's outcomes…")
def _figures(_desk: Review, home: str, as_of: date) -> dict:
    return owner_report(_desk.practice, as_of)


def dashboard(desk: Review, user: User) -> None:
    st.title("Dashboard")
    as_of = st.date_input("As of", value=default_as_of(), key="dashboard_as_of")
    data = attempt(lambda: _figures(desk, str(desk.practice.settings.home), as_of))
    if data is None:
        return
    report, diagnostic = data["report"], data["diagnostic"]
    what_if = diagnostic["what_if"]
    cards = st.columns(4)
    cards[0].metric(
        "Annual cross-sell revenue (measured)",
        dollars(what_if["measured"]["annual"]),
        help="active patients x touchpoints in use x acceptance x average cross-sell",
    )
    cards[1].metric(
        "Touchpoints in use", f"{diagnostic['touchpoints_in_use']} of {diagnostic['touchpoints_possible']}"
    )
    cards[2].metric("Acceptance", percent(what_if["measured"]["acceptance"]))
    cards[3].metric(
        "Revenue after the first visit", percent(diagnostic["revenue"]["after_first_visit_share"])
    )
    left, right = st.columns(2)
    with left:
        st.subheader("This week's funnel")
        st.altair_chart(_funnel(data["funnel"]["steps"]), use_container_width=True)
        st.subheader("Acceptance by moment")
        st.altair_chart(
            _intervals(pd.DataFrame(diagnostic["touchpoints"]), "label"), use_container_width=True
        )
    with right:
        st.subheader("Revenue from accepted offers")
        st.altair_chart(_revenue(data["revenue"]), use_container_width=True)
        st.subheader("Acceptance by offer")
        st.altair_chart(_intervals(pd.DataFrame(report["by_offer"]), "offer_name"), use_container_width=True)
    st.subheader("What the offers add (control group)")
    st.text(lift_line(report["lift"]))
    st.subheader("Touchpoint coverage")
    st.altair_chart(_coverage(diagnostic["touchpoints"]), use_container_width=True)
    st.subheader("Revenue diagnostic")
    st.table(_diagnostic_rows(diagnostic))
    st.download_button(
        "Download the printable report",
        render_owner_report(TEMPLATES, data),
        file_name=f"crosssell-report-{as_of.isoformat()}.html",
        mime="text/html",
        key="download_report",
    )


def _funnel(steps: dict[str, int]) -> alt.Chart:
    frame = pd.DataFrame({"step": list(steps), "patients": list(steps.values())})
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("patients:Q"),
            y=alt.Y("step:N", sort=list(steps), title=None),
            tooltip=["step", "patients"],
        )
        .properties(height=180)
    )


def _intervals(frame: pd.DataFrame, label: str) -> alt.Chart:
    """Each rate as a point with its 95% interval as a line; no data, no mark."""
    if frame.empty or "trials" not in frame:
        return alt.Chart(pd.DataFrame({"note": ["no answered offers yet"]})).mark_text().encode(text="note:N")
    frame = frame[frame["trials"] > 0]
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{label}:N", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=220))
    )
    rule = base.mark_rule().encode(
        x=alt.X("low:Q", axis=alt.Axis(format="%"), title="acceptance (95% interval)"), x2="high:Q"
    )
    point = base.mark_point(filled=True, size=60).encode(
        x="rate:Q",
        tooltip=[
            label,
            "accepted",
            "trials",
            alt.Tooltip("rate:Q", format=".0%"),
            alt.Tooltip("low:Q", format=".0%"),
            alt.Tooltip("high:Q", format=".0%"),
        ],
    )
    return (rule + point).properties(height=max(120, 30 * len(frame)))


def _revenue(months: list[dict]) -> alt.Chart:
    frame = pd.DataFrame(months or [{"month": "", "revenue": 0, "accepted": 0}])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("month:N", title=None),
            y=alt.Y("revenue:Q", axis=alt.Axis(format="$,.0f")),
            tooltip=["month", alt.Tooltip("revenue:Q", format="$,.0f"), "accepted"],
        )
        .properties(height=220)
    )


def _coverage(touchpoints: list[dict]) -> alt.Chart:
    frame = pd.DataFrame(touchpoints)
    frame["in use"] = frame["presented"] > 0
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("label:N", title=None, sort=None),
            y=alt.Y("presented:Q", title="offers presented"),
            color=alt.Color("in use:N", scale=alt.Scale(domain=[True, False], range=["#1f4e79", "#c9c9c9"])),
            tooltip=["label", "presented", "accepted"],
        )
        .properties(height=220)
    )


def _diagnostic_rows(diagnostic: dict) -> pd.DataFrame:
    return pd.DataFrame(what_if_rows(diagnostic), columns=["", "this practice", "the article"])
