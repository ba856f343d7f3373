"""When a marketing message may reach a patient: within the practice's sending hours in the
patient's own time (their time zone on file, else their phone number's, else the practice's),
and no more often than the practice allows in a rolling 30 days."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as phone_zones

from assistant.domain.records import Patient

UNKNOWN = "Etc/Unknown"


def patient_zone(patient: Patient, practice: tzinfo, region: str = "US") -> tzinfo:
    """The patient's time zone: their own, else the one their number's area code lies in
    (only when it lies in exactly one), else the practice's."""
    if patient.time_zone:
        return ZoneInfo(patient.time_zone)
    zone = phone_zone(patient.phone or "", region)
    return ZoneInfo(zone) if zone else practice


def phone_zone(phone: str, region: str = "US") -> str | None:
    try:
        number = phonenumbers.parse(phone, region.upper())
    except phonenumbers.NumberParseException:
        return None
    zones = set(phone_zones.time_zones_for_number(number)) - {UNKNOWN}
    return zones.pop() if len(zones) == 1 else None


def next_opening(now: datetime, zone: tzinfo, start_hour: int, end_hour: int) -> datetime | None:
    """None when `now` is within [start_hour, end_hour) in `zone`; else the next time it is,
    in UTC (a day's opening hour as that day's local clock reads it, DST included)."""
    local = now.astimezone(zone)
    if start_hour <= local.hour < end_hour:
        return None
    day = local.date() if local.hour < start_hour else local.date() + timedelta(days=1)
    return datetime.combine(day, time(start_hour), tzinfo=zone).astimezone(UTC)


def over_cap(sent: list[datetime], now: datetime, most: int, days: int = 30) -> datetime | None:
    """When the next message may go, if `sent` (the times this patient's messages went out)
    already holds `most` within the last `days`; None when one may go now."""
    since = now - timedelta(days=days)
    recent = sorted(at for at in sent if since < at <= now)
    if len(recent) < most:
        return None
    return recent[len(recent) - most] + timedelta(days=days)
