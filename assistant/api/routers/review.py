"""The review steps on a draft: submit, approve or reject, send, and the patient's answer."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import Desk, Me
from assistant.api.schemas import SIGNED_IN, Decision, DraftView, OutcomeBody, Rejection, Step

router = APIRouter(tags=["review"], responses=SIGNED_IN)


@router.post("/drafts/{draft_id}/submit", response_model=DraftView)
def submit(draft_id: str, body: Step, user: Me, review: Desk) -> dict:
    return review.submit(user, draft_id, body.version, body.comment).review_view()


@router.post("/drafts/{draft_id}/approve", response_model=DraftView)
def approve(draft_id: str, body: Decision, user: Me, review: Desk) -> dict:
    return review.approve(user, draft_id, body.version, body.comment).review_view()


@router.post("/drafts/{draft_id}/reject", response_model=DraftView)
def reject(draft_id: str, body: Rejection, user: Me, review: Desk) -> dict:
    return review.reject(user, draft_id, body.comment, body.version).review_view()


@router.post("/drafts/{draft_id}/send", response_model=DraftView)
def send(draft_id: str, body: Step, user: Me, review: Desk) -> dict:
    """Hands the approved draft to the outbox (`status` queued, then sent once delivered); its
    `delivery` says where the message is."""
    return review.send(user, draft_id, body.version).review_view()


@router.post("/drafts/{draft_id}/outcome", response_model=DraftView)
def outcome(draft_id: str, body: OutcomeBody, user: Me, review: Desk) -> dict:
    return review.outcome(user, draft_id, body.outcome == "accepted", body.version).review_view()
