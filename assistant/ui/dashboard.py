"""The owner's dashboard: what was measured (revenue from accepted offers, acceptance with its
interval) apart from what is projected (the article's what-if), acceptance by moment and by
offer with intervals, revenue by month, this week's funnel, converters with enough outcomes,
touchpoint coverage and the revenue diagnostic, and the same as a printable HTML report."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from assistant.app.accounts import User
from assistant.app.learning import owner_report, render_owner_report, what_if_rows
from assistant.app.review import Review
from assistant.reports import acceptance_line, dollars, lift_line, percent, sentence_case
from assistant.settings import bundled
from assistant.ui.desk import attempt, default_as_of

TEMPLATES = bundled("ui/templates")
IN_USE, NOT_USED = "In use", "Not used yet"
"""The coverage chart's legend: whether the practice presented offers at that moment."""


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
    _measured(data["measured"], as_of)
    _projected(diagnostic)
    left, right = st.columns(2)
    with left:
        st.subheader("This week's funnel")
        st.altair_chart(_funnel(data["funnel"]["steps"]), width="stretch")
        st.subheader("Acceptance by moment")
        moments = pd.DataFrame(diagnostic["touchpoints"])
        if not moments.empty:
            moments["label"] = moments["label"].map(sentence_case)
        st.altair_chart(_intervals(moments, "label", "Moment"), width="stretch")
    with right:
        st.subheader("Revenue from accepted offers")
        st.caption(
            f"By month, {data['revenue'][0]['label']} to {data['revenue'][-1]['label']}, at menu "
            "price; a month with no accepted offer shows as $0."
        )
        st.altair_chart(_revenue(data["revenue"]), width="stretch")
        st.subheader("Acceptance by offer")
        st.altair_chart(_intervals(pd.DataFrame(report["by_offer"]), "offer_name", "Offer"), width="stretch")
    _converters(report)
    st.subheader("What the offers add (control group)")
    st.text(lift_line(report["lift"]))
    st.subheader("Touchpoint coverage")
    st.altair_chart(_coverage(diagnostic["touchpoints"]), width="stretch")
    st.subheader("Revenue diagnostic")
    st.table(_diagnostic_rows(diagnostic))
    st.download_button(
        "Download the printable report",
        render_owner_report(TEMPLATES, data),
        file_name=f"crosssell-report-{as_of.isoformat()}.html",
        mime="text/html",
        key="download_report",
    )


def _measured(measured: dict, as_of: date) -> None:
    """What accepted offers brought in: counted, not multiplied out."""
    year, last = measured["year_to_date"], measured["last_12_months"]
    st.subheader("Measured")
    st.caption("Revenue received from accepted offers (at menu price), and how offers were answered.")
    cards = st.columns(4)
    cards[0].metric(
        f"Revenue from accepted offers, {as_of.year} to date",
        dollars(year["revenue"]),
        help=f"{year['accepted_offers']:,} accepted offers from {year['from']} to {year['to']}",
    )
    cards[1].metric(
        "Revenue from accepted offers, last 12 months",
        dollars(last["revenue"]),
        help=f"{last['accepted_offers']:,} accepted offers from {last['from']} to {last['to']}",
    )
    cards[2].metric(
        "Offers made, last 12 months",
        f"{last['offers_made']:,}",
        help=f"{year['offers_made']:,} in {as_of.year} to date",
    )
    acceptance = last["acceptance"]
    cards[3].metric(
        "Acceptance, last 12 months",
        percent(acceptance["rate"]),
        help="of the offers made in the last 12 months whose answer is known",
    )
    st.caption(f"Acceptance, last 12 months: {acceptance_line(acceptance)}.")


def _projected(diagnostic: dict) -> None:
    """The article's what-if from this practice's year: a formula, never revenue received."""
    what_if = diagnostic["what_if"]
    measured = what_if["measured"]
    st.subheader("Projected")
    st.caption(
        f"Projection, not revenue received: {what_if['formula']}, from {diagnostic['window']}. "
        "Touchpoints in use and revenue after the first visit are measured."
    )
    cards = st.columns(4)
    cards[0].metric(
        "Annual cross-sell revenue (projection)",
        dollars(measured["annual"]),
        help=f"Projection: {what_if['formula']} = {_formula_values(measured)}",
    )
    cards[1].metric(
        "With all eight touchpoints (projection)",
        dollars(what_if["all_eight_at_measured"]),
        help="Projection: the same formula with all eight touchpoints in use",
    )
    cards[2].metric(
        "Touchpoints in use", f"{diagnostic['touchpoints_in_use']} of {diagnostic['touchpoints_possible']}"
    )
    cards[3].metric(
        "Revenue after the first visit", percent(diagnostic["revenue"]["after_first_visit_share"])
    )


