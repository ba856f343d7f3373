from __future__ import annotations

from datetime import UTC, datetime

from assistant.domain.records import Service
from assistant.exports import mapping
from assistant.exports.rows import Options, convert
from assistant.exports.services import ServiceNames
from assistant.exports.sheets import read_csv

MENU = ServiceNames(
    [
        Service("botox", "Botox", "injectables", 450, ""),
        Service("hydrafacial", "HydraFacial", "skin", 225, ""),
    ]
)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def sheet(text: str):
    return read_csv(text.encode())


def patients_of(conversion):
    return {r["id"]: r for r in conversion.records if r["type"] == "patient"}


def events_of(conversion):
    return [r for r in conversion.records if r["type"] == "event"]


VAGARO = (
    "First Name,Last Name,Email,Mobile,Day,City,Birthdate,Tags\n"
    "Ana,Ruiz,Ana@X.com,(555) 010-0100,,Austin,03/04/1988,VIP\n"
    "Bo,Lee,,,555 010 0200,,,\n"
    "Ana,Ruiz,ana@x.com ,,,,,\n"
)


def test_a_client_list_becomes_patient_lines_without_marketing_consent():
    result = convert(sheet(VAGARO), mapping.preset("vagaro-customers"), [], MENU, Options(NOW))
    patients = patients_of(result)
    assert len(patients) == 2
    ana = next(p for p in patients.values() if p["first_name"] == "Ana")
    assert ana["email"] == "ana@x.com" and ana["phone"] == "+15550100100"
    assert ana["birth_date"] == "1988-03-04" and ana["city"] == "Austin" and ana["tags"] == "VIP"
    assert all(p["marketing_consent"] is False for p in patients.values())
    bo = next(p for p in patients.values() if p["first_name"] == "Bo")
    assert bo["phone"] == "+15550100200"  # the Day phone when Mobile is blank
    assert result.merged == [(4, 2)]
    assert result.rejections == []


def test_an_unreadable_birthdate_is_left_out_with_a_note_and_the_client_imported():
    text = "First Name,Last Name,Email,Birthdate\nAna,Ruiz,ana@x.com,31/02/1991\n"
    result = convert(sheet(text), mapping.preset("vagaro-customers"), [], MENU, Options(NOW))
    assert result.rejections == []
    (ana,) = patients_of(result).values()
    assert ana["first_name"] == "Ana" and "birth_date" not in ana
    (note,) = result.notes
    assert (note.row, note.column) == (2, "Birthdate")
    assert note.reason.startswith("not a date in the formats") and note.reason.endswith("left out")
    assert "31/02" not in note.reason


FRESHA_TWICE = (
    "Client ID,First Name,Last Name,Email,Mobile Number,Added\n"
    "c1,Zoë,Laurent,zoe@x.com,,2025-02-03\n"
    "c2,Zoe,Laurent, Zoe@X.com ,+1 512 555 0170,2026-04-02\n"
    "c2,,,,,\n"
)


def test_a_merged_duplicate_keeps_the_first_rows_values_fills_the_blanks_and_notes_the_rest():
    result = convert(sheet(FRESHA_TWICE), mapping.preset("fresha-clients"), [], MENU, Options(NOW))
    assert result.merged == [(3, 2), (4, 2)]
    assert result.rejections == []
    [zoe] = patients_of(result).values()
    assert (zoe["id"], zoe["first_name"], zoe["added"]) == ("c1", "Zoë", "2025-02-03")
    assert zoe["phone"] == "+15125550170"  # what the first row lacked, from the later one
    assert zoe["other_client_ids"] == ["c2"]
    assert [(n.row, n.column, n.reason) for n in result.notes] == [
        (3, "First Name", "differs from row 2: row 2's kept"),
        (3, "Added", "differs from row 2: row 2's kept"),
    ]


