"""What every request and answer passes through, as plain ASGI around the routes: a body over
the size limit or nested too deep is refused before a route reads it; a failure nobody
foresaw is a bare 500 whose log line says where it happened but not what the data was; and
every answer carries the headers that keep it out of caches, frames and content sniffing."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi.responses import JSONResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

HEADERS = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
)
"""Patient data is never cached, framed, sniffed into another type or named to another site."""
MAX_DEPTH = 32
"""The deepest nesting of arrays and objects a body may have; the contract needs three."""
log = logging.getLogger("crosssell.api")


def error_answer(message: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    """Every 4xx and 5xx: `{"error": ..., "status": N}`."""
    return JSONResponse({"error": message, "status": status}, status, headers=headers)


class SecureHeaders:
    """Adds `HEADERS` to every answer, the errors' included, unless a route set its own."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = list(message.get("headers", []))
                named = {name.lower() for name, _ in own}
                message["headers"] = own + [(n, v) for n, v in HEADERS if n not in named]
            await send(message)

        await self.app(scope, receive, stamped)


class Failures:
    """An exception no handler answered: a bare 500, and a log line with the exception's type
    and the frames it passed, never its text, which may hold a patient's data (a database
    error's parameters, a validation error's input). Nothing is re-raised, so the server does
    not log the text either."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            log.error("%s %s failed: %s", scope["method"], scope["path"], where(exc))
            if not started:
                await error_answer("internal error", 500)(scope, receive, send)


def where(exc: BaseException) -> str:
    """Each exception in the chain by type, with its frames (file, line, function, code)."""
    parts: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(parts) < 10:
        kind = type(current)
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        parts.append(f"{kind.__module__}.{kind.__qualname__}\n{frames}")
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\n".join(parts)


class BodyLimits:
    """Reads the body before any route does, and refuses one over `max_bytes` (413, also when
    it comes in chunks with no Content-Length) or nested deeper than `max_depth` (422).
    `uploads`: the paths that take a file, each with its own larger limit; a multipart body
    is a form, not JSON, so its nesting is not looked at."""

    def __init__(
        self, app: App, max_bytes: int, max_depth: int = MAX_DEPTH, uploads: dict[str, int] | None = None
    ) -> None:
        self.app, self.max_bytes, self.max_depth = app, max_bytes, max_depth
        self.uploads = uploads or {}
        self.nesting = nesting(max_depth)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        path = scope["path"].rstrip("/")
        limit = self.uploads.get(path, self.max_bytes)
        what = "the upload (the file and its form)" if path in self.uploads else "the request body"
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await too_large(limit, what)(scope, receive, send)
        try:
            body = await self._read(receive, limit)
        except _Gone:
            return
        if body is None:
            return await too_large(limit, what)(scope, receive, send)
        form = headers.get(b"content-type", b"").lower().startswith(b"multipart/")
        if not form and nested_deeper(body, self.nesting):
            message = f"the JSON nests arrays and objects deeper than {self.max_depth} levels"
            return await error_answer(message, 422)(scope, receive, send)
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive, limit: int) -> bytes | None:
        """The whole body, or None once it passes the limit (the rest is never read)."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise _Gone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def too_large(size: int, what: str) -> JSONResponse:
    limit = f"{size / 2**20:.3g} MiB ({size} bytes)" if size >= 2**20 else f"{size} bytes"
    return error_answer(f"{what} is over the limit of {limit}", 413)


class _Gone(Exception):
    """The client left before its body was in."""


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read, once, as a single message; then whatever the client does next."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


ALL_BUT_MARKS = bytes(range(256)).translate(None, b'"[]{}')
"""Every byte but quotes and brackets, for `bytes.translate` to delete."""
PARENTHESES = bytes.maketrans(b"[]{}", b"()()")


def nesting(depth: int) -> re.Pattern[bytes]:
    """Balanced parentheses no deeper than `depth`: a regular language for a fixed depth."""
    pattern = b""
    for _ in range(depth):
        pattern = rb"(?:\(" + pattern + rb"\))*+"
    return re.compile(pattern)


def nested_deeper(body: bytes, within: re.Pattern[bytes]) -> bool:
    """Whether the JSON in `body` (one document or JSON Lines) nests deeper than `within`
    allows, found in linear time without parsing it: escapes out, then the strings (between
    the quotes left), then the brackets outside them must be balanced `within`. A body whose
    quotes or brackets do not pair up is not JSON, and is left to the route to refuse."""
    marks = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, ALL_BUT_MARKS)
    pieces = marks.split(b'"')
    if len(pieces) % 2 == 0:
        return False
    brackets = b"".join(pieces[::2]).translate(PARENTHESES)
    if brackets.count(b"(") * 2 != len(brackets):
        return False
    return within.fullmatch(brackets) is None
