"""The repository as the privacy guard's directory: other patients found by first name, surname or
id, whatever the case, accents or look-alike letters, fast at a hundred thousand patients, and
never the patient the draft is for."""

from __future__ import annotations

import time

import pytest

from assistant.domain.names import fold
from assistant.domain.records import Patient
from assistant.settings import Settings
from assistant.storage import database, schema
from assistant.storage.repository import Repository, patient_row

PATIENTS = 100_000


def _store(repository: Repository, patients: list[Patient]) -> None:
    with repository.engine.begin() as conn:
        repository.upsert(conn, schema.patients, [patient_row(p) for p in patients])


@pytest.fixture
def repository(tmp_path) -> Repository:
    repository = Repository(database.create(Settings(home=tmp_path, llm="none")))
    _store(
        repository,
        [
            Patient("p1", "Delia", "Reid"),
            Patient("p2", "Nora", "Lin"),
            Patient("p3", "Zoë", "Martin"),
            Patient("p4", "Lior", "Cohen"),
            Patient("p5", "Mary Kate", "O'Brien"),
            Patient("p6", "Delia", "Shaw"),
        ],
    )
    return repository


def _found(repository: Repository, names: set[str], ids: frozenset[str] = frozenset()) -> list[str]:
    return [p.id for p in repository.other_patients("p1", {fold(n) for n in names}, set(ids))]


def test_other_patients_are_found_by_first_name_surname_or_id(repository):
    assert _found(repository, {"Nora"}) == ["p2"]
    assert _found(repository, {"cohen"}) == ["p4"]
    assert _found(repository, {"Mary"}) == ["p5"]
    assert _found(repository, set(), frozenset({"p3"})) == ["p3"]
    assert _found(repository, {"Sam", "Hope"}) == []


def test_names_compare_without_case_accents_or_look_alike_letters(repository):
    assert _found(repository, {"ZOE"}) == ["p3"]
    assert _found(repository, {"Nоra"}) == ["p2"]  # a Cyrillic о
    assert _found(repository, {"O\u2019Brien"}) == _found(repository, {"o'brien"}) == ["p5"]


def test_the_patient_the_draft_is_for_is_never_another_patient(repository):
    assert _found(repository, {"Delia"}) == ["p6"]
    assert _found(repository, {"Reid"}, frozenset({"p1"})) == []


def test_a_patient_added_or_renamed_is_found_at_once(repository):
    assert _found(repository, {"Hope"}) == []
    _store(repository, [Patient("p7", "Hope", "Adams"), Patient("p2", "Noor", "Lin")])
    assert _found(repository, {"Hope"}) == ["p7"]
    assert _found(repository, {"Nora"}) == [] and _found(repository, {"Noor"}) == ["p2"]


def test_a_lookup_among_a_hundred_thousand_patients_is_fast(tmp_path):
    repository = Repository(database.create(Settings(home=tmp_path, llm="none")))
    _store(repository, [Patient(f"p{n}", f"First{n}", f"Last{n % 5000}") for n in range(PATIENTS)])
    started = time.perf_counter()
    assert _found(repository, {"First99999"}) == ["p99999"]
    loaded = time.perf_counter() - started
    words = {f"Word{n}" for n in range(40)} | {"First12345", "Last7"}
    started = time.perf_counter()
    for _ in range(20):
        found = _found(repository, words)
    lookup = (time.perf_counter() - started) / 20
    assert "p12345" in found and len(found) == 1 + PATIENTS // 5000
    assert loaded < 5.0 and lookup < 0.05, (loaded, lookup)
