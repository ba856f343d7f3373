"""A practice under review for the screen tests: the shared dev cases imported, three people
(a coordinator, a provider, QA) and the week drafted but for two patients, built once per module
(the embedding model is slow to load)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import cycle
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.app.accounts import User
from assistant.app.drafting import Drafting
from assistant.app.practice import Practice
from assistant.app.review import Review
from assistant.drafting.content import Draft
from assistant.settings import Settings, bundled
from tests.conftest import CASES
from tests.review_desk import overwrite_draft
from tests.ui.helpers import log_in

AS_OF = date.fromisoformat(json.loads((CASES / "dev" / "practice.expected.json").read_text())["as_of"])
PASSWORD = "review-pass-2026"
PEOPLE = {"carol": "coordinator", "pat": "provider", "quinn": "qa"}
APP = bundled("ui") / "app.py"
UNDRAFTED = 2


@dataclass
class Clinic:
    """The practice, its review desk and people, and fresh drafts in the status a test needs.

    Every fresh draft is a new one, so tests sharing the practice never share a draft; a draft
    that will be sent goes to a patient nobody has sent to yet (the cooldown refuses a second).
    """

    home: Path
    review: Review
    people: dict[str, User]
    undrafted: list[str]
    drafted: list[str]
    _next: Iterator[str] = field(init=False)
    _unsent: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self._next = cycle(self.drafted)
        self._unsent = list(reversed(self.drafted))

    def draft(self, status: str = "drafted", *, to_send: bool = False) -> Draft:
        patient = self._unsent.pop(0) if to_send or status == "sent" else next(self._next)
        coordinator, provider = self.people["carol"], self.people["pat"]
        self._retire_open_draft(patient)
        draft = self.review.create(coordinator, patient, AS_OF)
        assert draft.status == "drafted", draft.guards
        if status in ("pending_approval", "approved", "sent"):
            draft = self.review.submit(coordinator, draft.id)
        if status in ("approved", "sent"):
            draft = self.review.approve(provider, draft.id, draft.version)
        if status == "sent":
            draft = self.review.send(coordinator, draft.id)
        assert draft.status == status
        return draft

    def _retire_open_draft(self, patient: str) -> None:
        """A patient has one open draft at a time: the one an earlier test left is set aside
        (in the store, as a data migration would), so this test gets a fresh one."""
        for open_draft in self.review.drafting.open_drafts([patient]).values():
            open_draft.status = "superseded"
            overwrite_draft(self.review, open_draft)

    def stored(self, draft_id: str) -> Draft:
        """The draft as the store holds it now (read without an audited view)."""
        return Draft.model_validate_json(self.review.repository.draft(draft_id))

    def offer_events(self, draft: Draft) -> list[str]:
        """The `offer_*` events recorded for this draft's patient and offer, oldest first."""
        history = self.review.repository.history(draft.patient_id, 2**40)
        presented = [("offer_presented", o.at) for o in history.offers if o.service_id == draft.offer]
        answered = [
            ("offer_accepted" if o.accepted else "offer_declined", o.at)
            for o in history.outcomes
            if o.service_id == draft.offer
        ]
        return [kind for kind, _ in sorted(presented + answered, key=lambda pair: pair[1])]


def build_clinic(home: Path, matcher) -> Clinic:
    practice = Practice(Settings(home=home, llm="none", email_sender="outbox"), matcher=matcher)
    report = practice.import_file(CASES / "dev" / "practice.jsonl")
    assert not report.rejected
    practice.set_rule("holdout_share", "0")  # these screens draft the whole week; no control group
    review = Review(practice, Drafting(practice))
    people = {
        who: review.accounts.add(who, role, PASSWORD, name=who.title())[0] for who, role in PEOPLE.items()
    }
    ready = [r["patient_id"] for r in review.queue(people["carol"], AS_OF)["ready"]]
    assert len(ready) > UNDRAFTED + 4, ready
    week = review.draft_week(people["carol"], AS_OF, limit=len(ready) - UNDRAFTED)
    drafted = [d.patient_id for d in week.drafts]
    assert drafted == ready[:-UNDRAFTED]
    return Clinic(home, review, people, ready[-UNDRAFTED:], drafted)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory, matcher) -> Clinic:
    return build_clinic(tmp_path_factory.mktemp("practice"), matcher)


@pytest.fixture
def screen_env(clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> Clinic:
    """The environment `crosssell ui` would give the screen for this practice."""
    monkeypatch.setenv("CROSSSELL_HOME", str(clinic.home))
    monkeypatch.setenv("CROSSSELL_LLM", "none")
    monkeypatch.setenv("CROSSSELL_EMAIL_SENDER", "outbox")
    monkeypatch.setenv("CROSSSELL_UI_AS_OF", AS_OF.isoformat())
    return clinic


@pytest.fixture
def screen(screen_env: Clinic) -> Callable[..., AppTest]:
    """Opens the review screen, logged in as `who` unless None."""

    def open_screen(who: str | None = None, password: str = PASSWORD) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception, at.exception
        if who is not None:
            log_in(at, who, password)
        return at

    return open_screen
