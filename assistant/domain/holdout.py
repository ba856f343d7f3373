"""A control group: each week a share of the ready patients gets no offer, drawn at random with
the chance logged, so the owner sees what the offers add and not what would have happened
anyway. Both groups are judged the same way: did the patient book, have or start the offer's
service within the attribution window, and what did it pay."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

Z = 1.959964
"""The normal quantile of a two-sided 95% interval."""


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def draw(salt: str, patient_id: str, week: str) -> float:
    """A uniform number in [0, 1) for this patient and week: random across patients, the same
    every time the week is drafted again (so a re-run holds out the same people)."""
    digest = hashlib.sha256(f"{salt}\0{patient_id}\0{week}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True, slots=True)
class Exposure:
    """One ready patient's week: offered (`offered`) or held out, the offer's service, when,
    and what the patient then paid for that service within the window (None: nothing)."""

    patient_id: str
    service_id: str
    at: datetime
    offered: bool
    revenue: float | None


@dataclass(frozen=True, slots=True)
class Difference:
    value: float | None
    low: float | None
    high: float | None

    def as_dict(self) -> dict:
        return {
            k: None if v is None else round(v, 4)
            for k, v in (("value", self.value), ("low", self.low), ("high", self.high))
        }


@dataclass(frozen=True, slots=True)
class Group:
    """One arm's ready-patient weeks, summed per patient: a patient ready in several weeks is
    one cluster, since their weeks are not independent draws."""

    patients: int
    converted: int
    revenue: float
    clusters: tuple[tuple[int, int, float], ...] = ()
    """Per patient: weeks, weeks converted, revenue."""

    @property
    def rate(self) -> float | None:
        return self.converted / self.patients if self.patients else None

    @property
    def per_patient(self) -> float | None:
        return self.revenue / self.patients if self.patients else None

    def variance(self, of: str) -> float:
        """The variance of the arm's mean, robust to clustering by patient (the sandwich
        estimator with the small-sample factor G/(G-1)); with one week per patient it is the
        usual s^2/n up to that factor."""
        mean = (self.rate if of == "conversion" else self.per_patient) or 0.0
        count = len(self.clusters)
        if count < 2:
            return 0.0
        index = 1 if of == "conversion" else 2
        spread = sum((cell[index] - cell[0] * mean) ** 2 for cell in self.clusters)
        return count / (count - 1) * spread / self.patients**2

    def as_dict(self) -> dict:
        rate, per = self.rate, self.per_patient
        return {
            "patients": self.patients,
            "converted": self.converted,
            "conversion": None if rate is None else round(rate, 4),
            "revenue_per_patient": None if per is None else round(per, 2),
        }


def group(exposures: Iterable[Exposure]) -> Group:
    cells: dict[str, list[float]] = {}
    for e in exposures:
        cell = cells.setdefault(e.patient_id, [0, 0, 0.0])
        cell[0] += 1
        cell[1] += e.revenue is not None
        cell[2] += e.revenue or 0.0
    clusters = tuple((int(n), int(c), r) for n, c, r in cells.values())
    return Group(
        sum(n for n, _, _ in clusters),
        sum(c for _, c, _ in clusters),
        sum(r for _, _, r in clusters),
        clusters,
    )


def difference(offered: Group, held: Group, of: str) -> Difference:
    """Offered minus held out, with a normal-approximation 95% interval whose variance counts
    each patient once, however many weeks they were ready (None until each group has at least
    two patients)."""
    if len(offered.clusters) < 2 or len(held.clusters) < 2:
        return Difference(None, None, None)
    if of == "conversion":
        a, b = offered.rate or 0.0, held.rate or 0.0
    else:
        a, b = offered.per_patient or 0.0, held.per_patient or 0.0
    half = Z * math.sqrt(offered.variance(of) + held.variance(of))
    return Difference(a - b, a - b - half, a - b + half)


def lift(exposures: Iterable[Exposure]) -> dict:
    """Conversion and revenue per ready patient, offered against held out, and the lift."""
    found = list(exposures)
    offered, held = group(e for e in found if e.offered), group(e for e in found if not e.offered)
    return {
        "offered": offered.as_dict(),
        "held_out": held.as_dict(),
        "conversion_lift": difference(offered, held, "conversion").as_dict(),
        "revenue_lift_per_patient": difference(offered, held, "revenue").as_dict(),
    }


def taken_up(
    service_id: str, at: datetime, uptakes: list[tuple[datetime, str, float]], window: timedelta
) -> float | None:
    """What the patient paid for the service within the window after `at` (its booking and its
    visit are one sale: the larger); None when they did not take it up."""
    paid = [amount for when, sid, amount in uptakes if sid == service_id and at < when <= at + window]
    return max(paid) if paid else None
