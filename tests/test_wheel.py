"""The product as a practice installs it: a wheel, in a fresh virtual environment with no
checkout on the path, runs the demo and drafts the week from its own packaged data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from tests.conftest import ROOT

PACKAGED = (
    "assistant/knowledge/menu.jsonl",
    "assistant/knowledge/guards.json",
    "assistant/knowledge/services/botox.md",
    "assistant/prompts/draft/v1/system.j2",
    "assistant/prompts/judge/v1/rubric.j2",
    "assistant/evals/data/suites/default.json",
    "assistant/evals/data/imports/samples.json",
    "assistant/evals/data/imports/vagaro/customers.csv",
    "assistant/evals/data/imports/fresha/clients.xlsx",
    "assistant/evals/data/imports/fresha/appointments.expected.json",
    "assistant/ui/app.py",
    "assistant/ui/templates/owner_report.html.j2",
    "assistant/storage/migrations/env.py",
)
SKIP = shutil.ignore_patterns(
    ".git", ".venv", "build", "*.egg-info", "__pycache__", ".*cache", "artifacts", "benchmarks"
)


def _wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"  # a copy, so no stale build/ folder can leak into the wheel
    shutil.copytree(ROOT, source, ignore=SKIP)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    return next((tmp_path / "dist").glob("crosssell-*.whl"))


def _fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The dependencies come from this environment's site-packages as a plain folder: its .pth
    # files (among them the editable install of this checkout) are not read.
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    return venv


def _env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CROSSSELL_", "PYTHON", "OPENAI_", "VIRTUAL_ENV"))
    }
    env.update(
        CROSSSELL_HOME=str(home),
        CROSSSELL_CLOCK=os.environ["CROSSSELL_CLOCK"],
        CROSSSELL_LLM="none",
        HF_HUB_OFFLINE="1",
    )
    return env


def test_an_installed_wheel_runs_the_demo_and_drafts_the_week(tmp_path):
    wheel = _wheel(tmp_path)
    assert set(PACKAGED) <= set(zipfile.ZipFile(wheel).namelist())
    venv = _fresh_venv(tmp_path, wheel)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = _env(tmp_path / "home")

    def crosssell(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(venv / "bin" / "crosssell"), *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import assistant; print(assistant.__file__)"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(str(venv)) and str(ROOT) not in where

    demo = crosssell(
        "demo", "--no-serve", "--patients", "60", "--home", str(tmp_path / "demo"), "--as-of", "2026-11-24"
    )
    assert demo.returncode == 0, demo.stderr
    assert "drafts are waiting for review" in demo.stdout

    env["CROSSSELL_HOME"] = str(tmp_path / "demo")
    week = crosssell(
        "draft", "--week", "--as-of", "2026-11-24", "--limit", "3", "--format", "json", "--quiet"
    )
    assert week.returncode == 0, week.stderr
    drafted = json.loads(week.stdout)
    # The demo drafted the week already: its open drafts are kept, not drafted twice.
    kept = drafted["drafts"] + drafted["already_open"]
    assert len(kept) == min(3, drafted["ready"]) > 0 and drafted["drafts"] == []
    assert all(d["body"] and d["guards"] for d in kept)
