"""A coordinator's own calls on the week: another eligible offer for a draft, and a patient set
aside for the week with a reason (not the patient's answer), or taken back. Under /v1 only."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from assistant.api.deps import AsOf, Desk, DraftingLock, Me
from assistant.api.schemas import DAY_DEFAULT_TODAY, SIGNED_IN, Day, DraftView, View
from assistant.domain.review import DISMISS_NOTE_LIMIT, DISMISS_REASONS

router = APIRouter(tags=["offers"], responses=SIGNED_IN)

Reason = Literal["spoke_already", "not_now", "not_a_fit", "other"]


class Alternative(View):
    """An offer the draft's patient is eligible for now, with its evidence."""

    offer: str
    offer_name: str
    moment: str
    price: float
    p_accept: float = Field(description="the estimated chance the patient accepts")
    interval: list[float] = Field(description="the estimate's 95% interval")
    expected_value: float = Field(description="price x p_accept")
    evidence: str
    reasons: list[str]
    current: bool = Field(description="the draft's own offer")


class OfferChange(BaseModel):
    offer: str = Field(description="the service id of one of the draft's alternatives")
    version: int | None = Field(default=None, description="when given, must be current")


class NewDismissal(BaseModel):
    reason: Reason = Field(description="; ".join(f"{k}: {v}" for k, v in DISMISS_REASONS.items()))
    note: str = Field(default="", max_length=DISMISS_NOTE_LIMIT, description='required for "other"')
    as_of: Day | None = Field(default=None, description=DAY_DEFAULT_TODAY + "; the week it counts for")


class Dismissal(View):
    patient_id: str
    week: str = Field(description='the ISO week: "2026-W48"')
    as_of: str
    reason: str
    note: str
    by: str
    at: str
    closed_draft: str | None = Field(description="the patient's unsent draft, closed as superseded")


@router.get("/drafts/{draft_id}/alternatives", response_model=list[Alternative])
def alternatives(draft_id: str, user: Me, review: Desk) -> list[dict]:
    """The offers the draft's patient is eligible for now, best expected value first."""
    return review.alternatives(user, draft_id)


@router.post("/drafts/{draft_id}/offer", response_model=DraftView)
def change_offer(draft_id: str, body: OfferChange, user: Me, review: Desk, lock: DraftingLock) -> dict:
    """Switches an open draft to another eligible offer, written afresh and checked; an offer
    the patient is not eligible for is a 422 naming those they are."""
    with lock:
        return review.change_offer(user, draft_id, body.offer, body.version).review_view()


@router.get("/dismissals", response_model=list[Dismissal])
def dismissals(user: Me, review: Desk, as_of: AsOf) -> list[dict]:
    """The patients set aside for the week of `as_of`."""
    return review.dismissals(user, as_of)


@router.post("/patients/{patient_id}/dismiss", status_code=201, response_model=Dismissal)
def dismiss(patient_id: str, body: NewDismissal, user: Me, review: Desk) -> dict:
    """Sets the patient aside for the week: out of its queue, their unsent draft closed. It is
    not a decline: nothing reaches the learning."""
    return review.dismiss(user, patient_id, body.reason, body.note, body.as_of)


@router.delete("/patients/{patient_id}/dismiss", response_model=Dismissal)
def undo_dismissal(patient_id: str, user: Me, review: Desk, as_of: AsOf) -> dict:
    """Takes back this week's dismissal: the patient is in the queue again."""
    return review.undo_dismissal(user, patient_id, as_of)
