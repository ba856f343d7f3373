"""A Postmark-compatible fake on loopback: `POST /email` with the server token checked, and
Postmark's answers (200 with a MessageID, 422 with its ErrorCode for an inactive recipient, 401
for a wrong token), plus what the tests make it do (answer 5xx, or too slowly). It keeps every
request it got, headers and JSON, so the tests see exactly what the provider would."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.loopback import LoopbackFake

INACTIVE = 406
"""Postmark's ErrorCode for a recipient marked inactive (a hard bounce, a spam complaint)."""


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class FakeMailApi(LoopbackFake):
    token: str
    received: list[Received] = field(default_factory=list)
    inactive: set[str] = field(default_factory=set)
    """Recipients the provider refuses with 422 / ErrorCode 406."""
    failures: list[int] = field(default_factory=list)
    """Statuses to answer the next requests with (503, 500...), one each, before answering well."""
    delay: float = 0.0
    """Seconds to wait before answering (longer than the client's timeout: a timeout)."""
    server: ThreadingHTTPServer | None = None

    def reset(self) -> None:
        self.received.clear()
        self.inactive.clear()
        self.failures.clear()
        self.delay = 0.0

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return _answer(request, 400, {"ErrorCode": 402, "Message": "Received invalid JSON input."})
        self.received.append(Received(request.path, dict(request.headers.items()), body))
        if self.delay:
            time.sleep(self.delay)
        if request.path != "/email":
            return _answer(request, 404, {"ErrorCode": 404, "Message": "Not found"})
        if request.headers.get("X-Postmark-Server-Token") != self.token:
            return _answer(
                request, 401, {"ErrorCode": 10, "Message": "The Server Token you provided was invalid."}
            )
        if self.failures:
            return _answer(request, self.failures.pop(0), {"ErrorCode": 0, "Message": "Service unavailable"})
        to = str(body.get("To", ""))
        if to in self.inactive:
            said = f"You tried to send to recipient(s) that have been marked as inactive. Inactive: {to}."
            return _answer(request, 422, {"ErrorCode": INACTIVE, "Message": said})
        answer = {"To": to, "SubmittedAt": "2026-12-03T12:00:00Z", "MessageID": str(uuid.uuid4())}
        _answer(request, 200, {**answer, "ErrorCode": 0, "Message": "OK"})


def _answer(request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
    data = json.dumps(payload).encode()
    try:
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
        return
