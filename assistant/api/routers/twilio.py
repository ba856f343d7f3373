"""Twilio's webhooks, with no login: Twilio signs each call with the account's auth token
(X-Twilio-Signature), and a call without a valid signature is refused (403) and audited.
`/webhooks/twilio/status` takes the carrier's reports on a message sent; `/webhooks/twilio/sms`
takes what a patient texts the practice's number."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from assistant.api.deps import Desk
from assistant.api.schemas import errors
from assistant.app.review import CARRIER_RANK, Review
from assistant.errors import Forbidden, InputError
from assistant.sending import INBOUND_PATH, STATUS_PATH, twilio_signed

router = APIRouter(tags=["webhooks"], responses=errors(403, 422, 500))
TWIML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/xml": {}}, "description": "an empty TwiML answer: nothing is texted back"}
}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
FIELD_LIMIT = 2000
"""The longest field taken: an SMS body is at most 1,600 characters."""


@router.post("/webhooks/twilio/status", status_code=204, response_class=Response)
async def status(request: Request, review: Desk) -> Response:
    """A message's state as Twilio reports it (MessageSid, MessageStatus, ErrorCode)."""
    form = await _signed(request, review, STATUS_PATH)
    sid, state = _field(form, "MessageSid"), _field(form, "MessageStatus").lower()
    if state not in CARRIER_RANK:
        raise InputError(f"MessageStatus {state[:20]!r} is not one of Twilio's message states")
    await run_in_threadpool(review.carrier_status, sid, state, form.get("ErrorCode") or None)
    return Response(status_code=204)


@router.post("/webhooks/twilio/sms", response_class=Response, responses=TWIML)
async def sms(request: Request, review: Desk) -> Response:
    """An SMS to the practice's number (From, Body, OptOutType): STOP, START and HELP (or
    Twilio's OptOutType) go to the consent ledger, anything else onto the patient's timeline."""
    form = await _signed(request, review, INBOUND_PATH)
    sender, sid = _field(form, "From"), form.get("MessageSid", "")
    body = form.get("Body", "")
    await run_in_threadpool(review.sms_received, sender, body, form.get("OptOutType"), sid)
    return Response(EMPTY_TWIML, media_type="text/xml")


async def _signed(request: Request, review: Review, path: str) -> dict[str, str]:
    """The form Twilio posted, once its signature is checked against the public URL."""
    form = {key: value for key, value in (await request.form()).multi_items() if isinstance(value, str)}
    signature = request.headers.get("X-Twilio-Signature", "")
    if not twilio_signed(review.practice.settings, path, form, signature):
        await run_in_threadpool(review.twilio_refused, path)
        raise Forbidden("this webhook call does not carry Twilio's signature for this practice")
    if any(len(value) > FIELD_LIMIT for value in form.values()):
        raise InputError(f"a field is longer than {FIELD_LIMIT} characters")
    return form


def _field(form: dict[str, str], name: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise InputError(f"{name} is missing")
    return value
