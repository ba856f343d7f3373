"""A spreadsheet export as rows of cells with the row numbers the spreadsheet shows.

Booking systems export whatever their spreadsheet library writes: UTF-8 with or without a BOM,
Windows-1252 from Excel on Windows, commas or semicolons (a European Excel), Windows line ends,
blank rows. A `Sheet` hides all of that from the mapping: cells are strings, except that an
.xlsx keeps its dates as datetimes (Excel stores them as numbers, openpyxl gives them back).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from assistant.errors import InputError

Cell = str | datetime | date | time
SUFFIXES = (".csv", ".xlsx")
"""The files `read` reads."""
DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Row:
    number: int
    """As the spreadsheet shows it: the header is row 1."""
    cells: dict[str, Cell]
    """By header, as the header is written in the file."""


@dataclass(slots=True)
class Sheet:
    header: list[str]
    rows: list[Row] = field(default_factory=list)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def read(path: Path) -> Sheet:
    """The sheet in a .csv or .xlsx file (the first worksheet of a workbook)."""
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return read_csv(path.read_bytes())
        if suffix == ".xlsx":
            return read_xlsx(path)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    raise InputError(f"{path.name}: not a spreadsheet export (use a .csv or .xlsx file)")


def decoded(data: bytes) -> str:
    """UTF-8 (a BOM dropped) when the bytes are UTF-8, else Windows-1252: the two encodings
    booking systems and Excel write. Windows-1252 leaves five bytes undefined; those are read as
    Latin-1 so that no export is refused for one odd byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def delimiter_of(text: str) -> str:
    """The delimiter `csv.Sniffer` finds among `,;\\t|` in the first lines; a comma when the
    file has one column (the sniffer finds nothing to tell)."""
    sample = "\n".join(text[:SNIFF_BYTES].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def read_csv(data: bytes) -> Sheet:
    text = decoded(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    return sheet_of(enumerate(reader, 1))


def read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for a bad file
        raise InputError(f"{path.name}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        worksheet = workbook.worksheets[0]
        rows = (
            (number, [xlsx_cell(v) for v in values])
            for number, values in enumerate(worksheet.iter_rows(values_only=True), 1)
        )
        return sheet_of(rows)
    finally:
        workbook.close()


def xlsx_cell(value: object) -> Cell:
    """Dates stay dates; numbers read as a person sees them (`3`, not `3.0`)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def sheet_of(rows: Iterator[tuple[int, list]] | enumerate) -> Sheet:
    """The first non-blank row is the header; blank rows are skipped, keeping the numbering."""
    header: list[str] | None = None
    sheet = Sheet(header=[])
    for number, cells in rows:
        if all(blank(c) for c in cells):
            continue
        if header is None:
            header = [str(c).strip() for c in cells]
            while header and not header[-1]:
                header.pop()
            sheet.header = header
            continue
        sheet.rows.append(Row(number, {h: cell(cells, i) for i, h in enumerate(header) if h}))
    if header is None:
        raise InputError("the export is empty: no header row")
    return sheet


def cell(cells: list, index: int) -> Cell:
    if index >= len(cells):
        return ""
    value = cells[index]
    return value.strip() if isinstance(value, str) else value


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
