"""The vector store: one patient's text only, incremental indexing, never a restriction."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.drafting.brief import Source
from assistant.knowledge import Passage
from assistant.retrieval import Library
from assistant.settings import Settings


@pytest.fixture
def library(tmp_path, matcher) -> Library:
    return Library(Settings(home=tmp_path), matcher.embedder)


def notes(patient: str, *texts: str) -> list[Source]:
    return [
        Source(f"{patient}-e{n}", "visit_completed note", date(2026, 11, n), t)
        for n, t in enumerate(texts, 1)
    ]


def test_a_patient_query_never_returns_another_patients_text(library):
    library.index_history(
        {
            "ann": notes("ann", "Botox forehead, lines softened nicely"),
            "bob": notes(
                "bob",
                "Botox forehead, lines softened nicely at follow-up",
                "Forehead Botox results wonderful",
                "Wants smoother forehead with Botox",
            ),
            "cy": [],
        }
    )
    found = library.snippets("ann", "Botox forehead results", limit=4)
    assert [s.id for s in found] == ["ann-e1"]
    assert library.snippets("cy", "Botox forehead results", limit=4) == []
    assert library.snippets("nobody", "Botox forehead results") == []
    bob = library.snippets("bob", "forehead", limit=10)
    assert {s.id for s in bob} == {"bob-e1", "bob-e2", "bob-e3"}
    assert all(s.on is not None and s.kind == "visit_completed note" for s in bob)


def test_indexing_is_incremental_by_content_hash(library):
    assert library.index_history({"ann": notes("ann", "first note", "second note")}) == 2
    assert library.index_history({"ann": notes("ann", "first note", "second note")}) == 0
    assert library.index_history({"ann": notes("ann", "first note", "second note, edited")}) == 1
    assert library.index_history({"ann": notes("ann", "first note")}) == 0
    assert [s.id for s in library.snippets("ann", "note", limit=5)] == ["ann-e1"]


def test_only_the_patients_being_drafted_are_embedded(library):
    library.index_history({"ann": notes("ann", "a note")})
    assert library.index_history({"bob": notes("bob", "b note")}) == 1
    assert library.snippets("ann", "note") and library.snippets("bob", "note")


def test_knowledge_passages_are_the_offers_own_and_never_its_restrictions(library):
    library.index_knowledge(
        [
            Passage("knowledge:peel#what-it-is", "peel", "What it is", "A chemical peel renews skin."),
            Passage(
                "knowledge:peel#what-we-must-not-claim",
                "peel",
                "What we must not claim",
                "No guaranteed results; no free peels.",
            ),
            Passage("knowledge:botox#what-it-is", "botox", "What it is", "Botox relaxes muscles."),
        ]
    )
    found = library.passages("peel", "free guaranteed peel results", limit=5)
    assert [p.id for p in found] == ["knowledge:peel#what-it-is"]


def test_the_embedded_store_persists_under_the_home(tmp_path, matcher):
    embedded = Settings(home=tmp_path, chroma_url=None)
    Library(embedded, matcher.embedder).index_history({"ann": notes("ann", "kept")})
    again = Library(embedded, matcher.embedder)
    assert again.index_history({"ann": notes("ann", "kept")}) == 0
    assert (tmp_path / "chroma").is_dir()
