from __future__ import annotations

import pytest

from assistant.exports.people import Ambiguous, Contact, People, normal_email, normal_phone


@pytest.mark.parametrize("written", ["(555) 010-0100", "555.010.0100", "+1 555 010 0100", "1-555-010-0100"])
def test_phones_in_mixed_formats_are_one_number_in_e164(written):
    assert normal_phone(written, "US") == "+15550100100"


def test_the_practices_country_reads_numbers_without_a_country_code():
    assert normal_phone("030 1234567", "DE") == "+49301234567"
    assert normal_phone("12", "US") is None
    assert normal_phone("call me", "US") is None


def test_a_local_number_without_its_area_code_is_not_a_phone_to_store():
    assert normal_phone("555-0160", "US") is None
    assert normal_phone("512 555-0160", "US") == "+15125550160"


def test_emails_are_matched_lowercased_and_stripped():
    assert normal_email("  Ana@Example.COM ") == "ana@example.com"
    assert normal_email("none") is None


def test_a_row_is_joined_by_client_id_else_email_else_phone():
    people = People.of(
        [{"id": "p1", "email": "ana@x.com", "phone": "+15550100100"}, {"id": "p2", "phone": "555 010 0200"}],
        "US",
    )
    assert people.find(Contact(client_id="p1")).patient_id == "p1"
    assert people.find(Contact(email="ana@x.com")).stored
    assert people.find(Contact(phone="+15550100200")).patient_id == "p2"
    assert people.find(Contact(email="new@x.com")).patient_id is None


def test_a_row_naming_two_patients_is_ambiguous_with_both_ids():
    people = People.of([{"id": "p1", "email": "ana@x.com"}, {"id": "p2", "phone": "+15550100200"}], "US")
    with pytest.raises(Ambiguous) as caught:
        people.find(Contact(email="ana@x.com", phone="+15550100200"))
    assert caught.value.ids == ["p1", "p2"]


def test_patients_an_earlier_row_added_are_found_with_that_row():
    people = People.of([], "US")
    people.add("vagaro-1", Contact(email="ana@x.com"), 2)
    found = people.find(Contact(email="ana@x.com"))
    assert (found.patient_id, found.stored, found.first_row) == ("vagaro-1", False, 2)
