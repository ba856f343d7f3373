"""What the practice's outcomes taught: converters, the off-policy estimate, the diagnostic."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assistant.api.deps import AsOf, Desk, Me
from assistant.api.schemas import SIGNED_IN, Diagnostic, LearningReport

router = APIRouter(tags=["learning"], responses=SIGNED_IN)


@router.get("/learning", response_model=LearningReport)
def learning(user: Me, review: Desk, as_of: AsOf, top: Annotated[int, Query(ge=1, le=50)] = 3) -> dict:
    """Top and bottom converters per moment and segment, with intervals, and the
    off-policy estimate of the current policy against always-the-top-rule."""
    return review.learning(user, as_of, top)


@router.get("/diagnostic", response_model=Diagnostic)
def revenue_diagnostic(user: Me, review: Desk, as_of: AsOf) -> dict:
    """The article's revenue figures from this practice's year, beside the article's."""
    return review.diagnostic(user, as_of)
