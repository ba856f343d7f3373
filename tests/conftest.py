"""Shared fixtures: a fresh practice home per test, the shared known-answer cases, one model."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from assistant.app.practice import Practice
from assistant.settings import PROJECT_ROOT, Settings

CASES = PROJECT_ROOT.parent / "shared" / "cases"  # ../shared/cases/dev holds the known answers


@pytest.fixture(scope="session")
def matcher():
    """The real offline MiniLM matcher, loaded once per test session."""
    from assistant.semantic import MiniLMMatcher

    return MiniLMMatcher()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CROSSSELL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CROSSSELL_DATABASE_URL", raising=False)
    return tmp_path / "home"


@pytest.fixture
def practice(home: Path, matcher) -> Practice:
    return Practice(Settings(), matcher=matcher)


def at(day: str, hour: int = 15) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC).replace(
        hour=hour)
