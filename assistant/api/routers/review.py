"""The review steps on a draft: submit, approve or reject, send, and the patient's answer."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import Desk, Me
from assistant.api.schemas import (
    SIGNED_IN,
    Decision,
    DraftView,
    MessagePreview,
    OutcomeBody,
    OutcomeCorrection,
    Rejection,
    Step,
    TestSend,
    TestSentView,
)

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


@router.post("/drafts/{draft_id}/outcome/correction", response_model=DraftView)
def correct_outcome(draft_id: str, body: OutcomeCorrection, user: Me, review: Desk) -> dict:
    """Changes the recorded answer, or (`outcome` null) undoes it: the draft is `sent` again."""
    accepted = None if body.outcome is None else body.outcome == "accepted"
    return review.correct_outcome(user, draft_id, accepted, body.version).review_view()


@router.get("/drafts/{draft_id}/preview", response_model=MessagePreview)
def preview(draft_id: str, user: Me, review: Desk) -> dict:
    """The message as the patient would receive it if it were sent now."""
    shown = review.preview(user, draft_id)
    message = shown.message
    length = shown.length
    return {
        "channel": message.channel,
        "to": shown.to,
        "sender": message.sender,
        "reply_to": message.reply_to,
        "subject": message.subject,
        "text": message.text,
        "encoding": length.encoding if length else None,
        "units": length.units if length else None,
        "segments": length.segments if length else None,
    }


@router.post("/drafts/{draft_id}/test", response_model=TestSentView)
def send_test(draft_id: str, body: TestSend, user: Me, review: Desk) -> dict:
    """The draft sent to your own address as a test: no patient gets it; its status stays."""
    sent = review.send_test(user, draft_id, body.to)
    return {"channel": sent.channel, "to": sent.to, "via": sent.via}
