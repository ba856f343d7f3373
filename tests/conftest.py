"""Shared fixtures: a fresh practice home per test, the shared known-answer cases, one model."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from assistant.app.practice import Practice
from assistant.clock import Clock
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT.parent / "shared" / "cases"  # ../shared/cases/dev holds the known answers


@pytest.fixture(scope="session")
def matcher():
    """The real offline MiniLM matcher, loaded once per test session."""
    from assistant.semantic import MiniLMMatcher

    return MiniLMMatcher()


NOW = "2026-11-24T15:00:00+00:00"
"""The instant every test takes as now: the shared cases' day, whatever the machine's date."""


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Every practice a test opens, in this process or a server it starts, reads this clock."""
    monkeypatch.setenv("CROSSSELL_CLOCK", NOW)
    return Clock.fixed(NOW)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CROSSSELL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CROSSSELL_DATABASE_URL", raising=False)
    return tmp_path / "home"


@pytest.fixture
def practice(home: Path, matcher) -> Practice:
    return Practice(Settings(), matcher=matcher)


def at(day: str, hour: int = 15) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC).replace(hour=hour)
