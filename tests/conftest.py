"""Shared fixtures: a fresh practice home per test, the shared known-answer cases, one model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import settings

from assistant.app.practice import Practice
from assistant.clock import Clock
from assistant.settings import Settings
from tests.shared_servers import drop_left, shared_storage

settings.register_profile("moved-clock", max_examples=20)
"""For CI's second pass of the suite with the clock moved (`--hypothesis-profile moved-clock`):
it looks for what reads today's date, which a few sequences find as well as hundreds."""

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT.parent / "shared" / "cases"  # ../shared/cases/dev holds the known answers


@pytest.fixture(scope="session")
def matcher():
    """The real offline MiniLM matcher, loaded once per test session."""
    from assistant.semantic import MiniLMMatcher

    return MiniLMMatcher()


NOW = "2026-11-24T15:00:00+00:00"
"""The instant every test takes as now: the shared cases' day, whatever the machine's date."""


@pytest.fixture(autouse=True, scope="session")
def fixed_clock() -> Iterator[Clock]:
    """Every practice a test opens, in this process or a server it starts, reads this clock;
    session-wide, so a practice a module-scoped fixture opens reads it too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CROSSSELL_CLOCK", NOW)
        yield Clock.fixed(NOW)


@pytest.fixture(autouse=True, scope="module")
def module_storage() -> Iterator[None]:
    """The database and vector store of the practices a module-scoped fixture opens: the test
    servers when `CROSSSELL_TEST_DATABASE_URL` / `CROSSSELL_TEST_CHROMA_URL` are set (a database
    and a practice id of the module's own), else the home's SQLite file and embedded store."""
    with pytest.MonkeyPatch.context() as patch, shared_storage(patch, drop=False):
        yield


@pytest.fixture(autouse=True, scope="session")
def left_databases() -> Iterator[None]:
    yield
    drop_left()


@pytest.fixture(autouse=True)
def storage(module_storage: None) -> Iterator[None]:
    """The same for each test: a database and a practice id of its own."""
    with pytest.MonkeyPatch.context() as patch, shared_storage(patch):
        yield


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CROSSSELL_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def practice(home: Path, matcher) -> Practice:
    return Practice(Settings(), matcher=matcher)


def at(day: str, hour: int = 15) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC).replace(hour=hour)
