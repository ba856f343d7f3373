"""Is the service up (for probes and `crosssell serve`'s own start-up check)."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.api.schemas import Health, errors

router = APIRouter(tags=["service"], responses=errors(500))


@router.get("/health", response_model=Health)
def health() -> dict:
    return {"status": "ok"}
