"""The append-only audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assistant.api.deps import Desk, Me
from assistant.api.schemas import SIGNED_IN, AuditEntryView

router = APIRouter(tags=["audit"], responses=SIGNED_IN)


@router.get("/audit", response_model=list[AuditEntryView])
def audit(
    user: Me,
    review: Desk,
    draft_id: str | None = None,
    patient_id: str | None = None,
    actor: str | None = None,
    limit: Annotated[int | None, Query(ge=1, le=10000)] = 500,
) -> list[dict]:
    """The append-only audit log: who did what to which draft, when, with before/after."""
    return [
        e.as_dict()
        for e in review.audit(user, draft_id=draft_id, patient_id=patient_id, user=actor, limit=limit)
    ]
