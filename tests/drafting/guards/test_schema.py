"""The schema guard: a well-formed answer that cites only known sources."""

from __future__ import annotations

from assistant.drafting.content import Fact
from tests.drafting.guards.conftest import GOOD, check, failed


def test_citing_an_unknown_source_fails_schema(drafting, delia):
    results = check(drafting, delia, GOOD, facts=[Fact(text="smooth", source="d999-e1")])
    assert "schema" in failed(results) and "d999-e1" in results["schema"].detail
