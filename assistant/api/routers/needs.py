""" "Needs me": the drafts that wait for the caller's role, by what they do next, oldest
first, with who submitted, rejected or approved each one, when and their comment. /v1 only."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from assistant.api.deps import Desk, Me
from assistant.api.schemas import SIGNED_IN, DraftRow, View

router = APIRouter(tags=["needs"], responses=SIGNED_IN)


class Waiting(DraftRow):
    """A draft that waits for the caller, as listed, with its trail in words."""

    patient_name: str = Field(description="the patient's full name")
    since: str = Field(description="when the draft came into its status (ISO 8601)")
    blocking_guards: list[str] = Field(description="failing guards that stop it being submitted")
    approved_by: str | None = None
    approved_at: str | None = None
    approval_note: str | None = None


class NeedsGroup(View):
    key: str = Field(description="to_fix, rejected, to_submit, to_approve or to_send")
    title: str
    hint: str = Field(description="what the group's drafts wait for, in words")
    count: int
    items: list[Waiting] = Field(description="oldest first")


class Needs(View):
    role: str
    total: int = Field(description="how many drafts wait for the caller, all groups together")
    groups: list[NeedsGroup] = Field(description="the groups of the caller's role; none for QA")
    note: str | None = Field(description="why nothing can wait for this role, where nothing can")


@router.get("/needs", response_model=Needs)
def needs(user: Me, review: Desk) -> dict:
    """What waits for me (the reading is audited)."""
    return review.needs(user)
