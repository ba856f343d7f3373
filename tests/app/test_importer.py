"""`crosssell import`: the contract exactly, every kind of bad line, nothing stored is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.app import importer
from assistant.app.practice import Practice
from assistant.domain import contract
from assistant.domain.eligibility import Reason
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


@pytest.fixture(autouse=True, params=["the stored rows it names", "the whole practice"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test both ways an import reads what it checks against: a small source (a push)
    only the stored rows it names, a large file the whole practice at once."""
    if request.param == "the whole practice":
        monkeypatch.setattr(importer, "SCOPED_LINES", 0)


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
            "id": "e8b",
            "patient_id": "p1",
            "at": "2026-11-02",
            "kind": "opted_in",
            "channel": "sms",
        },
        "missing field",
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


SERVICE = {"type": "service", "id": "botox", "name": "Botox", "price": 450}
APPOINTMENT = {
    **VISIT,
    "id": "e2",
    "kind": "appointment_booked",
    "scheduled_for": "2026-12-01T10:00:00Z",
}
RENEWAL = {**VISIT, "id": "e3", "kind": "membership_renewal_due", "due_date": "2027-01-01"}
DAYS = "from 1900-01-01 to 2100-12-31"
IMPLAUSIBLE = [
    ({**VISIT, "at": "0001-01-01T00:00:00+14:00"}, "at", f"a time {DAYS}"),
    ({**VISIT, "at": "9999-12-31T23:59:59-12:00"}, "at", f"a time {DAYS}"),
    ({**VISIT, "at": "2999-01-01T00:00:00Z"}, "at", f"a time {DAYS}"),
    ({**VISIT, "at": "1899-12-31"}, "at", f"a time {DAYS}"),
    ({**APPOINTMENT, "scheduled_for": "2999-01-01T10:00:00Z"}, "scheduled_for", f"a time {DAYS}"),
    ({**RENEWAL, "due_date": "0001-01-01"}, "due_date", f"a date {DAYS}"),
    ({**PATIENT, "birth_date": "1850-01-01"}, "birth_date", f"a date {DAYS}"),
    ({**PATIENT, "birth_date": "2999-01-01"}, "birth_date", f"a date {DAYS}"),
    ({**PATIENT, "birth_date": "1990-01-01garbage"}, "birth_date", "an ISO 8601 date"),
    ({**VISIT, "amount": -450}, "amount", "from 0 to 100000"),
    ({**VISIT, "amount": 1e308}, "amount", "from 0 to 100000"),
    ({**SERVICE, "price": -1}, "price", "from 0 to 100000"),
    ({**SERVICE, "price": 1e308}, "price", "from 0 to 100000"),
    ({**SERVICE, "price": 100_001}, "price", "from 0 to 100000"),
    ({**SERVICE, "min_age": 1_000_000_000_000_000_000}, "min_age", "an age from 0 to 150"),
]


@pytest.mark.parametrize(("line", "name", "expected"), IMPLAUSIBLE)
def test_an_implausible_value_rejects_its_line_naming_the_field(practice, tmp_path, line, name, expected):
    bad = {**line, "id": "p9"} if line["type"] == "patient" else line
    report = practice.import_file(write(tmp_path / "f.jsonl", SERVICE, PATIENT, bad, VISIT))
    assert [(r.line, r.category) for r in report.rejected] == [(3, "bad value")]
    assert f"field '{name}' must be {expected}" in report.rejected[0].message
    assert practice.repository.count(schema.events) == 1


