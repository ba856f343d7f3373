"""Patient segments and price bands, the cells the conversion model learns in.

A segment is the patient's line of care (from the record's `segment`, or derived from the
categories of the services they have had), new or returning, and an age band. A price band
places an offer's price against what the patient usually spends a visit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from statistics import median

from assistant.domain.history import History, Menu
from assistant.domain.records import Patient

UNKNOWN = "unknown"
FIRST_PURCHASE = "first purchase"


@dataclass(frozen=True, slots=True)
class Profile:
    """What the model knows of a patient's type."""

    line: str = UNKNOWN
    tenure: str | None = None
    age_band: str | None = None
    usual_spend: float | None = None

    def describe(self, labels: dict[str, str]) -> str:
        """'weight-loss patients', as a coordinator would say it."""
        if self.line == UNKNOWN:
            return "patients"
        return f"{labels.get(self.line, self.line)} patients"

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "tenure": self.tenure,
            "age_band": self.age_band,
            "usual_spend": self.usual_spend,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Profile:
        return cls(
            str(data.get("line") or UNKNOWN),
            data.get("tenure"),
            data.get("age_band"),
            data.get("usual_spend"),
        )


@dataclass(frozen=True, slots=True)
class Segmentation:
    """The practice's segment rules (knowledge/segments.json)."""

    lines: dict[str, str]
    labels: dict[str, str]
    age_edges: tuple[int, ...] = (35, 50)
    band_edges: tuple[float, float] = (0.75, 1.5)

    @classmethod
    def from_config(cls, config: dict) -> Segmentation:
        lines = {
            category: line for line, categories in config.get("lines", {}).items() for category in categories
        }
        edges = config.get("price_band_edges", [0.75, 1.5])
        return cls(
            lines,
            dict(config.get("labels", {})),
            tuple(config.get("age_edges", [35, 50])),
            (float(edges[0]), float(edges[1])),
        )

    def profile(self, history: History, menu: Menu, as_of: date) -> Profile:
        """The patient's profile from their whole record as of a day."""
        visits = [
            (e.service_id, e.number("amount"))
            for e in history.of_kind("visit_completed")
            if e.at.date() <= as_of
        ]
        amounts = [a for _, a in visits if a]
        return Profile(
            self.line(history.patient, [s for s, _ in visits], menu),
            "returning" if len(visits) > 1 else "new",
            self.age_band(history.patient, as_of),
            float(median(amounts)) if amounts else None,
        )

    def record_profile(self, patient: Patient, as_of: date) -> Profile:
        """What the patient record alone says (for a patient whose visits are not loaded)."""
        line = self._declared(patient)
        return Profile(line or UNKNOWN, None, self.age_band(patient, as_of), None)

    def line(self, patient: Patient, service_ids: list[str | None], menu: Menu) -> str:
        declared = self._declared(patient)
        if declared:
            return declared
        counts = Counter(
            self.lines.get(s.category.lower(), UNKNOWN) for i in service_ids if (s := menu.get(i))
        )
        counts.pop(UNKNOWN, None)
        return counts.most_common(1)[0][0] if counts else UNKNOWN

    def _declared(self, patient: Patient) -> str | None:
        segment = (patient.segment or "").strip().lower()
        if not segment:
            return None
        return self.lines.get(segment, segment)

    def age_band(self, patient: Patient, as_of: date) -> str | None:
        if patient.birth_date is None:
            return None
        born = patient.birth_date
        age = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
        low = 0
        for edge in self.age_edges:
            if age < edge:
                return f"{low}-{edge - 1}" if low else f"under {edge}"
            low = edge
        return f"{low}+"

    def price_band(self, price: float, profile: Profile) -> str:
        if not profile.usual_spend:
            return FIRST_PURCHASE
        ratio = price / profile.usual_spend
        low, high = self.band_edges
        if ratio < low:
            return "below usual spend"
        if ratio > high:
            return "above usual spend"
        return "about usual spend"