def test_a_merged_client_id_finds_the_patient_in_a_later_import():
    clients = convert(sheet(FRESHA_TWICE), mapping.preset("fresha-clients"), [], MENU, Options(NOW))
    stored = list(patients_of(clients).values())
    text = "Date,Time,Client ID,Client,Service,Status\n11/19/2026,10:00 AM,c2,Zoe Laurent,Botox,Completed\n"
    result = convert(sheet(text), mapping.preset("appointments"), stored, MENU, Options(NOW))
    assert patients_of(result) == {}
    assert [e["patient_id"] for e in events_of(result)] == ["c1"]


def test_the_same_export_read_twice_gives_the_same_records():
    first = convert(sheet(VAGARO), mapping.preset("vagaro-customers"), [], MENU, Options(NOW))
    again = convert(sheet(VAGARO), mapping.preset("vagaro-customers"), [], MENU, Options(NOW))
    assert first.records == again.records


def test_consent_on_file_is_given_to_new_patients_only_and_listed():
    stored = [{"id": "p1", "first_name": "Ana", "email": "ana@x.com", "marketing_consent": False}]
    result = convert(
        sheet(VAGARO), mapping.preset("vagaro-customers"), stored, MENU, Options(NOW, consent_on_file=True)
    )
    patients = patients_of(result)
    assert patients["p1"]["marketing_consent"] is False
    assert [p["marketing_consent"] for i, p in patients.items() if i != "p1"] == [True]
    assert result.consent_on_file == [i for i in patients if i != "p1"]


def test_a_stored_patient_keeps_the_fields_the_row_does_not_map():
    stored = [
        {
            "id": "p1",
            "first_name": "Ana",
            "email": "ana@x.com",
            "marketing_consent": True,
            "address": "1 Main St",
            "goals": ["smoother skin"],
        }
    ]
    result = convert(sheet(VAGARO), mapping.preset("vagaro-customers"), stored, MENU, Options(NOW))
    ana = patients_of(result)["p1"]
    assert ana["marketing_consent"] is True
    assert ana["address"] == "1 Main St" and ana["goals"] == ["smoother skin"]
    assert ana["city"] == "Austin" and ana["phone"] == "+15550100100"


def test_a_blocked_client_becomes_an_opt_out_for_all_channels():
    text = "Client ID,First Name,Email,Blocked,Added\nc1,Ana,ana@x.com,Yes,2026-01-02\nc2,Bo,bo@x.com,No,\n"
    result = convert(
        sheet(text), mapping.preset("fresha-clients"), [], MENU, Options(NOW, consent_on_file=True)
    )
    assert patients_of(result)["c1"]["marketing_consent"] is False
    assert patients_of(result)["c2"]["marketing_consent"] is True
    [opt_out] = events_of(result)
    assert (opt_out["patient_id"], opt_out["kind"], opt_out["channel"]) == ("c1", "opted_out", "all")
    assert result.consent_on_file == ["c2"]


def test_a_mapped_consent_column_decides_consent():
    clinic = mapping.parse(
        'name = "c"\nkind = "patients"\n[columns]\nfirst_name = "Name"\nemail = "Email"\n'
        'marketing_consent = "Marketing OK"\n[ids]\nprefix = "c"\n',
        "c.toml",
    )
    result = convert(
        sheet("Name,Email,Marketing OK\nAna,a@x.com,yes\nBo,b@x.com,\n"), clinic, [], MENU, Options(NOW)
    )
    assert sorted(p["marketing_consent"] for p in patients_of(result).values()) == [False, True]


APPOINTMENTS = (
    "Date,Time,Client,Email,Phone,Service,Staff,Status,Price,Notes\n"
    "11/24/2026,3:00 PM,Ana Ruiz,ana@x.com,,botox ,Dr. Kim,Checked Out,$450.00,first visit\n"
    "12/20/2026,10:00 AM,Ana Ruiz,ana@x.com,,HydraFacial,Dr. Kim,Booked,$199,\n"
    "11/20/2026,9:00 AM,Bo Lee,,555-010-0200,Laser Hair Removal,,Completed,$300,\n"
    "11/21/2026,9:00 AM,Bo Lee,,555-010-0200,laser hair removal,,No-Show,,\n"
    "11/22/2026,9:00 AM,Cy Poe,,555-010-0300,Botox,,Rescheduled,,\n"
    "11/23/2026,9:00 AM,Di Ray,,,Botox,,Deleted,,\n"
    "13/40/2026,9:00 AM,Di Ray,,,Botox,,Booked,,\n"
)


