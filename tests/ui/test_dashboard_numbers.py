"""The owner reads what was received apart from what is projected: the measured headline is the
revenue of the offers accepted this year, the projection says it is one, and the revenue chart
shows every month, an empty one as $0."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

import pandas as pd
import pyarrow as pa
import pytest

from assistant.reports import dollars
from tests.answered_offers import accepted_revenue, add_answered_offers
from tests.ui.conftest import AS_OF
from tests.ui.helpers import go_to, shown


@pytest.fixture(scope="module")
def owner_clinic(clinic, tmp_path_factory):
    """The screens' practice with a year of answered offers (it has none accepted)."""
    add_answered_offers(clinic.review.practice, tmp_path_factory.mktemp("answers"))
    return clinic


@pytest.fixture
def dashboard(owner_clinic, screen):
    return go_to(screen("quinn"), "Dashboard")


def _chart_data(at, y_title: str) -> pd.DataFrame:
    """The data of the chart whose y axis has this title, as the browser gets it."""
    for chart in _elements(at.main):
        if getattr(chart, "type", None) != "vega_lite_chart":
            continue
        spec = json.loads(chart.proto.spec)
        if spec.get("encoding", {}).get("y", {}).get("title") == y_title:
            (dataset,) = [d for d in chart.proto.datasets if d.name == spec["data"]["name"]]
            return pa.ipc.open_stream(dataset.data.data).read_pandas()
    raise AssertionError(f"no chart with a {y_title!r} axis")


def _elements(node) -> Iterator:
    """Every element under a block (AppTest names no accessor for Altair charts)."""
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _elements(child)


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def test_the_measured_headline_is_the_revenue_of_this_years_accepted_offers(dashboard, owner_clinic):
    metrics = {m.label: m for m in dashboard.metric}
    received = accepted_revenue(owner_clinic.review.practice, f"{AS_OF.year}-01-01", AS_OF.isoformat())
    assert received > 0
    assert metrics[f"Revenue from accepted offers, {AS_OF.year} to date"].value == dollars(received)
    last = accepted_revenue(
        owner_clinic.review.practice, (AS_OF - timedelta(days=364)).isoformat(), AS_OF.isoformat()
    )
    assert metrics["Revenue from accepted offers, last 12 months"].value == dollars(last)
    page = shown(dashboard)
    assert page.index("Measured") < page.index("Projected")
    assert "95% interval" in page and "answered" in page


def test_the_projection_is_labelled_as_one_with_its_formula(dashboard):
    metrics = {m.label: m for m in dashboard.metric}
    assert not [label for label in metrics if "measured" in label.lower()]
    projection = metrics["Annual cross-sell revenue (projection)"]
    assert projection.help.startswith("Projection:") and " x " in projection.help
    assert "Projection, not revenue received" in shown(dashboard)


def test_a_month_with_no_accepted_offer_shows_as_zero(dashboard, owner_clinic):
    practice = owner_clinic.review.practice
    chart = _chart_data(dashboard, "Revenue")
    months = _months(AS_OF - timedelta(days=364), AS_OF)
    assert list(chart["label"]) == [m.strftime("%b %Y") for m in months]
    empty = [
        m.strftime("%b %Y")
        for m in months
        if not accepted_revenue(practice, m.isoformat(), (m + timedelta(days=31)).replace(day=1).isoformat())
    ]
    assert empty and len(empty) < len(months)
    shown_revenue = dict(zip(chart["label"], chart["revenue"], strict=True))
    assert all(shown_revenue[month] == 0 for month in empty)


def test_legends_and_converters_read_as_words(dashboard):
    coverage = _chart_data(dashboard, "Offers presented")
    assert set(coverage["touchpoint"]) <= {"In use", "Not used yet"}
    assert "At booking" in set(coverage["label"])
    page = shown(dashboard)
    assert "offers with at least 5 outcomes" in page
    (converters,) = [d.value for d in dashboard.dataframe]
    assert "Chemical peel" in set(converters["Offer"]) and "Microneedling" not in set(converters["Offer"])
    assert all(int(a.split(" of ")[1]) >= 5 for a in converters["Accepted"])
