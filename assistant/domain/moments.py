"""The eight cross-sell moments of a patient's journey (the article's list)."""

from enum import StrEnum


class Moment(StrEnum):
    BOOKING = "booking"
    INTAKE = "intake"
    RESULTS_VISIBLE = "results_visible"
    POST_TREATMENT_SUMMARY = "post_treatment_summary"
    CHECK_IN = "check_in"
    REBOOKING_RENEWAL = "rebooking_renewal"
    REFERRAL = "referral"
    GOAL_CHANGE = "goal_change"

    @property
    def label(self) -> str:
        return MOMENT_LABELS[self]

    @property
    def at(self) -> str:
        """The moment after "offered ... ": "at booking", "at first results visible" (the
        label of booking already says "at", and a reason must not read "at at booking")."""
        label = self.label
        return label if label.startswith("at ") else f"at {label}"


MOMENT_LABELS: dict[Moment, str] = {
    Moment.BOOKING: "at booking",
    Moment.INTAKE: "intake / first consultation",
    Moment.RESULTS_VISIBLE: "first results visible",
    Moment.POST_TREATMENT_SUMMARY: "post-treatment summary",
    Moment.CHECK_IN: "post-treatment check-in",
    Moment.REBOOKING_RENEWAL: "rebooking / renewal",
    Moment.REFERRAL: "referral",
    Moment.GOAL_CHANGE: "goal change",
}

MOMENT_IDS: frozenset[str] = frozenset(m.value for m in Moment)
