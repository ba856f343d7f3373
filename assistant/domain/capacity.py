"""The week's capacity: a practice can offer to so many patients a week (rule `weekly_capacity`).
The top of the ready queue by expected value is this week's; the rest is also ready, for later
or for a coordinator who has time. A patient drawn for the control group takes no place: the
week's places go to patients who will be offered, and the control group is drawn from the same
top of the queue as they are (so the lift compares like with like). An offer already made this
week has taken its place: the week's capacity is for offers, not for each day's queue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(slots=True)
class Week:
    """The ids of this week's patients, in queue order, and of those drawn for the control group
    before the week was full (the ones to hold out when the week is drafted)."""

    this_week: list[str] = field(default_factory=list)
    held_out: list[str] = field(default_factory=list)
    offered: int = 0
    """Patients already presented an offer this week, who took their places before this queue."""


def fill(ranked: Sequence[str], capacity: int, held: Callable[[str], bool], offered: int = 0) -> Week:
    """Walks the queue (highest expected value first) until `capacity` patients, less the
    `offered` ones this week already, are this week's; `held(patient_id)` says whether the
    patient is drawn for the control group."""
    week = Week(offered=offered)
    capacity -= offered
    for patient_id in ranked:
        if len(week.this_week) >= capacity:
            break
        (week.held_out if held(patient_id) else week.this_week).append(patient_id)
    return week
