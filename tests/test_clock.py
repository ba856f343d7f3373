"""The one clock: the practice's day in its own time zone, fixed for demos and tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from assistant.app.practice import Practice
from assistant.clock import Clock, zone
from assistant.errors import ConfigurationError
from assistant.settings import Settings


def test_today_is_the_practice_s_own_day():
    late_evening_in_utc = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert Clock.fixed(late_evening_in_utc).today() == date(2026, 11, 30)
    assert Clock.fixed(late_evening_in_utc, zone("Europe/Berlin")).today() == date(2026, 12, 1)
    assert Clock.fixed(late_evening_in_utc, zone("America/Chicago")).today() == date(2026, 11, 30)


def test_a_fixed_clock_stands_still_until_moved():
    clock = Clock.fixed(date(2026, 11, 24))
    assert clock.now() == clock.now() == datetime(2026, 11, 24, 12, tzinfo=UTC)
    clock.advance(hours=13)
    assert clock.today() == date(2026, 11, 25) and clock.stamp() == "2026-11-25T01:00:00+00:00"


def test_the_wall_clock_cannot_be_advanced():
    with pytest.raises(ValueError):
        Clock().advance(days=1)


def test_settings_choose_the_zone_and_may_fix_the_time(home):
    practice = Practice(Settings(time_zone="Asia/Tokyo", clock="2026-11-24T20:00:00+00:00"))
    assert practice.clock.today() == date(2026, 11, 25)
    assert practice.clock.now() == datetime(2026, 11, 24, 20, tzinfo=UTC)


@pytest.mark.parametrize("settings", [{"time_zone": "Mars/Olympus"}, {"clock": "next tuesday"}])
def test_a_bad_zone_or_fixed_time_is_a_clear_configuration_error(home, settings):
    with pytest.raises(ConfigurationError, match="time zone|CROSSSELL_CLOCK"):
        Practice(Settings(**settings))


def test_what_the_desk_records_carries_the_clock_s_time(practice):
    practice.import_records([{"type": "patient", "id": "p1", "first_name": "Ana"}])
    practice.clock = Clock.fixed("2027-03-02T09:15:00+00:00")
    event_id = practice.record("p1", "botox", "accepted")
    _, outcomes = practice.repository.offers_and_outcomes(2**40)
    assert [(o.id, o.at) for o in outcomes] == [(event_id, datetime(2027, 3, 2, 9, 15, tzinfo=UTC))]
