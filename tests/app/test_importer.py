"""`crosssell import`: the contract exactly, every kind of bad line, nothing stored is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.app.practice import Practice
from assistant.storage import schema
from tests.conftest import CASES

PATIENT = {"type": "patient", "id": "p1", "first_name": "Ana", "marketing_consent": True}
VISIT = {
    "type": "event",
    "id": "e1",
    "patient_id": "p1",
    "at": "2026-11-02T15:00:00Z",
    "kind": "visit_completed",
    "service_id": "botox",
    "amount": 450,
}


def write(path: Path, *lines) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return path


def test_dev_practice_imports_cleanly_and_twice_changes_nothing(practice: Practice):
    source = CASES / "dev" / "practice.jsonl"
    first = practice.import_file(source)
    assert not first.rejected
    assert first.added["patients"] == 23 and first.added["services"] == 13
    again = practice.import_file(source)
    assert sum(again.added.values()) == 0 and sum(again.updated.values()) == 0
    assert again.unchanged["events"] == first.added["events"]


def test_a_later_record_with_the_same_id_replaces_the_earlier(practice: Practice, tmp_path):
    write(tmp_path / "a.jsonl", PATIENT)
    practice.import_file(tmp_path / "a.jsonl")
    renamed = {**PATIENT, "first_name": "Anna"}
    report = practice.import_file(write(tmp_path / "b.jsonl", renamed))
    assert report.updated["patients"] == 1
    assert practice.repository.patient("p1").first_name == "Anna"


def test_order_within_the_file_does_not_matter(practice: Practice, tmp_path):
    report = practice.import_file(write(tmp_path / "f.jsonl", VISIT, PATIENT))
    assert not report.rejected and report.added["events"] == 1


BAD_LINES = [
    ("{not json", "invalid JSON"),
    ("[1, 2]", "invalid JSON"),
    ({"id": "x"}, "missing field"),
    ({"type": "invoice", "id": "x"}, "unknown type"),
    ({"type": "patient", "id": "p2"}, "missing field"),
    ({"type": "patient", "id": "p3", "first_name": "B", "marketing_consent": "yes"}, "bad value"),
    ({"type": "patient", "id": "p4", "first_name": "B", "preferred_channel": "fax"}, "bad value"),
    ({"type": "service", "id": "s1", "name": "S"}, "missing field"),
    ({"type": "service", "id": "s2", "name": "S", "price": "cheap"}, "bad value"),
    ({"type": "service", "id": "s3", "name": "S", "price": 1, "offered_at": ["whenever"]}, "unknown moment"),
    ({**VISIT, "id": "e2", "kind": "teleported"}, "unknown event kind"),
    ({**VISIT, "id": "e3", "at": "yesterday"}, "bad value"),
    ({k: v for k, v in VISIT.items() if k != "at"} | {"id": "e4"}, "missing field"),
    ({**VISIT, "id": "e5", "patient_id": "ghost"}, "unknown patient"),
    ({**VISIT, "id": "e6", "service_id": "teleportation"}, "unknown service"),
    (
        {
            "type": "event",
            "id": "e7",
            "patient_id": "p1",
            "at": "2026-11-02",
            "kind": "feedback",
            "score": 11,
        },
        "bad value",
    ),
    (
        {
            "type": "event",
            "id": "e8",
            "patient_id": "p1",
            "at": "2026-11-02",
            "kind": "opted_out",
            "channel": "pigeon",
        },
        "bad value",
    ),
    (
        {
            "type": "event",
            "id": "e9",
            "patient_id": "p1",
            "at": "2026-11-02",
            "kind": "offer_presented",
            "service_id": "botox",
            "moment": "someday",
        },
        "unknown moment",
    ),
    (
        {
            "type": "event",
            "id": "e10",
            "patient_id": "p1",
            "at": "2026-11-02",
            "kind": "appointment_booked",
            "service_id": "botox",
        },
        "missing field",
    ),
]


@pytest.mark.parametrize(("line", "category"), BAD_LINES)
def test_each_bad_line_is_reported_with_its_number_and_reason(practice, tmp_path, line, category):
    path = write(tmp_path / "f.jsonl", PATIENT, line, VISIT)
    report = practice.import_file(path)
    assert [(r.line, r.category) for r in report.rejected] == [(2, category)]
    assert report.added["patients"] == 1 and report.added["events"] == 1


def test_rejected_lines_never_remove_what_was_stored(practice: Practice, tmp_path):
    practice.import_file(write(tmp_path / "a.jsonl", PATIENT, VISIT))
    broken = {**VISIT, "at": "not a time"}
    report = practice.import_file(write(tmp_path / "b.jsonl", broken))
    assert len(report.rejected) == 1
    assert practice.repository.count(schema.events) == 1


def test_an_imported_menu_replaces_the_default(practice: Practice, tmp_path):
    assert "botox" in practice.menu()
    own = {"type": "service", "id": "glow", "name": "Glow facial", "price": 99}
    practice.import_file(write(tmp_path / "menu.jsonl", own))
    assert [s.id for s in practice.menu()] == ["glow"]
    report = practice.import_file(write(tmp_path / "e.jsonl", PATIENT, VISIT))
    assert [r.category for r in report.rejected] == ["unknown service"]


def test_offer_events_become_offers_and_outcomes(practice: Practice, tmp_path):
    presented = {
        "type": "event",
        "id": "o1",
        "patient_id": "p1",
        "at": "2026-11-02T10:00:00Z",
        "kind": "offer_presented",
        "service_id": "botox",
        "moment": "booking",
        "channel": "sms",
    }
    accepted = {
        "type": "event",
        "id": "o2",
        "patient_id": "p1",
        "at": "2026-11-03T10:00:00Z",
        "kind": "offer_accepted",
        "service_id": "botox",
    }
    report = practice.import_file(write(tmp_path / "f.jsonl", PATIENT, presented, accepted))
    assert report.added["offers"] == 1 and report.added["outcomes"] == 1
