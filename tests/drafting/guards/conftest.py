"""One drafting desk for every guard test (embedding is slow), Delia's brief and a good draft
for her that each test spoils in one way."""

from __future__ import annotations

import pytest

from assistant.app.drafting import Drafting
from assistant.drafting.content import DraftContent
from tests.drafting.conftest import AS_OF, import_dev_practice


@pytest.fixture(scope="package")
def drafting(tmp_path_factory, matcher) -> Drafting:
    return Drafting(import_dev_practice(tmp_path_factory.mktemp("home"), matcher))


@pytest.fixture(scope="package")
def delia(drafting):
    """Delia (d003): Botox, forehead smoother at two weeks, offered the Skin care membership."""
    return drafting.brief("d003", AS_OF)


GOOD = (
    "Hi Delia,\n\nIt is lovely to see your Botox results coming through, and your forehead "
    "looks smoother, just as you hoped.\n\nAs a next step, we think our Skin care membership "
    "would suit you well: it protects Botox results between visits. It is $149 per month.\n\n"
    "If you would like to hear more, just reply or book a time that suits you.\n\n"
    "Warm regards,\nYour care team"
)


def check(drafting, brief_grounds, body, subject="Your Botox results", facts=()):
    brief, grounds = brief_grounds
    content = DraftContent(subject=subject, body=body, facts=list(facts))
    return {g.name: g for g in drafting.guards.check(content, brief, grounds)}


def failed(results) -> set[str]:
    return {name for name, g in results.items() if not g.passed}
