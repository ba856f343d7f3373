from __future__ import annotations

import pytest

from assistant.errors import InputError
from assistant.exports import mapping
from assistant.exports.sheets import Row

APPOINTMENTS = """
name = "clinic"
kind = "appointments"
[columns]
date = "Date"
name = ["Client", "Client Name"]
phone = ["Mobile", "Home Phone"]
service = "Service"
status = "Status"
[status]
"Checked Out" = "visit_completed"
[ids]
prefix = "clinic"
row = ["Date", "Client", "Service"]
"""


def test_every_preset_the_issue_names_loads_and_is_valid():
    assert set(mapping.preset_names()) >= {"vagaro-customers", "fresha-clients", "appointments", "sales"}
    for name in mapping.preset_names():
        assert mapping.preset(name).name == name


def test_the_vagaro_preset_reads_every_column_of_its_export():
    header = [
        "First Name",
        "Last Name",
        "Email",
        "Mobile",
        "Day",
        "Night",
        "Address",
        "City",
        "State",
        "Zip",
        "Birthdate",
        "Gender",
        "Customer Since",
        "Last Visited",
        "Membership",
        "Tags",
        "Refered By",
        "Appointments Booked",
        "Amount Paid",
        "No Shows/Cancellations",
        "Employee Seen",
    ]
    used = mapping.preset("vagaro-customers").used_columns(header)
    assert sorted(h for headers in used.values() for h in headers) == sorted(header)


def test_headers_match_whatever_their_case_and_spacing_and_alternatives_fall_back_when_blank():
    clinic = mapping.parse(APPOINTMENTS, "clinic.toml")
    row = Row(2, {"DATE": "11/24/2026", " client  name ": "Ana Ruiz", "Mobile": "", "Home Phone": "555-0100"})
    assert clinic.cell(row, "name") == (" client  name ", "Ana Ruiz")
    assert clinic.cell(row, "phone") == ("Home Phone", "555-0100")
    assert clinic.cell(row, "service") == (None, "")
    assert clinic.missing_headers(list(row.cells)) == ["service", "status"]


def test_status_words_match_whatever_their_case():
    assert mapping.parse(APPOINTMENTS, "clinic.toml").status == {"checked out": "visit_completed"}


def test_row_ids_are_stable_short_hashes_of_the_identifying_columns():
    clinic = mapping.parse(APPOINTMENTS, "clinic.toml")
    first = clinic.row_id(Row(2, {"Date": "11/24/2026", "Client": "Ana  Ruiz", "Service": "Botox"}))
    again = clinic.row_id(Row(9, {"Date": "11/24/2026", "Client": "ana ruiz", "Service": "BOTOX "}))
    other = clinic.row_id(Row(2, {"Date": "11/25/2026", "Client": "Ana Ruiz", "Service": "Botox"}))
    assert first == again != other
    assert first.startswith("clinic-") and len(first) == len("clinic-") + 16


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('date = "Date"', 'when = "Date"'), "unknown field"),
        (('"Checked Out" = "visit_completed"', '"Checked Out" = "paid"'), "status"),
        (('prefix = "clinic"', 'prefix = "Clinic Two"'), "prefix"),
        (('kind = "appointments"', 'kind = "invoices"'), "kind"),
        (("[ids]", "[ids"), "not valid TOML"),
    ],
)
def test_a_wrong_mapping_is_an_input_error_naming_the_file_and_the_problem(change, message):
    with pytest.raises(InputError, match=message) as caught:
        mapping.parse(APPOINTMENTS.replace(*change), "clinic.toml")
    assert "clinic.toml" in str(caught.value)


def test_an_unknown_preset_lists_the_known_ones():
    with pytest.raises(InputError, match="vagaro-customers"):
        mapping.preset("boulevard")


def test_the_template_guesses_the_fields_presets_know_and_parses_as_a_mapping():
    header = ["Appointment Date", "Start Time", "Client Name", "Service", "Status", "Room"]
    written = mapping.template(header)
    parsed = mapping.parse(written, "template")
    assert parsed.kind == "appointments"
    assert parsed.columns == {
        "date": "Appointment Date",
        "time": "Start Time",
        "name": "Client Name",
        "service": "Service",
        "status": "Status",
    }
    assert '# room = "Room"' in written
    assert parsed.ids.row == ["Appointment Date", "Start Time", "Client Name", "Service"]


def test_a_client_list_header_gets_a_patients_template():
    parsed = mapping.parse(mapping.template(["Email", "First Name", "Mobile Number"]), "template")
    assert parsed.kind == "patients"
    assert parsed.columns == {"email": "Email", "first_name": "First Name", "phone": "Mobile Number"}


def test_a_knowledge_folder_with_its_own_presets_is_read_before_the_bundled_ones(tmp_path):
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / "clinic.toml").write_text(APPOINTMENTS)
    assert mapping.preset_names(tmp_path) == ["clinic"]
    assert mapping.preset("clinic", tmp_path).ids.prefix == "clinic"
    assert "sales" in mapping.preset_names(tmp_path / "elsewhere")


def test_a_broken_preset_file_is_a_configuration_error(tmp_path):
    from assistant.errors import ConfigurationError

    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / "clinic.toml").write_text(APPOINTMENTS.replace("[ids]", "[ids"))
    with pytest.raises(ConfigurationError, match="preset clinic"):
        mapping.preset("clinic", tmp_path)