def test_appointments_become_events_for_the_patients_they_name():
    stored = [{"id": "p1", "first_name": "Ana", "email": "ana@x.com"}]
    result = convert(
        sheet(APPOINTMENTS),
        mapping.preset("appointments"),
        stored,
        MENU,
        Options(NOW, time_zone="America/Chicago"),
    )
    events = events_of(result)
    assert [(e["patient_id"], e["kind"], e["service_id"]) for e in events] == [
        ("p1", "visit_completed", "botox"),
        ("p1", "appointment_booked", "hydrafacial"),
    ]
    visit, booked = events
    assert visit["at"] == "2026-11-24T15:00:00-06:00"
    assert (visit["amount"], visit["provider"], visit["note"]) == (450.0, "Dr. Kim", "first visit")
    assert booked["scheduled_for"] == "2026-12-20T10:00:00-06:00"
    assert patients_of(result) == {}  # the stored patient is not rewritten by an appointment


def test_appointment_rows_that_cannot_import_are_named_by_row_and_column():
    result = convert(sheet(APPOINTMENTS), mapping.preset("appointments"), [], MENU, Options(NOW))
    assert [(r.row, r.column) for r in result.rejections] == [
        (4, "Service"),
        (5, "Service"),
        (8, "Date"),
    ]
    assert result.unmatched_services == {"Laser Hair Removal": 2}  # listed once, whatever the case
    assert result.skipped == {"status rescheduled": 1, "status deleted": 1}
    assert all("Bo" not in r.reason and "555" not in r.reason for r in result.rejections)


def test_a_rescheduled_or_moved_appointment_is_skipped_and_counted():
    text = (
        "Date,Time,Client,Email,Service,Status\n"
        "11/22/2026,9:00 AM,Cy Poe,cy@x.com,Botox,Rescheduled\n"
        "11/23/2026,9:00 AM,Cy Poe,cy@x.com,Botox,moved\n"
    )
    result = convert(sheet(text), mapping.preset("appointments"), [], MENU, Options(NOW))
    assert result.rejections == [] and result.records == []
    assert result.skipped == {"status rescheduled": 1, "status moved": 1}


def test_a_cancellation_keeps_why_from_the_notes_so_a_bad_reason_holds_offers_back():
    text = (
        "Date,Client,Email,Service,Status,Notes\n"
        "11/20/2026,Ana Ruiz,ana@x.com,Botox,Cancelled,had a rash after the last visit\n"
        "11/21/2026,Ana Ruiz,ana@x.com,Botox,No-Show,\n"
    )
    result = convert(sheet(text), mapping.preset("appointments"), [], MENU, Options(NOW))
    reasons = [e["reason"] for e in events_of(result)]
    assert reasons == ["Cancelled: had a rash after the last visit", "No-Show"]


def test_a_new_client_in_an_appointments_export_becomes_a_patient_once():
    text = (
        "Date,Client,Phone,Service,Status\n"
        "11/24/2026,Ruiz, Ana,555-010-0100,Botox,Completed\n"
        "11/25/2026,Ana Ruiz,+1 555 010 0100,Botox,Completed\n"
    ).replace("Ruiz, Ana", '"Ruiz, Ana"')
    result = convert(sheet(text), mapping.preset("appointments"), [], MENU, Options(NOW))
    [patient] = patients_of(result).values()
    assert (patient["first_name"], patient["last_name"], patient["marketing_consent"]) == (
        "Ana",
        "Ruiz",
        False,
    )
    assert {e["patient_id"] for e in events_of(result)} == {patient["id"]}
    assert len({e["id"] for e in events_of(result)}) == 2


