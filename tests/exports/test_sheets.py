from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.exports import sheets


def write(tmp_path: Path, data: bytes, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_csv_with_a_bom_reads_its_first_header_without_it(tmp_path):
    sheet = sheets.read(write(tmp_path, "\ufeffFirst Name,Email\nAna,ana@example.com\n".encode()))
    assert sheet.header == ["First Name", "Email"]
    assert sheet.rows[0].cells == {"First Name": "Ana", "Email": "ana@example.com"}


def test_windows_1252_is_read_when_the_bytes_are_not_utf8(tmp_path):
    sheet = sheets.read(write(tmp_path, "Name,City\nRenée,Montréal\n".encode("cp1252")))
    assert sheet.rows[0].cells == {"Name": "Renée", "City": "Montréal"}


def test_a_semicolon_export_with_windows_line_ends_and_commas_in_cells(tmp_path):
    data = b"Client;Price;Notes\r\nAna;1.234,00;first, then second\r\nBo;12,50;\r\n"
    sheet = sheets.read(write(tmp_path, data))
    assert sheet.header == ["Client", "Price", "Notes"]
    assert [r.cells["Price"] for r in sheet] == ["1.234,00", "12,50"]
    assert sheet.rows[0].cells["Notes"] == "first, then second"


def test_blank_rows_are_skipped_and_rows_keep_the_numbers_a_spreadsheet_shows(tmp_path):
    data = b"\r\nName,Email\r\nAna,a@x.com\r\n,\r\n\r\nBo,b@x.com\r\n"
    sheet = sheets.read(write(tmp_path, data))
    assert [(r.number, r.cells["Name"]) for r in sheet] == [(3, "Ana"), (6, "Bo")]


def test_tab_and_pipe_delimiters_are_found(tmp_path):
    for delimiter in ("\t", "|"):
        data = f"Name{delimiter}Email\nAna{delimiter}a@x.com\n".encode()
        assert sheets.read(write(tmp_path, data)).rows[0].cells["Email"] == "a@x.com"


def test_a_short_row_reads_its_missing_cells_as_blank(tmp_path):
    sheet = sheets.read(write(tmp_path, b"Name,Email,Phone\nAna,a@x.com\n"))
    assert sheet.rows[0].cells["Phone"] == ""


def test_an_xlsx_keeps_dates_as_datetimes_and_whole_numbers_as_integers(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Client", "Quantity", "Price"])
    sheet.append([None, None, None, None])
    sheet.append([datetime(2026, 11, 24, 15, 0), "Ana", 2, 12.5])
    path = tmp_path / "sales.xlsx"
    workbook.save(path)
    read = sheets.read(path)
    assert read.header == ["Date", "Client", "Quantity", "Price"]
    assert len(read) == 1
    row = read.rows[0]
    assert row.number == 3
    assert row.cells == {
        "Date": datetime(2026, 11, 24, 15, 0),
        "Client": "Ana",
        "Quantity": "2",
        "Price": "12.5",
    }


def test_files_that_are_not_exports_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="not a spreadsheet"):
        sheets.read(write(tmp_path, b"{}", "practice.json"))
    with pytest.raises(InputError, match="not a readable .xlsx"):
        sheets.read(write(tmp_path, b"not a zip", "broken.xlsx"))
    with pytest.raises(InputError, match="empty"):
        sheets.read(write(tmp_path, b"\r\n\r\n"))
    with pytest.raises(InputError, match="no such file"):
        sheets.read(tmp_path / "missing.csv")
