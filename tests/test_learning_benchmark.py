"""The learning-loop simulation (benchmarks/learning.py) on a tiny practice: its menu imports,
its answers come back through bookings, and the product's attribution and hold-out see them."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sim():
    spec = importlib.util.spec_from_file_location("learning_benchmark", ROOT / "benchmarks" / "learning.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["learning_benchmark"] = module
    spec.loader.exec_module(module)
    return module


def test_the_rich_menu_gives_services_several_next_steps(sim):
    menu = sim.rich_menu()
    assert len(menu) == 15
    assert sum(len(s["next_steps"]) >= 3 for s in menu) >= 12
    ids = {s["id"] for s in menu}
    assert all(step["to"] in ids and step["to"] != s["id"] for s in menu for step in s["next_steps"])


def test_truth_baseline_is_a_share_of_the_acceptance(sim):
    truth = sim.Truth(["botox", "filler"], seed=1, baseline=0.3)
    for band in (None, "below usual spend", "above usual spend"):
        p = truth.p("botox", "intake", "aesthetics", band)
        assert 0 < truth.baseline("botox", "intake", "aesthetics", band) < p <= 0.75


def test_an_accepter_books_later_and_a_decliner_never_books(sim):
    day = date(2026, 10, 5)
    for week in range(40):
        accepted = sim.answers("p1", "botox", day, True, week, 1)
        booking = [r for r in accepted if r["kind"] == "appointment_booked"]
        assert len(booking) == 1
        assert 1 <= (sim._day(booking[0]) - day).days <= sim.MAX_DELAY_DAYS
        declined = sim.answers("p1", "botox", day, False, week, 1)
        assert all(r["kind"] == "offer_declined" for r in declined)


def test_a_small_run_learns_from_attributed_bookings_and_measures_lift(sim, matcher):
    lines = sim.practice_lines(120, 3, "rich")
    truth = sim.Truth([s["id"] for s in sim.rich_menu()], 3, 0.3)
    tally = sim.run("learning", lines, truth, 6, 3, matcher)
    assert tally.presented > 0 and tally.held_out > 0
    lift = tally.measured
    assert 0 < tally.measured_presented <= tally.presented  # counted from the first hold-out on
    assert lift["offered"]["patients"] == tally.measured_presented
    assert lift["held_out"]["patients"] == tally.held_out
    assert lift["offered"]["converted"] >= tally.measured_accepted  # every simulated booking attributed
    assert 0 < tally.true_lift < 1
