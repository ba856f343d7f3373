"""The unsubscribe link in every email: no login, as the law and the mailbox providers expect.
GET shows a page with one button and changes nothing (mail scanners open links); POST, from
that button or from the mailbox's own one-click button (RFC 8058), closes the patient's email."""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from assistant.api.deps import Desk
from assistant.api.schemas import errors
from assistant.errors import Forbidden
from assistant.sending import UnsubscribeLinks

router = APIRouter(tags=["unsubscribe"], responses=errors(422, 500))
PAGE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "a page for the patient"},
    403: {"content": {"text/html": {}}, "description": "the link is not one this practice sent"},
}


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, responses=PAGE)
def confirm(token: str, review: Desk) -> HTMLResponse:
    """A page asking the patient to confirm; the link is checked, nothing is recorded."""
    settings = review.practice.settings
    if UnsubscribeLinks.of(settings).message_id(token) is None:
        return _page(settings.practice_name, "This link is not valid.", 403)
    form = (
        '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit">Unsubscribe</button></form>'
    )
    return _page(settings.practice_name, "Stop receiving offers by email from us?", 200, form)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, responses=PAGE)
def unsubscribe(token: str, review: Desk) -> HTMLResponse:
    """Closes the patient's email for offers; a second click changes nothing."""
    name = review.practice.settings.practice_name
    try:
        review.unsubscribe(token)
    except Forbidden:
        return _page(name, "This link is not valid.", 403)
    return _page(name, "You are unsubscribed: we will not email you offers again.", 200)


def _page(practice: str, said: str, status: int, form: str = "") -> HTMLResponse:
    title = escape(practice or "Unsubscribe")
    body = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta name="viewport" content="width=device-width"></head>'
        f"<body><h1>{title}</h1><p>{escape(said)}</p>{form}</body></html>"
    )
    return HTMLResponse(body, status)