def test_a_row_matching_two_patients_is_rejected_naming_both():
    stored = [
        {"id": "p1", "first_name": "A", "email": "ana@x.com"},
        {"id": "p2", "first_name": "B", "phone": "+15550100200"},
    ]
    text = "Date,Client,Email,Phone,Service,Status\n11/24/2026,Ana,ana@x.com,555 010 0200,Botox,Booked\n"
    [rejection] = convert(sheet(text), mapping.preset("appointments"), stored, MENU, Options(NOW)).rejections
    assert rejection.row == 2 and "p1" in rejection.reason and "p2" in rejection.reason


def test_sales_rows_are_visits_at_their_total_or_price_times_quantity():
    text = (
        "Date;Client;Item;Category;Quantity;Price;Total\n"
        "24.11.2026;Ana Ruiz;Botox;Injectables;2;1.234,00;\n"
        "25.11.2026;Ana Ruiz;HydraFacial;Skin;1;199,00;180,00\n"
    )
    euro = mapping.preset("sales").model_copy(
        update={"values": mapping.Values(date_formats=["%d.%m.%Y"], decimal_comma=True)}
    )
    events = events_of(convert(sheet(text), euro, [], MENU, Options(NOW)))
    assert [(e["service_id"], e["amount"], e["category"]) for e in events] == [
        ("botox", 2468.0, "Injectables"),
        ("hydrafacial", 180.0, "Skin"),
    ]


def test_a_refund_line_is_rejected_before_it_adds_its_client():
    text = "Date,Client,Item,Total\n11/24/2026,Ana Ruiz,Botox,(450.00)\n"
    result = convert(sheet(text), mapping.preset("sales"), [], MENU, Options(NOW))
    assert [(r.row, r.column) for r in result.rejections] == [(2, "Total")]
    assert result.records == []


def test_an_amount_above_the_import_limit_is_rejected_before_it_adds_its_client():
    text = (
        "Date,Client,Item,Quantity,Price\n"
        '11/24/2026,Ana Ruiz,Botox,1,"$250,000.00"\n'
        "11/24/2026,Bo Lee,Botox,3,$400\n"
    )
    result = convert(sheet(text), mapping.preset("sales"), [], MENU, Options(NOW, max_price=1000))
    assert [(r.row, r.column) for r in result.rejections] == [(2, "Price"), (3, "Price")]
    assert "limit of 1000" in result.rejections[0].reason and "250" not in result.rejections[0].reason
    assert result.records == []


SALES = "Date,Client,Item,Total\n11/24/2026,Ana Ruiz,Botox,$450\n"


def test_a_sales_row_with_only_a_name_joins_the_one_patient_of_that_name():
    stored = [{"id": "p1", "first_name": "Ana", "last_name": "Ruiz", "email": "ana@x.com"}]
    result = convert(sheet(SALES), mapping.preset("sales"), stored, MENU, Options(NOW))
    assert patients_of(result) == {}
    assert [e["patient_id"] for e in events_of(result)] == ["p1"]


def test_a_name_two_patients_share_is_rejected_naming_both():
    stored = [
        {"id": "p1", "first_name": "Ana", "last_name": "Ruiz"},
        {"id": "p2", "first_name": "ana", "last_name": "ruiz", "email": "other@x.com"},
    ]
    [rejection] = convert(sheet(SALES), mapping.preset("sales"), stored, MENU, Options(NOW)).rejections
    assert rejection.row == 2 and "p1, p2" in rejection.reason
    assert events_of(convert(sheet(SALES), mapping.preset("sales"), stored, MENU, Options(NOW))) == []


def test_a_rejected_client_row_is_not_what_a_later_row_merges_into():
    text = "First Name,Email,Birthdate\n,ana@x.com,03/04/1980\nAna,ana@x.com,03/04/1990\n"
    result = convert(sheet(text), mapping.preset("vagaro-customers"), [], MENU, Options(NOW))
    assert [r.row for r in result.rejections] == [2]
    assert result.merged == []
    [ana] = patients_of(result).values()
    assert ana["birth_date"] == "1990-03-04"
