"""`crosssell demo` as a person runs it: it prints the logins, starts the API and the review
screen, both answer, and Ctrl-C stops them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

from assistant.servers import free_port


def test_the_demo_serves_the_api_and_the_review_screen_until_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSSELL_")}
    env.update(
        CROSSSELL_HOME=str(tmp_path / "home"),
        CROSSSELL_LLM="none",
        CROSSSELL_API_PORT=str(free_port()),
        CROSSSELL_UI_PORT=str(free_port()),
        COLUMNS="200",
    )
    demo = subprocess.Popen(
        [sys.executable, "-m", "assistant", "demo", "--patients", "60", "--as-of", "2026-11-24"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    try:
        deadline = time.monotonic() + 180
        while "Press Ctrl-C to stop." not in output and time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line and demo.poll() is not None:
                break
            output += line
        assert "Press Ctrl-C to stop." in output, output
        assert all(user in output for user in ("maria", "drlee", "quinn", "owner"))
        screen = re.search(r"Review screen: (http://\S+)", output).group(1)
        api = re.search(r"API: (http://\S+)", output).group(1)
        with urllib.request.urlopen(f"{api}/health", timeout=10) as answer:
            assert answer.status == 200
        with urllib.request.urlopen(f"{screen}/_stcore/health", timeout=10) as answer:
            assert answer.status == 200
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=30) == 0
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