def test_the_price_ceiling_is_a_setting(home, matcher, tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSSELL_MAX_PRICE", "500")
    practice = Practice(matcher=matcher)
    report = practice.import_file(write(tmp_path / "f.jsonl", SERVICE, {**SERVICE, "id": "s2", "price": 501}))
    assert [(r.line, r.message) for r in report.rejected] == [
        (2, "field 'price' must be from 0 to 500, got 501")
    ]


def test_a_number_too_large_for_a_float_is_refused_by_line(practice: Practice, tmp_path):
    huge = '{"type": "service", "id": "s2", "name": "S", "price": 1e309}'
    report = practice.import_file(write(tmp_path / "f.jsonl", SERVICE, huge))
    assert [(r.line, r.category) for r in report.rejected] == [(2, "invalid JSON")]
    assert "infinity" in report.rejected[0].message


def test_dates_inside_the_range_and_a_birth_date_written_as_a_time_still_import(practice, tmp_path):
    patient = {**PATIENT, "birth_date": "1990-05-01T00:00:00+02:00"}
    edges = [{**VISIT, "id": "e8", "at": "1900-01-01T00:00:00Z"}, {**VISIT, "id": "e9", "at": "2100-12-31"}]
    report = practice.import_file(write(tmp_path / "f.jsonl", SERVICE, patient, *edges, APPOINTMENT, RENEWAL))
    assert not report.rejected and report.added["events"] == 4
    assert str(practice.repository.patient("p1").birth_date) == "1990-05-01"


def test_a_byte_order_mark_at_the_start_of_the_file_is_ignored(practice: Practice, tmp_path):
    path = write(tmp_path / "f.jsonl", PATIENT, VISIT)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    report = practice.import_file(path)
    assert not report.rejected
    assert report.added["patients"] == 1 and report.added["events"] == 1


def test_a_line_longer_than_the_limit_is_refused_unread(home, matcher, tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSSELL_IMPORT_MAX_LINE_BYTES", "200")
    practice = Practice(matcher=matcher)
    long_patient = {**PATIENT, "id": "p2", "last_name": "x" * 200}
    report = practice.import_file(write(tmp_path / "f.jsonl", PATIENT, long_patient, "{" * 300, VISIT))
    assert [(r.line, r.category) for r in report.rejected] == [(2, "line too long"), (3, "line too long")]
    assert report.rejected[0].message == "line is longer than the limit of 200 bytes"
    assert practice.repository.patient("p2") is None
    assert report.added["patients"] == 1 and report.added["events"] == 1


SERVICE_STEP = {**SERVICE, "id": "s9", "next_steps": [{"to": "botox", "why": "keeps it up"}]}
TOO_LONG = [
    ({**PATIENT, "id": "p" * 101}, "id", 100, 101),
    ({**PATIENT, "id": "p2", "phone": "5" * 51}, "phone", 50, 51),
    ({**PATIENT, "id": "p2", "email": "a" * 309 + "@example.com"}, "email", 320, 321),
    ({**PATIENT, "id": "p2", "first_name": "A" * 201}, "first_name", 200, 201),
    ({**PATIENT, "id": "p2", "segment": "s" * 101}, "segment", 100, 101),
    ({**PATIENT, "id": "p2", "flags": ["pregnant", "f" * 101]}, "flags[1]", 100, 101),
    ({**PATIENT, "id": "p2", "memberships": ["m" * 101]}, "memberships[0]", 100, 101),
    ({**PATIENT, "id": "p2", "goals": ["g" * 10_001]}, "goals[0]", 10_000, 10_001),
    ({**VISIT, "id": "e" * 201}, "id", 200, 201),
    ({**VISIT, "id": "e2", "patient_id": "p" * 101}, "patient_id", 100, 101),
    ({**VISIT, "id": "e2", "note": "n" * 10_001}, "note", 10_000, 10_001),
    ({**VISIT, "id": "e2", "provider": "d" * 201}, "provider", 200, 201),
    ({**VISIT, "id": "e2", "chart": {"summary": "c" * 10_001}}, "chart.summary", 10_000, 10_001),
    ({**SERVICE, "id": "s" * 101}, "id", 100, 101),
    ({**SERVICE, "name": "N" * 201}, "name", 200, 201),
    ({**SERVICE, "unit": "u" * 51}, "unit", 50, 51),
    ({**SERVICE, "category": "c" * 101}, "category", 100, 101),
    ({**SERVICE, "description": "d" * 10_001}, "description", 10_000, 10_001),
    ({**SERVICE_STEP, "next_steps": [{"to": "b" * 101}]}, "next_steps[0].to", 100, 101),
]


@pytest.mark.parametrize(("line", "name", "limit", "length"), TOO_LONG)
def test_a_value_longer_than_its_limit_rejects_its_line_naming_the_field(
    practice, tmp_path, line, name, limit, length
):
    report = practice.import_file(write(tmp_path / "f.jsonl", PATIENT, line, VISIT))
    assert [(r.line, r.category) for r in report.rejected] == [(2, "too long")]
    assert report.rejected[0].message == f"field '{name}' must be at most {limit} characters, got {length}"
    assert report.added["patients"] == 1 and report.added["events"] == 1


CONTROL = [
    ({**PATIENT, "id": "p2", "first_name": "An\x00a"}, "first_name", "U+0000 at character 3"),
    ({**PATIENT, "id": "p\x002"}, "id", "U+0000 at character 2"),
    ({**PATIENT, "id": "p2", "last_name": "Ruiz\n"}, "last_name", "U+000A at character 5"),
    ({**PATIENT, "id": "p2", "phone": "555\t0100"}, "phone", "U+0009 at character 4"),
    ({**PATIENT, "id": "p2", "goals": ["fine", "\x1b[31mred"]}, "goals[1]", "U+001B at character 1"),
    ({**PATIENT, "id": "p2", "flags": ["a\x7f"]}, "flags[0]", "U+007F at character 2"),
    (
        {**PATIENT, "id": "p2", "intake": {"answers": ["ok", "\x00"]}},
        "intake.answers[1]",
        "U+0000 at character 1",
    ),
    ({**VISIT, "id": "e\x002"}, "id", "U+0000 at character 2"),
    ({**VISIT, "id": "e2", "note": "healing\x00well"}, "note", "U+0000 at character 8"),
    ({**VISIT, "id": "e2", "note": "line one\x0bline two"}, "note", "U+000B at character 9"),
    ({**VISIT, "id": "e2", "room": "4\x85"}, "room", "U+0085 at character 2"),
    (
        {**SERVICE_STEP, "next_steps": [{"to": "botox", "why": "\x00"}]},
        "next_steps[0].why",
        "U+0000 at character 1",
    ),
]


@pytest.mark.parametrize(("line", "name", "found"), CONTROL)
def test_a_control_character_in_any_string_rejects_its_line_naming_the_field(
    practice, tmp_path, line, name, found
):
    report = practice.import_file(write(tmp_path / "f.jsonl", PATIENT, line, VISIT))
    assert [(r.line, r.category) for r in report.rejected] == [(2, "control character")]
    assert report.rejected[0].message == f"field '{name}' must not hold control characters, got {found}"
    assert report.added["patients"] == 1 and report.added["events"] == 1


@pytest.mark.parametrize("name", ["bad\x00name", "n" * 101])
def test_a_field_name_with_a_control_character_or_too_long_rejects_its_line(practice, tmp_path, name):
    nested = {**VISIT, "id": "e2", "chart": {name: 1}}
    report = practice.import_file(
        write(tmp_path / "f.jsonl", PATIENT, {**PATIENT, "id": "p2", name: 1}, nested)
    )
    assert [(r.line, r.category) for r in report.rejected] == [(2, "bad field name"), (3, "bad field name")]
    assert report.rejected[1].message.startswith("a field name in 'chart' must be at most 100 characters")
    assert practice.repository.ids(schema.patients) == {"p1"}


def test_values_at_every_limit_and_free_text_with_line_breaks_are_stored_whole(practice, tmp_path):
    patient = {
        **PATIENT,
        "id": "p" * 100,
        "first_name": "A" * 200,
        "last_name": "B" * 200,
        "email": "a" * 308 + "@example.com",
        "phone": "5" * 50,
        "segment": "s" * 100,
        "flags": ["f" * 100],
        "memberships": ["m" * 100],
        "goals": [("first line\nsecond\tline\r\n" + "g" * 10_000)[:10_000]],
    }
    service = {**SERVICE, "name": "N" * 200, "category": "c" * 100, "unit": "u" * 50}
    note = ("healed well,\n\tno bruising\r\n" + "n" * 10_000)[:10_000]
    visit = {**VISIT, "id": "e" * 200, "patient_id": patient["id"], "note": note, "provider": "d" * 200}
    report = practice.import_file(write(tmp_path / "f.jsonl", service, patient, visit))
    assert not report.rejected
    stored = practice.repository.history(patient["id"])
    assert stored is not None
    assert (stored.patient.email, stored.patient.phone, stored.patient.goals) == (
        patient["email"],
        patient["phone"],
        tuple(patient["goals"]),
    )
    assert [(e.id, e.data["note"]) for e in stored.events] == [(visit["id"], note)]
    assert {s.name for s in practice.repository.services()} == {service["name"]}


def refuse(practice: Practice, table: str, when: str) -> None:
    """A trigger that makes the database itself refuse some rows, as a constraint would (on
    PostgreSQL with the error a value too long for its column gives)."""
    with practice.repository.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(
                f"CREATE FUNCTION refuse_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF {when} THEN RAISE EXCEPTION 'refused by a constraint' USING ERRCODE = '22001'; "
                "END IF; RETURN NEW; END $$"
            )
            conn.exec_driver_sql(
                f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION refuse_{table}()"
            )
            return
        conn.exec_driver_sql(
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} WHEN {when} "
            "BEGIN SELECT RAISE(ABORT, 'refused by a constraint'); END"
        )


def test_a_line_the_database_refuses_is_rejected_and_the_rest_of_its_batch_lands(practice, tmp_path):
    refuse(practice, "patients", "NEW.id = 'p2'")
    refuse(practice, "events", "NEW.id = 'e2'")
    refused = {**PATIENT, "id": "p2", "first_name": "Bo"}
    of_refused = {**VISIT, "id": "e5", "patient_id": "p2"}
    opt_out = {**OPT_OUT, "id": "c1", "channel": "email"}
    lines = [PATIENT, refused, {**PATIENT, "id": "p3"}, VISIT, {**VISIT, "id": "e2"}, of_refused, opt_out]
    report = practice.import_file(write(tmp_path / "f.jsonl", *lines))
    assert [(r.line, r.category) for r in report.rejected] == [
        (2, "database"),
        (5, "database"),
        (6, "unknown patient"),
    ]
    assert report.rejected[0].message == "the database refused this line: refused by a constraint"
    assert practice.repository.ids(schema.patients) == {"p1", "p3"}
    assert practice.repository.ids(schema.events) == {"e1", "c1"}
    assert report.added == {"services": 0, "patients": 2, "events": 2, "offers": 0, "outcomes": 0}
    assert report.unchanged["patients"] == 0 and report.unchanged["events"] == 0
    assert consent_audit(practice) == [("import", "email", True, False)]


def test_whatever_the_database_refuses_of_a_line_behind_the_contract_rejects_that_line_alone(
    practice, tmp_path, monkeypatch
):
    """The storage layer's own guard, with the contract's string checks off: a value the
    database cannot look up or store (PostgreSQL refuses a NUL anywhere and a value longer
    than its column) rejects its line, in the lookup of what the id held as in the write, and
    the lines beside it land; SQLite stores them all."""
    practice.import_file(write(tmp_path / "a.jsonl", PATIENT, VISIT))  # ids now held are looked up
    monkeypatch.setattr(contract, "check_strings", lambda obj, kind: None)
    lines = [
        {**PATIENT, "id": "p\x002"},
        {**PATIENT, "id": "p3"},
        {**PATIENT, "id": "p4", "phone": "5" * 60},
        {**VISIT, "id": "e\x002"},
        {**VISIT, "id": "e3", "patient_id": "p3"},
    ]
    report = practice.import_file(write(tmp_path / "b.jsonl", *lines))
    if practice.repository.engine.dialect.name == "postgresql":
        assert [(r.line, r.category) for r in report.rejected] == [
            (1, "database"),
            (3, "database"),
            (4, "database"),
        ]
        assert practice.repository.ids(schema.patients) == {"p1", "p3"}
        assert practice.repository.ids(schema.events) == {"e1", "e3"}
    else:
        assert not report.rejected
        assert practice.repository.ids(schema.events) == {"e1", "e\x002", "e3"}
    new = {"fields": ["first_name", "marketing_consent", "preferred_channel"], "events": 1}
    assert report.changed["p3"].as_dict() == new


def test_the_report_names_the_patients_a_run_changed_and_their_fields(practice: Practice, tmp_path):
    first = practice.import_file(write(tmp_path / "a.jsonl", PATIENT, VISIT))
    assert first.as_dict()["changed"] == {
        "p1": {"fields": ["first_name", "marketing_consent", "preferred_channel"], "events": 1}
    }
    again = practice.import_file(write(tmp_path / "a.jsonl", PATIENT, VISIT))
    assert again.as_dict()["changed"] == {}
    edited = {**PATIENT, "email": "ana@example.com", "vip": True}
    other = {**PATIENT, "id": "p2", "first_name": "Bo"}
    later = practice.import_file(
        write(tmp_path / "b.jsonl", edited, VISIT, {**VISIT, "id": "e2"}, {**VISIT, "amount": 500}, other)
    )
    assert later.as_dict()["changed"] == {
        "p1": {"fields": ["email", "vip"], "events": 2},
        "p2": {"fields": ["first_name", "marketing_consent", "preferred_channel"], "events": 0},
    }


def test_the_report_json_only_gains_keys(practice: Practice):
    report = practice.import_file(CASES / "dev" / "practice.jsonl").as_dict()
    old = {"lines", "added", "updated", "unchanged", "rejected", "rejected_by_reason", "rejections"}
    assert set(report) == old | {"changed"}
    assert len(report["changed"]) == 23


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


def test_a_service_says_whether_it_is_sensitive_or_gets_the_default_rule(practice: Practice, tmp_path):
    menu = [
        {
            "type": "service",
            "id": "glp",
            "name": "Semaglutide plan",
            "category": "Medical weight loss",
            "price": 349,
        },
        {
            "type": "service",
            "id": "trt",
            "name": "TRT",
            "kind": "program",
            "price": 199,
            "description": "Prescribed testosterone with labs.",
        },
        {
            "type": "service",
            "id": "sema",
            "name": "Semaglutide starter",
            "category": "metabolic health",
            "price": 299,
        },
        {"type": "service", "id": "glow", "name": "Glow facial", "category": "skin", "price": 99},
        {"type": "service", "id": "iv", "name": "Recovery drip", "price": 150, "sensitive": True},
        {
            "type": "service",
            "id": "diet",
            "name": "Diet coaching",
            "category": "weight",
            "price": 50,
            "sensitive": False,
        },
        {"type": "service", "id": "odd", "name": "Odd", "price": 1, "sensitive": "yes"},
    ]
    report = practice.import_file(write(tmp_path / "menu.jsonl", *menu))
    assert [(r.line, r.category) for r in report.rejected] == [(7, "bad value")]
    flags = {s.id: s.sensitive for s in practice.menu()}
    assert flags == {"glp": True, "trt": True, "sema": True, "glow": False, "iv": True, "diet": False}


def test_a_services_aliases_are_stored_once_each_and_a_blank_one_is_refused(practice: Practice, tmp_path):
    menu = [
        {
            "type": "service",
            "id": "tox",
            "name": "Neurotoxin",
            "price": 12,
            "aliases": ["Botox", " Dysport  50u ", "Botox"],
        },
        {"type": "service", "id": "glow", "name": "Glow facial", "price": 99, "aliases": ["Glow", " "]},
        {"type": "service", "id": "peel", "name": "Peel", "price": 99, "aliases": "VI Peel"},
        {"type": "service", "id": "long", "name": "Long", "price": 99, "aliases": ["x" * 201]},
    ]
    report = practice.import_file(write(tmp_path / "menu.jsonl", *menu))
    assert [(r.line, r.category) for r in report.rejected] == [
        (2, "bad value"),
        (3, "bad value"),
        (4, "too long"),
    ]
    tox = practice.menu().get("tox")
    assert tox is not None and tox.aliases == ("Botox", "Dysport 50u")
    again = practice.import_file(write(tmp_path / "menu.jsonl", menu[0]))
    assert again.as_dict()["unchanged"]["services"] == 1 and again.as_dict()["updated"]["services"] == 0


def test_a_patients_time_zone_is_kept_and_a_made_up_one_is_refused(practice: Practice, tmp_path):
    lines = [
        {**PATIENT, "id": "tz1", "time_zone": "America/Denver"},
        {**PATIENT, "id": "tz2", "time_zone": "Mars/Olympus_Mons"},
        {**PATIENT, "id": "tz3", "time_zone": " "},
    ]
    report = practice.import_file(write(tmp_path / "zones.jsonl", *lines))
    assert [(r.line, r.category) for r in report.rejected] == [(2, "bad value")]
    assert "time_zone" in report.rejected[0].message and "IANA" in report.rejected[0].message
    assert practice.repository.patient("tz1").time_zone == "America/Denver"
    assert practice.repository.patient("tz3").time_zone is None
    again = practice.import_file(write(tmp_path / "zones.jsonl", lines[0]))
    assert again.as_dict()["unchanged"]["patients"] == 1


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


# The consent ledger --------------------------------------------------------------------------

OPT_OUT = {
    "type": "event",
    "id": "c1",
    "patient_id": "p1",
    "at": "2026-11-01T09:00:00Z",
    "kind": "opted_out",
    "channel": "sms",
    "source": "sms reply",
    "text": "STOP",
}
OPT_IN = {
    "type": "event",
    "id": "c2",
    "patient_id": "p1",
    "at": "2026-11-10T09:00:00Z",
    "kind": "opted_in",
    "channel": "all",
    "source": "signed form at front desk",
}
CONTACT = {"email": "ana@example.com", "phone": "+15550000001", "preferred_channel": "sms"}


def sms_block(practice: Practice):
    history = practice.repository.history("p1", 2**40)
    return practice.eligibility().channel_block(history, practice.clock.today(), "sms")


def consent_audit(practice: Practice) -> list[tuple[str, str, bool, bool]]:
    rows = practice.repository.audit(patient_id="p1")
    return [
        (r.actor, (d := json.loads(r.detail))["channel"], d["before"], d["after"])
        for r in rows
        if r.action == "consent_changed"
    ]


def test_an_opt_out_cannot_be_overwritten_by_a_line_with_its_id(practice: Practice, tmp_path):
    practice.import_file(write(tmp_path / "a.jsonl", {**PATIENT, **CONTACT}, OPT_OUT))
    erasing = {**OPT_OUT, "kind": "feedback", "score": 9, "comment": "love it"}
    del erasing["channel"]
    report = practice.import_file(write(tmp_path / "b.jsonl", VISIT, erasing))
    assert [(r.line, r.category) for r in report.rejected] == [(2, "consent record")]
    message = report.rejected[0].message
    assert "'c1'" in message and "new opted_in or opted_out event" in message
    assert report.added["events"] == 1  # the good line still imports
    block = sms_block(practice)
    assert block is not None and block.reason is Reason.OPTED_OUT


@pytest.mark.parametrize(
    "change", [{"channel": "email"}, {"at": "2026-11-02T09:00:00Z"}, {"text": "stop"}, {"kind": "opted_in"}]
)
def test_no_field_of_a_consent_record_can_change(practice: Practice, tmp_path, change):
    practice.import_file(write(tmp_path / "a.jsonl", PATIENT, OPT_OUT))
    report = practice.import_file(write(tmp_path / "b.jsonl", {**OPT_OUT, **change}))
    assert [r.category for r in report.rejected] == ["consent record"]
    [stored] = practice.repository.consent_events()
    assert stored.data == {k: OPT_OUT[k] for k in ("channel", "source", "text")}


def test_reimporting_a_consent_record_unchanged_is_a_no_op(practice: Practice, tmp_path):
    practice.import_file(write(tmp_path / "a.jsonl", PATIENT, OPT_OUT))
    audited = consent_audit(practice)
    report = practice.import_file(write(tmp_path / "b.jsonl", PATIENT, OPT_OUT))
    assert not report.rejected and report.unchanged["events"] == 1
    reordered = dict(reversed(list(OPT_OUT.items())))  # the same record, its keys in another order
    assert not practice.import_file(write(tmp_path / "c.jsonl", reordered)).rejected
    assert consent_audit(practice) == audited == [("import", "sms", True, False)]


def test_another_stored_event_may_become_an_opt_out(practice: Practice, tmp_path):
    feedback = {**OPT_OUT, "kind": "feedback", "comment": "lovely"}
    practice.import_file(write(tmp_path / "a.jsonl", {**PATIENT, **CONTACT}, feedback))
    report = practice.import_file(write(tmp_path / "b.jsonl", OPT_OUT))
    assert not report.rejected and report.updated["events"] == 1
    assert sms_block(practice) is not None
    assert consent_audit(practice) == [("import", "sms", True, False)]


def test_a_consent_record_cannot_be_moved_to_another_patient(practice: Practice, tmp_path):
    practice.import_file(write(tmp_path / "a.jsonl", PATIENT, {**PATIENT, "id": "p2"}, OPT_OUT))
    report = practice.import_lines([json.dumps({**OPT_OUT, "patient_id": "p2"}).encode()])
    assert [r.category for r in report.rejected] == ["consent record"]
    [stored] = practice.repository.consent_events()
    assert stored.patient_id == "p1"


def test_a_run_counts_what_it_added_once_however_often_a_line_repeats(practice: Practice, tmp_path):
    practice.import_file(write(tmp_path / "a.jsonl", PATIENT, VISIT))
    again = {**VISIT, "amount": 500}
    report = practice.import_file(
        write(tmp_path / "b.jsonl", {**VISIT, "id": "e2"}, again, {**VISIT, "id": "e2"})
    )
    assert (report.added["events"], report.updated["events"]) == (1, 1)
    assert report.added["patients"] == 0


def test_a_patient_line_cannot_turn_withdrawn_consent_back_on(practice: Practice, tmp_path):
    practice.import_file(write(tmp_path / "a.jsonl", {**PATIENT, "marketing_consent": False}))
    report = practice.import_file(write(tmp_path / "b.jsonl", VISIT, PATIENT))
    assert [(r.line, r.category) for r in report.rejected] == [(2, "consent record")]
    assert "comes back only through an `opted_in` event" in report.rejected[0].message
    assert report.added["events"] == 1
    assert practice.repository.patient("p1").marketing_consent is False


def test_a_patient_line_may_withdraw_consent_and_the_withdrawal_is_audited(practice: Practice, tmp_path):
    practice.import_file(write(tmp_path / "a.jsonl", PATIENT))
    report = practice.import_lines([json.dumps({**PATIENT, "marketing_consent": False}).encode()], "admin1")
    assert not report.rejected
    assert practice.repository.patient("p1").marketing_consent is False
    [row] = [r for r in practice.repository.audit(patient_id="p1") if r.action == "consent_changed"]
    detail = json.loads(row.detail)
    assert row.actor == "admin1"
    assert detail == {
        "channel": "marketing",
        "before": True,
        "after": False,
        "at": practice.clock.now().isoformat(),
        "source": "patient record (import)",
        "event_id": None,
        "text": None,
    }


def test_an_opt_in_lifts_the_opt_out_gives_consent_back_and_is_audited(practice: Practice, tmp_path):
    withdrawn = {**PATIENT, **CONTACT, "marketing_consent": False}
    practice.import_file(write(tmp_path / "a.jsonl", withdrawn, OPT_OUT))
    assert sms_block(practice) is not None
    report = practice.import_lines([json.dumps({**OPT_IN, "text": "signed"}).encode()], "coordinator1")
    assert not report.rejected
    assert sms_block(practice) is None
    assert practice.repository.patient("p1").marketing_consent is True
    assert consent_audit(practice) == [
        ("import", "sms", True, False),
        ("coordinator1", "email", True, True),
        ("coordinator1", "sms", False, True),
        ("coordinator1", "marketing", False, True),
    ]
    last = json.loads(practice.repository.audit(patient_id="p1")[-1].detail)
    assert last["event_id"] == "c2" and last["source"] == "signed form at front desk"
    assert last["text"] == "signed" and last["at"] == "2026-11-10T09:00:00+00:00"


def test_the_scan_reads_an_opt_in_for_a_patient_without_a_recent_signal(practice: Practice, tmp_path):
    old_out = {**OPT_OUT, "at": "2025-01-01T09:00:00Z", "channel": "all"}
    old_in = {**OPT_IN, "at": "2025-02-01T09:00:00Z", "channel": "sms"}
    practice.import_file(write(tmp_path / "a.jsonl", {**PATIENT, **CONTACT}, old_out, old_in))
    since = int(practice.clock.now().timestamp()) - 86_400
    active, [h] = practice.repository.histories(since, 2**40, 0, 0)
    assert not active and {e.kind for e in h.events} == {"opted_out", "opted_in"}
    assert practice.eligibility().channel(h, practice.clock.today()) == "sms"
