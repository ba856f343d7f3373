"""`crosssell import` of booking systems' spreadsheet exports, end to end through the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.app.practice import Practice
from assistant.cli import app

runner = CliRunner()

CLIENTS = (
    "\ufeffFirst Name,Last Name,Email,Mobile,Day,City,Birthdate\r\n"
    "Ana,Ruiz,Ana@Example.com,(555) 010-0100,,Austin,03/04/1988\r\n"
    "\r\n"
    ",Lee,,,555 010 0200,,13/45/1990\r\n"  # no first name: rejected
    "Cy,Poe,cy@example.com,,,,\r\n"
)
APPOINTMENTS = (
    "Date;Time;Client;Email;Phone;Service;Staff;Status;Price\r\n"
    "11/24/2026;3:00 PM;Ana Ruiz;ana@example.com;;botox;Dr. Kim;Checked Out;$450.00\r\n"
    "11/25/2026;9:00 AM;Cy Poe;;;Ear Piercing;;Completed;$99\r\n"
    "11/26/2026;9:00 AM;Cy Poe;CY@example.com;;Botox;;Completed;$450\r\n"
)


@pytest.fixture
def exports(tmp_path):
    clients = tmp_path / "customers.csv"
    clients.write_bytes(CLIENTS.encode("utf-8"))
    appointments = tmp_path / "appointments.csv"
    appointments.write_bytes(APPOINTMENTS.encode("cp1252"))
    return clients, appointments


def imported(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["import", *args, "--format", "json", "--quiet"])
    return result.exit_code, json.loads(result.stdout)


def test_a_rejected_row_is_named_by_row_and_column_while_the_good_rows_import(home, exports):
    clients, _ = exports
    code, report = imported(str(clients), "--preset", "vagaro-customers")
    assert code == 1
    assert report["rejections"] == [
        {"row": 4, "column": "First Name", "reason": "a new patient needs a first name"}
    ]
    assert report["added"]["patients"] == 2
    stored = {p["email"]: p for p in Practice().repository.patient_records() if "email" in p}
    assert stored["ana@example.com"]["phone"] == "+15550100100"
    assert all(p["marketing_consent"] is False for p in stored.values())


def test_importing_the_same_exports_twice_changes_nothing(home, exports):
    clients, appointments = exports
    imported(str(clients), "--preset", "vagaro-customers")
    first_code, first = imported(str(appointments), "--preset", "appointments")
    assert first_code == 1  # the unmatched service
    assert first["added"]["events"] == 2
    assert first["unmatched_services"] == {"Ear Piercing": 1}
    _, clients_again = imported(str(clients), "--preset", "vagaro-customers")
    _, again = imported(str(appointments), "--preset", "appointments")
    for report in (clients_again, again):
        assert sum(report["added"].values()) == 0 and sum(report["updated"].values()) == 0
    assert again["unchanged"]["events"] == 2


def test_appointments_join_the_client_list_by_email(home, exports):
    clients, appointments = exports
    imported(str(clients), "--preset", "vagaro-customers")
    imported(str(appointments), "--preset", "appointments")
    practice = Practice()
    patients = practice.repository.patient_records()
    assert len(patients) == 2  # the appointments added nobody new
    ana = next(p for p in patients if p["first_name"] == "Ana")
    history = practice.repository.history(ana["id"])
    assert history is not None
    assert [e.service_id for e in history.events] == ["botox"]


def test_a_dry_run_shows_what_would_happen_and_writes_nothing(home, exports):
    clients, _ = exports
    result = runner.invoke(app, ["import", str(clients), "--preset", "vagaro-customers", "--dry-run"])
    assert result.exit_code == 1
    assert "Dry run" in result.output and "would add" in result.output
    assert "First Name" in result.output  # the column mapping used
    assert "row 4, column 'First Name'" in result.output
    assert Practice().repository.patient_records() == []
    _, report = imported(str(clients), "--preset", "vagaro-customers", "--dry-run")
    assert report["dry_run"] and report["would_add"] == {"patients": 2}
    assert len(report["samples"]) == 2


def test_consent_on_file_is_recorded_in_the_ledger_with_who(home, exports):
    clients, _ = exports
    result = runner.invoke(
        app,
        [
            "import",
            str(clients),
            "--preset",
            "vagaro-customers",
            "--consent",
            "on-file",
            "--actor",
            "maria",
            "--quiet",
        ],
    )
    assert result.exit_code == 1
    practice = Practice()
    assert all(p["marketing_consent"] for p in practice.repository.patient_records())
    ledger = [e for e in practice.repository.consent_events() if e.kind == "opted_in"]
    assert len(ledger) == 2 and all("cli:maria" in e.data["source"] for e in ledger)
    assert any(e["action"] == "consent_on_file" and e["actor"] == "cli:maria" for e in _audit())


def _audit() -> list[dict]:
    result = runner.invoke(app, ["audit", "--format", "json"])
    return json.loads(result.stdout)["entries"]


def test_the_mapping_template_writes_a_mapping_the_import_then_reads(home, exports, tmp_path):
    _, appointments = exports
    target = tmp_path / "mine.toml"
    result = runner.invoke(app, ["import", str(appointments), "--mapping-template", str(target)])
    assert result.exit_code == 0 and target.is_file()
    code, report = imported(str(appointments), "--mapping", str(target), "--dry-run")
    assert report["columns"]["service"] == ["Service"]
    assert report["would_add"]["events"] == 2
    again = runner.invoke(app, ["import", str(appointments), "--mapping-template", str(target)])
    assert again.exit_code == 2 and "exists" in again.output


def test_a_spreadsheet_needs_exactly_one_mapping_and_json_lines_takes_none(home, exports, tmp_path):
    clients, _ = exports
    neither = runner.invoke(app, ["import", str(clients)])
    assert neither.exit_code == 2 and "--preset" in neither.output
    unknown = runner.invoke(app, ["import", str(clients), "--preset", "boulevard"])
    assert unknown.exit_code == 2 and "vagaro-customers" in unknown.output
    lines = tmp_path / "p.jsonl"
    lines.write_text('{"type": "patient", "id": "p1", "first_name": "A"}\n')
    assert runner.invoke(app, ["import", str(lines), "--preset", "sales"]).exit_code == 2
    assert runner.invoke(app, ["import", str(lines)]).exit_code == 0


def test_an_xlsx_export_imports_like_its_csv(home, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Client ID", "First Name", "Last Name", "Email", "Mobile Number", "Blocked"])
    sheet.append(["c1", "Ana", "Ruiz", "ana@example.com", "+1 555 010 0100", "No"])
    sheet.append(["c2", "Bo", "Lee", "bo@example.com", None, "Yes"])
    path = tmp_path / "clients.xlsx"
    workbook.save(path)
    code, report = imported(str(path), "--preset", "fresha-clients", "--consent", "on-file")
    assert code == 0 and report["added"]["patients"] == 2
    practice = Practice()
    consent = {p["id"]: p["marketing_consent"] for p in practice.repository.patient_records()}
    assert consent == {"c1": True, "c2": False}
    _, again = imported(str(path), "--preset", "fresha-clients", "--consent", "on-file")
    assert sum(again["added"].values()) == 0 and sum(again["updated"].values()) == 0


def test_a_client_listed_twice_under_two_ids_is_one_patient_for_later_imports(home, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Client ID", "First Name", "Last Name", "Email", "Mobile Number"])
    sheet.append(["c1", "Zoë", "Laurent", "zoe@example.com", None])
    sheet.append(["c2", "Zoe", "Laurent", "Zoe@Example.com", "+1 512 555 0170"])
    clients = tmp_path / "clients.xlsx"
    workbook.save(clients)
    code, report = imported(str(clients), "--preset", "fresha-clients")
    assert code == 0 and report["merged"] == [{"row": 3, "into_row": 2}]
    appointments = tmp_path / "appointments.csv"
    appointments.write_text("Date,Time,Client ID,Service,Status\n11/19/2026,10:00 AM,c2,Botox,Completed\n")
    code, report = imported(str(appointments), "--preset", "appointments")
    assert code == 0 and report["added"] == report["added"] | {"patients": 0, "events": 1}
    [zoe] = Practice().repository.patient_records()
    assert (zoe["id"], zoe["first_name"], zoe["phone"]) == ("c1", "Zoë", "+15125550170")
    _, again = imported(str(clients), "--preset", "fresha-clients")
    assert sum(again["added"].values()) == 0 and sum(again["updated"].values()) == 0


def test_a_row_the_importer_refuses_is_named_by_its_row(home, tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text(
        "Date,Client,Email,Item,Quantity,Price,Total\n"
        "11/24/2026,Ana Ruiz,ana@example.com,Botox,1,$450.00,$450.00\n"
        "\n"
        '11/25/2026,Ana Ruiz,ana@example.com,Botox,1,"$250,000.00","$250,000.00"\n'
    )
    code, report = imported(str(path), "--preset", "sales")
    assert code == 1
    [rejection] = report["rejections"]
    assert rejection["row"] == 4 and rejection["column"] == "Total" and "limit" in rejection["reason"]
    assert (report["added"]["patients"], report["added"]["events"]) == (1, 1)


def test_an_amount_over_the_limit_adds_no_client(home, tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text('Date,Client,Email,Item,Total\n11/25/2026,Bo Lee,bo@example.com,Botox,"$250,000.00"\n')
    code, report = imported(str(path), "--preset", "sales")
    assert code == 1
    assert [(r["row"], r["column"]) for r in report["rejections"]] == [(2, "Total")]
    assert Practice().repository.patient_records() == []


def test_a_dry_run_after_an_import_says_what_would_change(home, exports):
    clients, appointments = exports
    imported(str(clients), "--preset", "vagaro-customers")
    imported(str(appointments), "--preset", "appointments")
    _, same = imported(str(appointments), "--preset", "appointments", "--dry-run")
    assert same["would_add"] == {} and same["would_update"] == {} and same["unchanged"] == {"events": 2}
    changed = appointments.read_bytes().replace(b"$450.00", b"$475.00")
    appointments.write_bytes(changed)
    _, dry = imported(str(appointments), "--preset", "appointments", "--dry-run")
    assert dry["would_update"] == {"events": 1} and dry["unchanged"] == {"events": 1}
    _, clients_again = imported(str(clients), "--preset", "vagaro-customers", "--dry-run")
    assert clients_again["unchanged"] == {"patients": 2}


def test_errors_file_keeps_every_rejected_row_with_its_column(home, exports, tmp_path):
    clients, _ = exports
    errors = tmp_path / "rejected.jsonl"
    result = runner.invoke(
        app, ["import", str(clients), "--preset", "vagaro-customers", "--errors", str(errors), "--quiet"]
    )
    assert result.exit_code == 1 and "row 4, column 'First Name'" in result.output
    kept = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [(k["row"], k["column"]) for k in kept] == [(4, "First Name")]
    assert "Lee" not in errors.read_text() and "0200" not in errors.read_text()


NAMED_THEIR_WAY = (
    "Date,Time,Client,Email,Service,Status,Price\n"
    "11/20/2026,9:00 AM,Ana Ruiz,ana@example.com,Tox - 20 units,Completed,$300\n"
    "11/21/2026,9:00 AM,Ana Ruiz,ana@example.com,Chemical Peel (medium),Completed,$180\n"
    "11/22/2026,9:00 AM,Ana Ruiz,ana@example.com,Ear Piercing,Completed,$40\n"
    "11/23/2026,9:00 AM,Ana Ruiz,ana@example.com,ear  piercing,Completed,$60\n"
    "11/24/2026,9:00 AM,Ana Ruiz,ana@example.com,Gift Card,Completed,$100\n"
)


def test_services_match_by_alias_and_by_meaning_with_the_confidence_and_the_rest_get_a_menu_line(
    home, tmp_path
):
    export = tmp_path / "appointments.csv"
    export.write_text(NAMED_THEIR_WAY)
    code, report = imported(str(export), "--preset", "appointments")
    assert code == 1 and report["added"]["events"] == 2
    matches = {m["name"]: m for m in report["service_matches"]}
    assert (matches["Tox - 20 units"]["service_id"], matches["Tox - 20 units"]["how"]) == ("botox", "alias")
    peel = matches["Chemical Peel (medium)"]
    assert (peel["service_id"], peel["how"], peel["rows"]) == ("chemical_peel", "meaning", 1)
    assert 0.7 <= peel["confidence"] < 1
    assert report["unmatched_services"] == {"Ear Piercing": 2, "Gift Card": 1}
    suggested = {s["name"]: s for s in report["suggested_services"]}
    assert suggested["Ear Piercing"]["rows"] == 2
    assert suggested["Ear Piercing"]["entry"] | {"category": ""} == {
        "type": "service",
        "id": "ear_piercing",
        "name": "Ear Piercing",
        "category": "",
        "price": 50.0,
        "kind": "treatment",
    }
    table = runner.invoke(app, ["import", str(export), "--preset", "appointments", "--dry-run"])
    assert "'Chemical Peel (medium)' is chemical_peel (by meaning, confidence 0." in table.stdout
    assert "'Ear Piercing' is not on the menu: 2 row(s)" in table.output
    assert '"id":"ear_piercing"' in table.output
    assert suggested["Gift Card"]["entry"] is None  # still listed, on no menu line
    assert suggested["Gift Card"]["note"] == "not a treatment: left off the menu"
    assert "'Gift Card' is not on the menu: 1 row(s); not a treatment: left off the menu" in " ".join(
        table.output.split()
    )


def test_menu_suggest_proposes_the_menu_in_the_exports_words_and_the_import_then_matches_by_name(
    home, tmp_path
):
    export = tmp_path / "appointments.csv"
    export.write_text(NAMED_THEIR_WAY)
    proposed = tmp_path / "menu.jsonl"
    shown = runner.invoke(
        app, ["menu", "suggest", str(export), "--preset", "appointments", "--out", str(proposed)]
    )
    assert shown.exit_code == 0, shown.output
    assert "Ear Piercing" in shown.stdout and f"crosssell import {proposed}" in shown.stdout
    lines = {line["id"]: line for line in map(json.loads, proposed.read_text().splitlines())}
    default_menu = {s.id for s in Practice().menu()}
    assert default_menu | {"ear_piercing"} == set(lines)  # nothing of the menu dropped, no gift card added
    assert "left off the menu" in shown.stdout
    assert "Chemical Peel (medium)" in lines["chemical_peel"]["aliases"]
    assert lines["chemical_peel"]["price"] == 180.0 and lines["ear_piercing"]["price"] == 50.0
    assert lines["botox"]["price"] == 300.0
    assert Practice().repository.services() == []  # suggesting writes nothing
    assert runner.invoke(app, ["import", str(proposed), "--quiet"]).exit_code == 0
    code, report = imported(str(export), "--preset", "appointments")
    assert code == 1 and report["unmatched_services"] == {"Gift Card": 1}  # no service: still refused
    assert report["added"]["events"] == 4
    assert {m["how"] for m in report["service_matches"]} == {"alias"}
    as_json = runner.invoke(
        app, ["menu", "suggest", str(export), "--preset", "appointments", "--format", "json"]
    )
    names = {n["name"]: n for n in json.loads(as_json.stdout)["names"]}
    assert names["Ear Piercing"] == {
        "name": "Ear Piercing",
        "rows": 2,
        "median_paid": 50.0,
        "service_id": "ear_piercing",
        "how": "name",
        "confidence": 1.0,
    }
    assert (names["Gift Card"]["service_id"], names["Gift Card"]["how"]) == ("", "left off")


def test_menu_suggest_reads_only_appointments_or_sales_and_menu_alone_still_shows_the_menu(home, exports):
    clients, _ = exports
    refused = runner.invoke(app, ["menu", "suggest", str(clients), "--preset", "vagaro-customers"])
    assert refused.exit_code == 2 and "appointments or sales export" in refused.output
    shown = runner.invoke(app, ["menu"])
    assert shown.exit_code == 0 and "HydraFacial" in shown.stdout
