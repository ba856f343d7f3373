"""Rows of the drafts table as a database holds them, for storage tests below the service."""

from __future__ import annotations

import orjson


def stored_draft(draft_id: str, created_at: int, status: str = "drafted") -> dict:
    return {
        "id": draft_id,
        "patient_id": "p1",
        "as_of": "2026-11-24",
        "moment": "booking",
        "offer": "hydrafacial",
        "channel": "email",
        "drafter": "template",
        "status": status,
        "passed": True,
        "created_at": created_at,
        "record": orjson.dumps({"id": draft_id, "status": status}).decode(),
    }
