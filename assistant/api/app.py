"""The application: the routers under /v1 (and at their old paths), /docs and /redoc from
assets served here (they work offline), and every error as `{"error": ..., "status": N}`:
ours mapped to 401, 403, 404, 409, 413, 422, 429 and 503 (a database or vector store that cannot
be reached, or a service not configured), the framework's own (unknown path, wrong
method, bad body), the middleware's (a body too large or too deep), and a bare 500 for anything
unexpected."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from assistant.api.middleware import BodyLimits, Failures, SecureHeaders, error_answer
from assistant.api.routers import (
    audit,
    auth,
    drafts,
    events,
    health,
    imports,
    learning,
    needs,
    offers,
    review,
    twilio,
    unsubscribe,
    users,
)
from assistant.app.outbox import Worker
from assistant.app.review import Review, open_review
from assistant.errors import (
    ConfigurationError,
    Conflict,
    CrosssellError,
    Forbidden,
    InputError,
    NotEligible,
    NotFound,
    TooLarge,
    TooManyAttempts,
    Unauthenticated,
)
from assistant.settings import Settings

STATUS = {
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    NotEligible: 409,
    TooLarge: 413,
    InputError: 422,
    TooManyAttempts: 429,
    ConfigurationError: 503,
}
VERSION = "/v1"
UPLOAD_FORM_BYTES = imports.MAPPING_LIMIT + 64 * 2**10
"""Beyond the export itself: a mapping, the other fields and the multipart framing."""
RESOURCES = (auth, events, imports, drafts, review, learning, users, audit)


def status_for(error: CrosssellError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500


def create_app(review: Review | None = None, *, worker: bool = False) -> FastAPI:
    """The API over `review`, or over the configured practice when None (opened at start-up
    and closed at shutdown, with its drafting backend). `worker`: the outbox is delivered by a
    thread of this process too (`crosssell serve`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if review is not None:
            app.state.review = review
            yield
            return
        with open_review() as opened:
            app.state.review = opened
            if not worker:
                yield
                return
            running = Worker(opened.outbox, opened.practice.settings.worker_poll_seconds).start()
            try:
                yield
            finally:
                running.stop()

    app = FastAPIOffline(
        title="crosssell",
        version="0.1.0",
        lifespan=lifespan,
        description="Cross-sell drafts for a cash-pay practice: push events, read the "
        "week's queue, draft, review, approve, send, record outcomes. "
        "Every path is served under /v1; the same paths without the "
        "prefix still work and are marked deprecated.",
    )
    app.state.drafting_lock = threading.Lock()
    _answer_errors(app)
    _guard(app, review.practice.settings if review else Settings())
    _route(app)
    return app


def configured_app() -> FastAPI:
    """The API over the configured practice (`CROSSSELL_*`), built in each of uvicorn's worker
    processes (`crosssell serve --workers N`). None of them delivers the outbox: `serve` does
    that once, in the process that supervises them."""
    return create_app(worker=False)


def _guard(app: FastAPI, settings: Settings) -> None:
    """Each one wraps those added before it: the headers, outermost, go on every answer. An
    export's upload may be larger than any other body: its limit is the file's, with room for
    the form around it (the route refuses a file over the limit itself)."""
    upload = settings.max_upload_bytes + UPLOAD_FORM_BYTES
    uploads = {f"{prefix}/imports": upload for prefix in ("", VERSION)}
    app.add_middleware(BodyLimits, max_bytes=settings.max_body_bytes, uploads=uploads)
    app.add_middleware(Failures)
    app.add_middleware(SecureHeaders)


def _route(app: FastAPI) -> None:
    """/v1 is canonical; the unprefixed copies keep older clients working, marked deprecated
    so generated clients and /docs steer to /v1. /health stays a plain probe at both."""
    app.include_router(health.router)
    app.include_router(health.router, prefix=VERSION)
    app.include_router(unsubscribe.router, prefix=VERSION)  # the links already sent say /v1
    app.include_router(twilio.router, prefix=VERSION)  # the URLs pasted into Twilio's console
    app.include_router(offers.router, prefix=VERSION)  # newer than the unprefixed paths
    app.include_router(needs.router, prefix=VERSION)
    for resource in RESOURCES:
        app.include_router(resource.router, prefix=VERSION)
        app.include_router(resource.router, deprecated=True)


def _answer_errors(app: FastAPI) -> None:
    app.add_exception_handler(CrosssellError, _our_error)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.add_exception_handler(HTTPException, _framework_error)


async def _our_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CrosssellError)
    status = status_for(exc)
    return error_answer(str(exc), status, _headers(exc, status))


def _headers(exc: CrosssellError, status: int) -> dict[str, str] | None:
    if status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, TooManyAttempts):
        return {"Retry-After": str(exc.retry_after)}
    return None


async def _bad_request(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}" for e in exc.errors()
    ]
    return error_answer("; ".join(problems), 422)


async def _framework_error(_: Request, exc: Exception) -> JSONResponse:
    """Starlette's own answers (an unknown path's 404, a wrong method's 405, with its Allow).
    A body it could not read at all (not UTF-8) is a bad body like any other: 422."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:
        return error_answer(f"body: could not be read ({exc.detail})", 422)
    return error_answer(str(exc.detail), exc.status_code, dict(exc.headers or {}) or None)
