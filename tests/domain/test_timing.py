"""Sending hours in the patient's own time, and the cap on messages in any 30 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.domain.records import Patient
from assistant.domain.timing import next_opening, over_cap, patient_zone, phone_zone

CHICAGO, PRACTICE = ZoneInfo("America/Chicago"), ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("patient", "zone"),
    [
        (Patient("p1", "Ana", time_zone="America/Denver", phone="+1 512 555 0142"), "America/Denver"),
        (Patient("p2", "Ben", phone="(512) 555-0143"), "America/Chicago"),
        (Patient("p3", "Cy", phone="+61 2 5550 1234"), "Australia/Sydney"),
        (Patient("p4", "Di", phone="+1 (555) 010-0003"), "America/New_York"),  # no area: the practice's
        (Patient("p5", "Ed", phone="not a number"), "America/New_York"),
        (Patient("p6", "Flo"), "America/New_York"),
    ],
)
def test_the_patients_own_zone_then_their_numbers_then_the_practices(patient, zone):
    assert str(patient_zone(patient, PRACTICE)) == zone


def test_a_number_whose_area_spans_several_zones_gives_none():
    assert phone_zone("+1 800 555 0100") is None  # toll-free: anywhere


@pytest.mark.parametrize(
    ("local", "opening"),
    [
        ("2026-11-24T08:00", None),
        ("2026-11-24T20:59", None),
        ("2026-11-24T21:00", "2026-11-25T08:00"),
        ("2026-11-24T23:30", "2026-11-25T08:00"),
        ("2026-11-25T06:15", "2026-11-25T08:00"),
        ("2026-10-31T22:00", "2026-11-01T08:00"),  # the night the clocks go back
    ],
)
def test_outside_the_hours_a_message_waits_for_the_next_morning_in_the_patients_zone(local, opening):
    now = datetime.fromisoformat(local).replace(tzinfo=CHICAGO).astimezone(UTC)
    found = next_opening(now, CHICAGO, 8, 21)
    if opening is None:
        assert found is None
        return
    assert found is not None and found.tzinfo is UTC
    assert found.astimezone(CHICAGO).replace(tzinfo=None) == datetime.fromisoformat(opening)


def test_the_clocks_going_back_moves_the_morning_in_utc():
    before = next_opening(datetime(2026, 10, 31, 3, tzinfo=UTC), CHICAGO, 8, 21)  # 22:00 CDT, Oct 30
    assert before == datetime(2026, 10, 31, 13, tzinfo=UTC)  # 08:00 CDT
    after = next_opening(datetime(2026, 11, 1, 3, tzinfo=UTC), CHICAGO, 8, 21)  # 22:00 CDT, Oct 31
    assert after == datetime(2026, 11, 1, 14, tzinfo=UTC)  # 08:00 CST


def test_the_cap_counts_a_rolling_30_days_and_says_when_the_next_may_go():
    now = datetime(2026, 11, 24, 15, tzinfo=UTC)
    sent = [now - timedelta(days=d) for d in (40, 20, 3)]
    assert over_cap(sent, now, 3) is None
    assert over_cap(sent, now, 2) == now - timedelta(days=20) + timedelta(days=30)
    assert over_cap(sent, now, 1) == now - timedelta(days=3) + timedelta(days=30)
    assert over_cap([], now, 1) is None
