"""The HTTP API (`crosssell serve`) for the booking/EHR system and any other client.

A thin edge over the review desk: it authenticates the bearer token, turns bodies into calls,
and maps our errors to statuses (401, 403, 404, 409, 422, 502). OpenAPI docs at /docs.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from assistant.app.accounts import User
from assistant.app.review import Review, open_review
from assistant.domain.review import Action, Role, authorise
from assistant.drafting.content import Draft
from assistant.errors import (
    Conflict,
    CrosssellError,
    Forbidden,
    InputError,
    NotEligible,
    NotFound,
    Unauthenticated,
)
from assistant.sending import SendError

STATUS = {Unauthenticated: 401, Forbidden: 403, NotFound: 404, Conflict: 409, NotEligible: 409,
          InputError: 422, SendError: 502}
JSON_LINES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines",
              "text/plain")


def status_for(error: CrosssellError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500


# Bodies ----------------------------------------------------------------------------------

class Login(BaseModel):
    user_id: str
    password: str


class NewDraft(BaseModel):
    patient_id: str
    as_of: date | None = Field(default=None, description="default: today")
    channel: Literal["email", "sms"] | None = None


class Week(BaseModel):
    as_of: date | None = None
    limit: int | None = Field(default=None, ge=0)


class Edit(BaseModel):
    version: int = Field(description="the version you opened; a stale one is refused (409)")
    subject: str | None = None
    body: str | None = None


class Check(BaseModel):
    subject: str = ""
    body: str


class Step(BaseModel):
    version: int | None = Field(default=None, description="when given, must be current")
    comment: str = ""


class Rejection(BaseModel):
    version: int | None = None
    comment: str = Field(min_length=1, description="what to change")


class OutcomeBody(BaseModel):
    outcome: Literal["accepted", "declined"]
    version: int | None = None


class Reply(BaseModel):
    patient_id: str
    channel: Literal["email", "sms"]
    text: str
    at: datetime | None = None


class NewUser(BaseModel):
    user_id: str
    role: Role
    password: str
    name: str = ""


# Who is asking ------------------------------------------------------------------------------

bearer = HTTPBearer(auto_error=False)


def desk(request: Request) -> Review:
    return request.app.state.review


def current_user(request: Request, credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User:
    token = credentials.credentials if credentials else None
    return desk(request).accounts.authenticate(token)


def drafting(request: Request) -> threading.Lock:
    """One drafting run at a time: the embedding model and the vector store are shared."""
    return request.app.state.drafting_lock


Desk = Annotated[Review, Depends(desk)]
Me = Annotated[User, Depends(current_user)]


# The application ----------------------------------------------------------------------------

def create_app(review: Review | None = None) -> FastAPI:
    """The API over `review`, or over the configured practice when None (opened at start-up
    and closed at shutdown, with its drafting backend)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if review is not None:
            app.state.review = review
            yield
            return
        with open_review() as opened:
            app.state.review = opened
            yield

    app = FastAPI(title="crosssell", version="0.1.0", lifespan=lifespan,
                  description="Cross-sell drafts for a cash-pay practice: push events, read the "
                              "week's queue, draft, review, approve, send, record outcomes.")
    app.state.drafting_lock = threading.Lock()

    @app.exception_handler(CrosssellError)
    async def our_errors(_: Request, exc: CrosssellError) -> JSONResponse:
        status = status_for(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"error": str(exc), "status": status}, status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def bad_body(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
                    for e in exc.errors()]
        return JSONResponse({"error": "; ".join(problems), "status": 422}, 422)

    @app.get("/health", tags=["service"])
    def health() -> dict:
        return {"status": "ok"}

    @app.post("/auth/token", tags=["auth"])
    def login(body: Login, review: Desk) -> dict:
        """Exchange a user id and password for a session token (Bearer)."""
        user, token = review.login(body.user_id, body.password)
        return {"token": token, "token_type": "bearer", "user": user.as_dict(),
                "expires_in_hours": review.accounts.session_hours}

    @app.post("/auth/logout", tags=["auth"])
    def logout(user: Me, review: Desk, credentials: Annotated[
            HTTPAuthorizationCredentials | None, Depends(bearer)]) -> dict:
        """Ends this session: the token stops working at once."""
        review.logout(credentials.credentials)
        return {"logged_out": user.id}

    @app.get("/me", tags=["auth"])
    def me(user: Me) -> dict:
        return user.as_dict()

    # Events from the booking system -----------------------------------------------------------

    @app.post("/events", tags=["events"])
    async def push_events(request: Request, user: Me, review: Desk) -> JSONResponse:
        """Services, patients and events in the import contract: one JSON object, a JSON array,
        or JSON Lines (`application/x-ndjson`). Good lines are stored, bad ones reported by
        line number; 422 when no line could be stored."""
        authorise(user.role, Action.PUSH_EVENTS)
        lines = _lines(await request.body(), request.headers.get("content-type", ""))
        report = review.push(user, lines)
        stored = report.lines - len(report.rejected)
        body = report.as_dict()
        if report.rejected and stored == 0:
            body = {"error": "; ".join(str(r) for r in report.rejected[:20]), "status": 422,
                    **body}
            return JSONResponse(body, 422)
        return JSONResponse(body)

    @app.post("/replies", tags=["events"])
    def reply(body: Reply, user: Me, review: Desk) -> dict:
        """A patient's reply. STOP (UNSUBSCRIBE, CANCEL, END, QUIT...) becomes an opt-out of
        that channel; other text is kept as the patient's feedback."""
        kind = review.reply(user, body.patient_id, body.channel, body.text, body.at)
        return {"patient_id": body.patient_id, "recorded": kind}

    # The week and its drafts ------------------------------------------------------------------

    @app.get("/queue", tags=["drafts"])
    def queue(user: Me, review: Desk, as_of: date | None = None,
              limit: Annotated[int | None, Query(ge=0)] = None) -> dict:
        """Who is ready this week, what to offer, why, and their draft if one exists."""
        return review.queue(user, as_of or review.clock.today(), limit)

    @app.get("/drafts", tags=["drafts"])
    def list_drafts(user: Me, review: Desk, as_of: date | None = None,
                    status: Annotated[list[str] | None, Query()] = None,
                    moment: str | None = None, patient_id: str | None = None) -> list[dict]:
        return review.drafts(user, as_of=as_of, statuses=status, moment=moment,
                             patient_id=patient_id)

    @app.post("/drafts", tags=["drafts"], status_code=201)
    def create_draft(body: NewDraft, user: Me, review: Desk, request: Request) -> dict:
        with drafting(request):
            draft = review.create(user, body.patient_id, body.as_of or review.clock.today(), body.channel)
        return draft.review_view()

    @app.post("/drafts/week", tags=["drafts"], status_code=201)
    def draft_week(body: Week, user: Me, review: Desk, request: Request) -> dict:
        with drafting(request):
            week = review.draft_week(user, body.as_of or review.clock.today(), body.limit)
        return {"as_of": week.as_of.isoformat(), "ready": week.ready,
                "drafts": [d.review_view() for d in week.drafts],
                "not_drafted": [{"patient_id": p, "reason": r} for p, r in week.failed]}

    @app.get("/drafts/{draft_id}", tags=["drafts"])
    def get_draft(draft_id: str, user: Me, review: Desk) -> dict:
        """Opens a draft (the view is audited)."""
        return review.get(user, draft_id).review_view()

    @app.get("/drafts/{draft_id}/history", tags=["drafts"])
    def draft_history(draft_id: str, user: Me, review: Desk) -> list[dict]:
        return review.history(user, draft_id)

    @app.post("/drafts/{draft_id}/check", tags=["drafts"])
    def check(draft_id: str, body: Check, user: Me, review: Desk) -> list[dict]:
        """The guards on unsaved text: what a coordinator sees before saving."""
        return [g.model_dump() for g in review.check(user, draft_id, body.subject, body.body)]

    @app.patch("/drafts/{draft_id}", tags=["drafts"])
    def edit(draft_id: str, body: Edit, user: Me, review: Desk) -> dict:
        return _view(review.edit(user, draft_id, body.version, body.subject, body.body))

    @app.post("/drafts/{draft_id}/regenerate", tags=["drafts"])
    def regenerate(draft_id: str, body: Step, user: Me, review: Desk, request: Request) -> dict:
        with drafting(request):
            return _view(review.regenerate(user, draft_id, body.version))

    @app.post("/drafts/{draft_id}/submit", tags=["review"])
    def submit(draft_id: str, body: Step, user: Me, review: Desk) -> dict:
        return _view(review.submit(user, draft_id, body.version, body.comment))

    @app.post("/drafts/{draft_id}/approve", tags=["review"])
    def approve(draft_id: str, body: Step, user: Me, review: Desk) -> dict:
        return _view(review.approve(user, draft_id, body.version, body.comment))

    @app.post("/drafts/{draft_id}/reject", tags=["review"])
    def reject(draft_id: str, body: Rejection, user: Me, review: Desk) -> dict:
        return _view(review.reject(user, draft_id, body.comment, body.version))

    @app.post("/drafts/{draft_id}/send", tags=["review"])
    def send(draft_id: str, body: Step, user: Me, review: Desk) -> dict:
        return _view(review.send(user, draft_id, body.version))

    @app.post("/drafts/{draft_id}/outcome", tags=["review"])
    def outcome(draft_id: str, body: OutcomeBody, user: Me, review: Desk) -> dict:
        return _view(review.outcome(user, draft_id, body.outcome == "accepted", body.version))

    # What was learned ------------------------------------------------------------------------

    @app.get("/learning", tags=["learning"])
    def learning(user: Me, review: Desk, as_of: date | None = None,
                 top: Annotated[int, Query(ge=1, le=50)] = 3) -> dict:
        """Top and bottom converters per moment and segment, with intervals, and the
        off-policy estimate of the current policy against always-the-top-rule."""
        return review.learning(user, as_of or review.clock.today(), top)

    @app.get("/diagnostic", tags=["learning"])
    def revenue_diagnostic(user: Me, review: Desk, as_of: date | None = None) -> dict:
        """The article's revenue figures from this practice's year, beside the article's."""
        return review.diagnostic(user, as_of or review.clock.today())

    # Users and the audit log -----------------------------------------------------------------

    @app.get("/users", tags=["users"])
    def users(user: Me, review: Desk) -> list[dict]:
        return [u.as_dict() for u in review.users(user)]

    @app.post("/users", tags=["users"], status_code=201)
    def add_user(body: NewUser, user: Me, review: Desk) -> dict:
        """Adds a user; the answer holds their API token, shown this once."""
        added, token = review.add_user(user, body.user_id, body.role.value, body.password,
                                       body.name)
        return {"user": added.as_dict(), "token": token}

    @app.post("/users/{user_id}/disable", tags=["users"])
    def disable_user(user_id: str, user: Me, review: Desk) -> dict:
        return review.disable_user(user, user_id).as_dict()

    @app.get("/audit", tags=["audit"])
    def audit(user: Me, review: Desk, draft_id: str | None = None,
              patient_id: str | None = None, actor: str | None = None,
              limit: Annotated[int | None, Query(ge=1, le=10000)] = 500) -> list[dict]:
        """The append-only audit log: who did what to which draft, when, with before/after."""
        return [e.as_dict() for e in review.audit(user, draft_id=draft_id,
                                                  patient_id=patient_id, user=actor,
                                                  limit=limit)]

    return app


def _view(draft: Draft) -> dict:
    return draft.review_view()


def _lines(raw: bytes, content_type: str) -> list[bytes]:
    """The body as contract lines: a JSON object or array, or JSON Lines."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if not raw.strip():
        raise InputError("the body is empty: send a JSON object, a JSON array or JSON Lines")
    if kind in JSON_LINES:
        return raw.splitlines()
    try:
        value: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        # Not one JSON document: read it as JSON Lines, so each bad line is named by number.
        return raw.splitlines()
    items = value if isinstance(value, list) else [value]
    return [orjson.dumps(item) for item in items]
