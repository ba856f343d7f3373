"""The plumbing every fake service on loopback shares: an HTTP server on a free port of
127.0.0.1, in a thread, handing each POST to the fake's own `handle`."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class LoopbackFake:
    """Mixed into a fake (a dataclass with a `server` field): `start`, `base`, `stop`."""

    server: ThreadingHTTPServer | None

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    @property
    def base(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                fake.handle(self)

            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
