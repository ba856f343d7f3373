"""The control group's draw and the lift it measures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from assistant.domain.holdout import Exposure, draw, lift, taken_up, week_of

AT = datetime(2026, 11, 24, 15, tzinfo=UTC)


def test_the_draw_is_the_same_for_a_week_and_spreads_evenly_over_patients():
    assert draw("harbor", "p1", "2026-W48") == draw("harbor", "p1", "2026-W48")
    assert draw("harbor", "p1", "2026-W48") != draw("harbor", "p1", "2026-W49")
    assert draw("harbor", "p1", "2026-W48") != draw("cedar", "p1", "2026-W48")
    drawn = [draw("harbor", f"p{i}", "2026-W48") for i in range(4000)]
    assert all(0 <= u < 1 for u in drawn)
    share = sum(u < 0.1 for u in drawn) / len(drawn)
    assert 0.08 < share < 0.12


def test_weeks_are_iso_weeks():
    assert week_of(date(2026, 11, 24)) == "2026-W48"
    assert week_of(date(2027, 1, 1)) == "2026-W53"


def test_an_uptake_counts_within_the_window_after_and_a_booking_and_its_visit_are_one_sale():
    paid = [(AT + timedelta(days=3), "botox", 420.0), (AT + timedelta(days=10), "botox", 450.0)]
    window = timedelta(days=30)
    assert taken_up("botox", AT, paid, window) == 450.0
    assert taken_up("filler", AT, paid, window) is None
    assert taken_up("botox", AT + timedelta(days=11), paid, window) is None
    assert taken_up("botox", AT - timedelta(days=40), paid, window) is None


def test_the_lift_compares_offered_and_held_out_per_ready_patient():
    offered = [Exposure(f"o{i}", "botox", AT, True, 400.0 if i < 3 else None) for i in range(10)]
    held = [Exposure(f"h{i}", "botox", AT, False, 400.0 if i < 1 else None) for i in range(10)]
    found = lift(offered + held)
    assert found["offered"] == {
        "patients": 10,
        "converted": 3,
        "conversion": 0.3,
        "revenue_per_patient": 120.0,
    }
    assert found["held_out"]["conversion"] == 0.1 and found["held_out"]["revenue_per_patient"] == 40.0
    conversion = found["conversion_lift"]
    assert conversion["value"] == 0.2 and conversion["low"] < 0.2 < conversion["high"]
    assert conversion["low"] < 0  # ten patients a side cannot tell a 20-point lift from none
    revenue = found["revenue_lift_per_patient"]
    assert revenue["value"] == 80.0 and revenue["low"] < 80 < revenue["high"]


def test_no_lift_is_claimed_before_both_groups_have_patients():
    found = lift([Exposure("o1", "botox", AT, True, 400.0)])
    assert found["conversion_lift"] == {"value": None, "low": None, "high": None}
    assert found["held_out"]["patients"] == 0 and found["held_out"]["conversion"] is None


def test_a_patient_ready_many_weeks_counts_once_in_the_interval():
    """Twenty weeks from five patients who always or never book carry less evidence than twenty
    patients: the interval is wider, the estimate the same."""
    held = [Exposure(f"h{i}", "botox", AT, False, 400.0 if i < 2 else None) for i in range(20)]
    spread = [Exposure(f"o{i}", "botox", AT, True, 400.0 if i < 8 else None) for i in range(20)]
    repeated = [
        Exposure(f"o{i % 5}", "botox", AT + timedelta(weeks=i // 5), True, 400.0 if i % 5 < 2 else None)
        for i in range(20)
    ]
    independent, clustered = lift(spread + held), lift(repeated + held)
    assert independent["conversion_lift"]["value"] == clustered["conversion_lift"]["value"] == 0.3
    width = {
        name: found["conversion_lift"]["high"] - found["conversion_lift"]["low"]
        for name, found in (("independent", independent), ("clustered", clustered))
    }
    assert width["clustered"] > 1.5 * width["independent"]
