"""Synthetic practice generator: a reproducible cash-pay practice in the JSON Lines import format.

Why this exists
---------------
The demo, the benchmarks and the end-to-end tests all need a practice that (a) looks like a real
med spa / weight / wellness clinic, (b) contains every one of the eight cross-sell moments and
every suppression rule from the brief, each at least twice for the 200-patient demo, and (c) is
byte-for-byte reproducible, so a benchmark run or a screenshot can be compared with the last one.
Real patient data can never be used for any of this, and hand-written fixtures
(``shared/cases/dev``) are too small to measure a weekly scan over 100,000 patients.

What it produces
----------------
Records of the import format in ``shared/contract/practice-data.md``: each patient record
followed by that patient's events in time order. No service records are emitted, so the default
menu (the brief's 15 service ids) applies. Everything is derived from ``random.Random`` seeded per
patient from ``(seed, patient number)`` and from ``as_of``; the wall clock is never read. A
patient's records depend only on (seed, as_of, number, scenario), so the first 124 patients are
the same whatever ``n_patients`` is.

* Background history (``background``): a year of plain history per segment (aesthetics: Botox
  about every three months, filler, HydraFacials, peels, product kits, member facials; weight:
  monthly GLP-1 visits with weights trending down from a baseline, maintenance, contouring later;
  wellness: monthly hormone visits, IV therapy, longevity) with feedback, check-ins, results,
  summaries, bookings, cancellations, referrals, goal changes, the odd complaint, and past offers
  with their outcomes (about 17% accepted overall: product kits and HydraFacials near 25%, laser
  and body contouring under 10%, better at results and check-in moments than at intake).
  Background events are all at least ``BACKGROUND_END_DAYS`` (36) days before ``as_of`` (43 for
  scenario patients), so history alone never makes a patient ready or blocked.
* Scenarios (``scenarios``): the first ``scenario_patient_count(n)`` patients (the first 124,
  i.e. every scenario four times, then 15% of the rest: 135 of a 200-patient demo, about 15% of a
  large practice) cycle through ``SCENARIOS`` in order; patient number ``i`` (1-based, id
  ``p{i:06d}``) gets ``scenario_of(i, n)``. Each scenario adds the recent events of one moment
  (ready) or of one moment plus one blocker (suppressed), and is registered with its ``Expect``:
  the moment a correct scan detects with the default menu, and the offer or the reason.

Scale: ``write_practice`` streams in batches; 100,000 patients x 20 events (about 2.06 million
lines, 390 MB) take about 10 seconds and 50 MB of memory.
"""

from __future__ import annotations

import pathlib
import random
from collections.abc import Iterator
from datetime import date
from operator import itemgetter

import orjson

from assistant.synthetic.background import background, background_profile, budget
from assistant.synthetic.chart import BACKGROUND_END_DAYS, Chart, Days
from assistant.synthetic.menu import SERVICE_IDS
from assistant.synthetic.scenarios import (
    SCENARIOS,
    Expect,
    Scenario,
    scenario_of,
    scenario_patient_count,
)
from assistant.synthetic.vocabulary import FIRST_NAMES, FIRST_SLUGS, LAST_NAMES, LAST_SLUGS

__all__ = [
    "BACKGROUND_END_DAYS",
    "SCENARIOS",
    "SERVICE_IDS",
    "Expect",
    "Scenario",
    "generate_practice",
    "scenario_of",
    "scenario_patient_count",
    "write_practice",
]


def generate_practice(
    n_patients: int, as_of: date, seed: int = 7, events_per_patient: float | None = None
) -> Iterator[dict]:
    """Yield patient and event records (import format); each patient precedes its events."""
    days = Days(as_of)
    rng = random.Random()
    key0 = itemgetter(0)
    for i in range(1, n_patients + 1):
        rng.seed(seed * 1_000_003 + i * 7919 + 17)
        pid = f"p{i:06d}"
        p = Chart(rng, days, pid)
        p.channel = "sms" if rng.random() < 0.3 else "email"
        fi, li = rng.randrange(len(FIRST_NAMES)), rng.randrange(len(LAST_NAMES))
        k = budget(rng, events_per_patient)
        chosen = scenario_of(i, n_patients)
        if chosen is not None:
            chosen.write(p)
            k = max(k - len(p.ev), 4)  # enough for the opening (consult, baseline, membership)
        else:
            background_profile(p)
        if p.history:
            background(p, k)
        yield _patient_record(p, i, fi, li)
        ev = p.ev
        ev.sort(key=key0)
        for n, (_, e) in enumerate(ev, 1):
            e["id"] = f"{pid}-e{n}"
            yield e


def _patient_record(p: Chart, i: int, fi: int, li: int) -> dict:
    phone_tail = (i * 7 + 1234567) % 10_000_000
    return {
        "type": "patient",
        "id": p.pid,
        "first_name": FIRST_NAMES[fi],
        "last_name": LAST_NAMES[li],
        "birth_date": _birth_date(p),
        "email": f"{FIRST_SLUGS[fi]}.{LAST_SLUGS[li]}.{i}@example.com",
        "phone": f"+1555{phone_tail:07d}",
        "preferred_channel": p.channel,
        "marketing_consent": p.consent,
        "goals": p.goals,
        "flags": p.flags,
        "memberships": p.memberships,
        "segment": p.seg,
    }


def _birth_date(p: Chart) -> str:
    days = int(p.age * 365.25) + p.rng.randint(10, 355)
    return date.fromordinal(p.days.as_of_ord - days).isoformat()


def write_practice(
    path: pathlib.Path, n_patients: int, as_of: date, seed: int = 7, events_per_patient: float | None = None
) -> int:
    """Stream the practice to ``path`` as JSON Lines; return the number of lines written."""
    path = pathlib.Path(path)
    lines = 0
    buf: list[bytes] = []
    with path.open("wb") as fh:
        for rec in generate_practice(n_patients, as_of, seed, events_per_patient):
            buf.append(orjson.dumps(rec))
            lines += 1
            if len(buf) >= 8192:
                buf.append(b"")
                fh.write(b"\n".join(buf))
                buf.clear()
        if buf:
            buf.append(b"")
            fh.write(b"\n".join(buf))
    return lines
