"""An OpenAI-compatible chat server on loopback that answers with whatever it was scripted to
say: replaying labelled model answers through the real drafting chain (client, retries, parsing,
guards) without a model."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "replay"
COMPLETIONS = ("/v1/chat/completions", "/chat/completions")
MODELS = ("/v1/models", "/models")


class ScriptedChatServer:
    """`with ScriptedChatServer() as server:` serves on `server.base_url` until the block ends;
    `server.script(text)` sets the answer every chat completion gets until the next script."""

    def __init__(self) -> None:
        self._answer: str | None = None
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._http.serve_forever, name="scripted-chat", daemon=True)
        self.base_url = f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def script(self, answer: str) -> None:
        with self._lock:
            self._answer = answer

    def answer(self) -> str | None:
        with self._lock:
            return self._answer

    def __enter__(self) -> ScriptedChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()


def completion(content: str, model: str, prompt: list[dict[str, Any]]) -> dict[str, Any]:
    """The OpenAI chat completion shape, with a rough token count (words) in its usage."""
    prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in prompt)
    completion_tokens = len(content.split())
    return {
        "id": "chatcmpl-replay",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _handler(server: ScriptedChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.rstrip("/") not in MODELS:
                self._send(404, _error(f"no route {self.path}"))
                return
            self._send(
                200, {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "crosssell"}]}
            )

        def do_POST(self) -> None:
            if self.path.rstrip("/") not in COMPLETIONS:
                self._send(404, _error(f"no route {self.path}"))
                return
            try:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            except json.JSONDecodeError:
                self._send(400, _error("the request is not JSON"))
                return
            answer = server.answer()
            if answer is None:
                self._send(409, _error("no answer is scripted"))
                return
            self._send(200, completion(answer, request.get("model") or MODEL, request.get("messages") or []))

        def _send(self, status: int, value: dict[str, Any]) -> None:
            body = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
            """Quiet: an eval's output is its report, not an access log."""

    return Handler


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error"}}
