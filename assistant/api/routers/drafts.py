"""The week's queue and its drafts: listing, drafting, opening, checking and editing them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from assistant.api.deps import AsOf, Desk, DraftingLock, Me, Today
from assistant.api.schemas import (
    SIGNED_IN,
    Check,
    Day,
    DraftRow,
    DraftView,
    Edit,
    HistoryEvent,
    NewDraft,
    Queue,
    Step,
    Week,
    WeekDrafted,
)
from assistant.drafting.content import Draft, GuardResult

router = APIRouter(tags=["drafts"], responses=SIGNED_IN)


@router.get("/queue", response_model=Queue)
def queue(user: Me, review: Desk, as_of: AsOf, limit: Annotated[int | None, Query(ge=0)] = None) -> dict:
    """Who is ready this week, what to offer, why, and their draft if one exists."""
    return review.queue(user, as_of, limit)


@router.get("/drafts", response_model=list[DraftRow])
def list_drafts(
    user: Me,
    review: Desk,
    as_of: Day | None = None,
    status: Annotated[list[str] | None, Query()] = None,
    moment: str | None = None,
    patient_id: str | None = None,
) -> list[dict]:
    return review.drafts(user, as_of=as_of, statuses=status, moment=moment, patient_id=patient_id)


@router.post(
    "/drafts",
    status_code=201,
    response_model=DraftView,
    responses={200: {"model": DraftView, "description": "the patient's open draft, returned instead"}},
)
def create_draft(
    body: NewDraft, user: Me, review: Desk, today: Today, lock: DraftingLock, response: Response
) -> dict:
    """Drafts for a ready patient (201). A patient with an open draft gets that one back (200):
    one offer at a time."""
    with lock:
        draft, new = review.create_or_open(user, body.patient_id, body.as_of or today, body.channel)
    if not new:
        response.status_code = 200
    return draft.review_view()


@router.post("/drafts/week", status_code=201, response_model=WeekDrafted)
def draft_week(body: Week, user: Me, review: Desk, today: Today, lock: DraftingLock) -> dict:
    with lock:
        week = review.draft_week(user, body.as_of or today, body.limit)
    return week.as_dict(Draft.review_view)


@router.get("/drafts/{draft_id}", response_model=DraftView)
def get_draft(draft_id: str, user: Me, review: Desk) -> dict:
    """Opens a draft (the view is audited)."""
    return review.get(user, draft_id).review_view()


@router.get("/drafts/{draft_id}/history", response_model=list[HistoryEvent])
def draft_history(draft_id: str, user: Me, review: Desk) -> list[dict]:
    return review.history(user, draft_id)


@router.post("/drafts/{draft_id}/check", response_model=list[GuardResult])
def check(draft_id: str, body: Check, user: Me, review: Desk) -> list[GuardResult]:
    """The guards on unsaved text: what a coordinator sees before saving."""
    return review.check(user, draft_id, body.subject, body.body)


@router.patch("/drafts/{draft_id}", response_model=DraftView)
def edit(draft_id: str, body: Edit, user: Me, review: Desk) -> dict:
    return review.edit(user, draft_id, body.version, body.subject, body.body).review_view()


@router.post("/drafts/{draft_id}/regenerate", response_model=DraftView)
def regenerate(draft_id: str, body: Step, user: Me, review: Desk, lock: DraftingLock) -> dict:
    with lock:
        return review.regenerate(user, draft_id, body.version).review_view()
