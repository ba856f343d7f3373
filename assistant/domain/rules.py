"""The practice's eligibility and timing rules, with the BRIEF's defaults. Stored per practice."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Rules(BaseModel):
    """Every threshold the moment engine uses. Change one with `crosssell rules set NAME VALUE`."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    signal_days: int = Field(14, ge=1, description="a signal is recent for this many days")
    renewal_due_days: int = Field(21, ge=1, description="a renewal is due soon within this many days")
    peak_score: int = Field(9, ge=0, le=10, description="feedback at or above this is a peak")
    negative_score: int = Field(6, ge=0, le=10, description="feedback at or below this is negative")
    negative_block_days: int = Field(30, ge=0, description="complaint or negative feedback blocks offers")
    lukewarm_blocks: bool = Field(True, description="lukewarm feedback within the signal window blocks")
    cooldown_days: int = Field(30, ge=0, description="any offer starts a cooldown of this many days")
    declined_days: int = Field(90, ge=0, description="a declined offer is not repeated for this long")
    anchor_days: int = Field(180, ge=1, description="treatments this recent anchor a next step")
    milestone_step_pct: float = Field(5.0, gt=0, description="each step of this % lost is a milestone")
    lower_is_better: list[str] = Field(
        default_factory=lambda: ["weight", "body_fat", "waist", "bmi"],
        description="measurements where going down is progress",
    )
    goal_match_margin: float = Field(
        0.05, ge=0, le=1, description="offers within this similarity of the best goal match compete"
    )
    prior_rate: float = Field(0.15, gt=0, lt=1, description="acceptance rate assumed with no data")
    prior_strength: float = Field(10.0, gt=0, description="pseudo-outcomes behind each prior")
    no_answer_days: int = Field(30, ge=1, description="an offer unanswered this long counts as declined")
    attribution_days: int = Field(
        30, ge=1, description="a booking, visit or start of the offered service this soon after counts as yes"
    )
    holdout_share: float = Field(
        0.10,
        ge=0,
        lt=1,
        description="the share of each week's ready patients held out at random (a control group, "
        "to measure the lift)",
    )
    weekly_capacity: int = Field(
        12,
        ge=1,
        description="how many ready patients the practice can offer to in a week: the top this many "
        "by expected value are this week's queue (and what drafting the week drafts)",
    )
    explore: bool = Field(
        True,
        description="Thompson sampling: now and then present an offer the "
        "practice knows less about (false: expected value only)",
    )
    explore_floor: float = Field(
        0.05, ge=0, lt=1, description="an offer with less chance than this of being the best is not explored"
    )

    send_from_hour: int = Field(
        8, ge=0, le=23, description="messages reach a patient from this hour, in the patient's own time"
    )
    send_until_hour: int = Field(
        21, ge=1, le=24, description="...until this hour; one sent later waits for the next morning"
    )
    messages_per_30_days: int = Field(
        2, ge=1, description="the most marketing messages a patient gets in any 30 days, all channels"
    )

    @model_validator(mode="after")
    def _window(self) -> Rules:
        if self.send_from_hour >= self.send_until_hour:
            raise ValueError("send_from_hour must be before send_until_hour")
        return self

    @classmethod
    def field_help(cls) -> dict[str, str]:
        return {name: info.description or "" for name, info in cls.model_fields.items()}
