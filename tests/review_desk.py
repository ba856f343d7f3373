"""A review desk over the shared dev practice, for the service, API and sending tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.app.accounts import User
from assistant.app.drafting import Drafting, draft_row
from assistant.app.practice import Practice
from assistant.app.review import Review
from assistant.drafting.content import Draft
from assistant.sending import Sender
from assistant.settings import Settings
from assistant.storage import schema
from tests.conftest import CASES

AS_OF = date.fromisoformat(json.loads((CASES / "dev" / "practice.expected.json").read_text())["as_of"])
PASSWORD = "correct horse battery"


@dataclass
class Desk:
    review: Review
    users: dict[str, User]
    tokens: dict[str, str]

    @property
    def practice(self) -> Practice:
        return self.review.practice

    def ready(self, channel: str | None = None) -> list[str]:
        """Ready patients, best first, optionally only those reached by `channel`."""
        queue = self.review.queue(self.users["admin"], AS_OF)["ready"]
        return [r["patient_id"] for r in queue if channel is None or r["channel"] == channel]


def build_desk(home: Path, matcher, senders: dict[str, Sender] | None = None, **settings) -> Desk:
    practice = Practice(Settings(home=home, llm="none", **settings), matcher=matcher)
    report = practice.import_file(CASES / "dev" / "practice.jsonl")
    assert not report.rejected
    review = Review(practice, Drafting(practice), senders=senders)
    users, tokens = {}, {}
    for role in ("coordinator", "provider", "qa", "admin"):
        users[role], tokens[role] = review.accounts.add(f"{role}1", role, PASSWORD)
    # A second provider: the one who edits a draft may not approve it.
    users["provider2"], tokens["provider2"] = review.accounts.add("provider2", "provider", PASSWORD)
    return Desk(review, users, tokens)


def overwrite_draft(review: Review, draft: Draft) -> None:
    """Writes a draft into the store as it is, past every rule: what an old record, a bug
    elsewhere or a hand edit of the database could leave there."""
    row = draft_row(draft, review.clock.now())
    with review.repository.engine.begin() as conn:
        review.repository.upsert(conn, schema.drafts, [row])
