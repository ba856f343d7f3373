"""Starts the project's own servers (the API, the review screen) as child processes and waits
until they answer; used by `crosssell demo` and by the end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import ConfigurationError


def free_port(preferred: int | None = None, host: str = "127.0.0.1") -> int:
    """`preferred` when nothing listens there, else any free port."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise ConfigurationError("no free port on the loopback interface")


def api_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "assistant", "serve", "--host", host, "--port", str(port)]


def ui_command(host: str, port: int) -> list[str]:
    """The command that serves the review screen (Streamlit, `ui/app.py`)."""
    from assistant.settings import bundled

    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(bundled("ui") / "app.py"),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
    ]


@contextmanager
def running(
    command: Sequence[str],
    health_url: str,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 90.0,
) -> Iterator[subprocess.Popen]:
    """Runs `command` (in environment `env`, default this one) until the block ends; returns
    once `health_url` answers 200."""
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        list(command), env=dict(os.environ) if env is None else env, stdout=output, stderr=subprocess.STDOUT
    )
    try:
        _wait(process, health_url, timeout, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if not isinstance(output, int):
            output.close()


def _wait(process: subprocess.Popen, url: str, timeout: float, log: Path | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            where = f"; see {log}" if log else ""
            raise ConfigurationError(
                f"{process.args!r} stopped with status {process.returncode} before answering{where}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise ConfigurationError(f"{url} did not answer within {timeout:.0f} s")
