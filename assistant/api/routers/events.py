"""What the booking system pushes: contract lines, and patients' replies."""

from __future__ import annotations

import codecs
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant.api.deps import Desk, Me
from assistant.api.schemas import SIGNED_IN, Error, ImportRefused, ImportSummary, Reply, ReplyRecorded

JSON_LINES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "text/plain")

router = APIRouter(tags=["events"], responses=SIGNED_IN)


@router.post(
    "/events",
    response_model=ImportSummary,
    responses={
        422: {
            "model": ImportRefused | Error,
            "description": "no line could be stored (the error and the whole report), or nothing was sent",
        }
    },
)
async def push_events(request: Request, user: Me, review: Desk) -> JSONResponse:
    """Services, patients and events in the import contract: one JSON object, a JSON array,
    or JSON Lines (`application/x-ndjson`). Good lines are stored, bad ones reported by
    line number; 422 when no line could be stored."""
    body, kind = await request.body(), request.headers.get("content-type", "")
    # Only reading the body waits in the event loop; parsing and storing run in the thread pool.
    report = await run_in_threadpool(lambda: review.push(user, _lines(body, kind)))
    stored = report.lines - len(report.rejected)
    summary = report.as_dict()
    if report.rejected and stored == 0:
        summary = {"error": "; ".join(str(r) for r in report.rejected[:20]), "status": 422, **summary}
        return JSONResponse(summary, 422)
    return JSONResponse(summary)


@router.post("/replies", response_model=ReplyRecorded)
def reply(body: Reply, user: Me, review: Desk) -> dict:
    """A patient's reply. STOP (UNSUBSCRIBE, CANCEL, END, QUIT...) becomes an opt-out of
    that channel, STOPALL or a refusal in plain words ("please stop texting me") an opt-out of
    every channel, START or UNSTOP an opt-in to that channel again; HELP (`help`) and other
    text are kept as the patient's feedback."""
    kind = review.reply(user, body.patient_id, body.channel, body.text, body.at)
    return {"patient_id": body.patient_id, "recorded": kind}


def _lines(raw: bytes, content_type: str) -> list[bytes]:
    """The body as contract lines: a JSON object or array, or JSON Lines (a UTF-8 byte-order
    mark before either is left out)."""
    raw = raw.removeprefix(codecs.BOM_UTF8)
    kind = content_type.split(";", 1)[0].strip().lower()
    if not raw.strip():
        return []  # the desk says what is wrong, once it knows the caller may push at all
    if kind in JSON_LINES:
        return raw.splitlines()
    try:
        value: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        # Not one JSON document: read it as JSON Lines, so each bad line is named by number.
        return raw.splitlines()
    items = value if isinstance(value, list) else [value]
    return [orjson.dumps(item) for item in items]
