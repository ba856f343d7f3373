"""A drafting desk over the shared dev practice, built once per module (embedding is slow)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assistant.app.drafting import Drafting
from assistant.app.practice import Practice
from assistant.settings import Settings
from tests.conftest import CASES

EXPECTED = json.loads((CASES / "dev" / "practice.expected.json").read_text())
AS_OF = date.fromisoformat(EXPECTED["as_of"])


def import_dev_practice(home: Path, matcher) -> Practice:
    practice = Practice(Settings(home=home, llm="none"), matcher=matcher)
    report = practice.import_file(CASES / "dev" / "practice.jsonl")
    assert not report.rejected
    return practice


@pytest.fixture(scope="module")
def dev_practice(tmp_path_factory, matcher) -> Practice:
    return import_dev_practice(tmp_path_factory.mktemp("home"), matcher)


@pytest.fixture(scope="module")
def drafting(dev_practice) -> Drafting:
    return Drafting(dev_practice)