def _formula_values(measured: dict) -> str:
    patients = "–" if measured["patients"] is None else f"{measured['patients']:,}"
    touchpoints = "–" if measured["touchpoints"] is None else f"{measured['touchpoints']}"
    return (
        f"{patients} x {touchpoints} x {percent(measured['acceptance'])} x "
        f"{dollars(measured['average_cross_sell'])}"
    )


def _converters(report: dict) -> None:
    """Top and bottom converters by moment, only among offers with enough answered offers."""
    least = report["min_outcomes"]
    st.subheader("What converts, by moment")
    st.caption(f"Top and bottom converters among offers with at least {least} outcomes (answered offers).")
    rows, short = [], []
    for ends in report["by_moment"].values():
        moment = sentence_case(ends["label"])
        if not ends["enough_outcomes"]:
            short.append(moment)
        for side in ("top", "bottom"):
            for row in ends[side]:
                rows.append(
                    {
                        "Moment": moment,
                        "": side,
                        "Offer": row["offer_name"],
                        "Accepted": f"{row['accepted']} of {row['trials']}",
                        "Acceptance (95% interval)": f"{percent(row['rate'])} "
                        f"({percent(row['low'])}–{percent(row['high'])})",
                    }
                )
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.info(f"No offer has {least} outcomes yet, so none is named a top or bottom converter.")
    if rows and short:
        st.caption(f"Not enough outcomes yet at: {', '.join(short)}.")


def _funnel(steps: dict[str, int]) -> alt.Chart:
    names = [sentence_case(step) for step in steps]
    frame = pd.DataFrame({"step": names, "patients": list(steps.values())})
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("patients:Q", title="Patients"),
            y=alt.Y("step:N", sort=names, title=None),
            tooltip=[alt.Tooltip("step:N", title="Step"), alt.Tooltip("patients:Q", title="Patients")],
        )
        .properties(height=180)
    )


def _intervals(frame: pd.DataFrame, label: str, title: str) -> alt.Chart:
    """Each rate as a point with its 95% interval as a line; no data, no mark."""
    if frame.empty or "trials" not in frame:
        return alt.Chart(pd.DataFrame({"note": ["no answered offers yet"]})).mark_text().encode(text="note:N")
    frame = frame[frame["trials"] > 0]
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{label}:N", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=220))
    )
    rule = base.mark_rule().encode(
        x=alt.X("low:Q", axis=alt.Axis(format="%"), title="Acceptance (95% interval)"), x2="high:Q"
    )
    point = base.mark_point(filled=True, size=60).encode(
        x="rate:Q",
        tooltip=[
            alt.Tooltip(f"{label}:N", title=title),
            alt.Tooltip("accepted:Q", title="Accepted"),
            alt.Tooltip("trials:Q", title="Answered"),
            alt.Tooltip("rate:Q", format=".0%", title="Acceptance"),
            alt.Tooltip("low:Q", format=".0%", title="95% interval from"),
            alt.Tooltip("high:Q", format=".0%", title="95% interval to"),
        ],
    )
    return (rule + point).properties(height=max(120, 30 * len(frame)))


def _revenue(months: list[dict]) -> alt.Chart:
    """Every month of the range as a bar, $0 included (the report fills the empty months)."""
    frame = pd.DataFrame(months or [{"month": "", "label": "", "revenue": 0, "accepted": 0}])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("label:N", title=None, sort=list(frame["label"])),
            y=alt.Y("revenue:Q", title="Revenue", axis=alt.Axis(format="$,.0f")),
            tooltip=[
                alt.Tooltip("label:N", title="Month"),
                alt.Tooltip("revenue:Q", format="$,.0f", title="Revenue"),
                alt.Tooltip("accepted:Q", title="Accepted offers"),
            ],
        )
        .properties(height=220)
    )


def _coverage(touchpoints: list[dict]) -> alt.Chart:
    frame = pd.DataFrame(touchpoints)
    frame["label"] = frame["label"].map(sentence_case)
    frame["touchpoint"] = [IN_USE if n > 0 else NOT_USED for n in frame["presented"]]
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("label:N", title=None, sort=None),
            y=alt.Y("presented:Q", title="Offers presented"),
            color=alt.Color(
                "touchpoint:N",
                title="Touchpoint",
                scale=alt.Scale(domain=[IN_USE, NOT_USED], range=["#1f4e79", "#c9c9c9"]),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Moment"),
                alt.Tooltip("presented:Q", title="Offers presented"),
                alt.Tooltip("accepted:Q", title="Accepted"),
            ],
        )
        .properties(height=220)
    )


def _diagnostic_rows(diagnostic: dict) -> pd.DataFrame:
    return pd.DataFrame(what_if_rows(diagnostic), columns=["", "This practice", "The article"])
