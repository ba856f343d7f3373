"""A Twilio-compatible fake on loopback: the Messages resource of the REST API, with basic auth
checked and Twilio's answers (201 with the message, 400 with Twilio's error JSON), so the tests
run the real `twilio` library with no network."""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from tests.loopback import LoopbackFake

BAD_NUMBER = "+15005550001"
"""Twilio's magic test number for "not a valid phone number"."""
REFUSALS = {
    21211: "The 'To' number {to} is not a valid phone number.",
    21610: "Attempt to send to unsubscribed recipient {to}",
}
MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")


@dataclass
class FakeTwilio(LoopbackFake):
    account_sid: str
    auth_token: str
    received: list[dict[str, str]] = field(default_factory=list)
    refuse: int = 0
    """How many of the next messages to refuse as if the number were invalid."""
    refuse_code: int = 21211
    """The error those refusals carry: 21211 (invalid number), or 21610 (the recipient texted
    STOP to the carrier)."""
    server: ThreadingHTTPServer | None = None

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        match = MESSAGES.match(request.path)
        if match is None:
            return _answer(request, 404, _error(20404, "The requested resource was not found", 404))
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}" or match["sid"] != self.account_sid:
            return _answer(request, 401, _error(20003, "Authenticate", 401))
        length = int(request.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(request.rfile.read(length).decode()).items()}
        self.received.append(form)
        to = form.get("To", "")
        if self.refuse > 0 or to == BAD_NUMBER:
            code = self.refuse_code if self.refuse > 0 else 21211
            self.refuse = max(0, self.refuse - 1)
            said = REFUSALS[code].format(to=to)
            return _answer(request, 400, _error(code, said, 400))
        sid = "SM" + uuid.uuid4().hex
        message = {
            "sid": sid,
            "account_sid": self.account_sid,
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "from": form.get("From"),
            "to": to,
            "body": form.get("Body"),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        _answer(request, 201, message)


def _error(code: int, message: str, status: int) -> dict:
    info = f"https://www.twilio.com/docs/errors/{code}"
    return {"code": code, "message": message, "more_info": info, "status": status}


def _answer(request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
    body = json.dumps(payload).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)
