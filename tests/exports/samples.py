"""The Fresha sample client list, kept as rows so that its workbook can be written again:
`python -m tests.exports.samples` rewrites `assistant/evals/data/imports/fresha/clients.xlsx`,
and `python -m tests.exports.samples --expected` every sample's expected result.

Messy on purpose, as a Fresha export is: dates of birth as Excel dates, as text in two formats
and once unreadable, Blocked as Excel booleans and as words, a client twice under two ids.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from assistant.app.practice import Practice
from assistant.exports import mapping as mappings
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
FRESHA = ROOT / "assistant" / "evals" / "data" / "imports" / "fresha"
HEADER = [
    "Client ID",
    "First Name",
    "Last Name",
    "Email",
    "Mobile Number",
    "Date of Birth",
    "Blocked",
    "Added",
]

Value = str | bool | date | datetime | None

ROWS: list[list[Value]] = [
    [
        "48213001",
        "Zoë",
        "Laurent",
        "zoe.laurent@example.com",
        "+1 512 555 0170",
        date(1987, 4, 12),
        False,
        datetime(2025, 2, 3, 10, 15),
    ],
    [
        "48213002",
        "José",
        "Ibáñez",
        "jose.ibanez@example.com",
        "(512) 555-0171",
        "14 Mar 1985",
        False,
        datetime(2025, 3, 9, 12, 0),
    ],
    [
        "48213003",
        "Amélie",
        "Durand",
        "AMELIE.DURAND@EXAMPLE.COM",
        "512.555.0172",
        "21/06/1990",
        False,
        datetime(2025, 5, 1, 9, 30),
    ],
    [
        "48213004",
        "Björn",
        "Sandqvist",
        "bjorn.s@example.com",
        "512 555 0173",
        None,
        True,
        datetime(2025, 6, 17, 16, 45),
    ],
    [None, None, None, None, None, None, None, None],
    [
        "48213005",
        "Chloé",
        "Martin",
        "chloe.martin@example.com",
        "+15125550174",
        date(1979, 11, 2),
        False,
        datetime(2025, 7, 4, 11, 0),
    ],
    [
        "48213006",
        "Ingrid",
        "Holm",
        "ingrid.holm@example.com",
        "",
        "31/02/1991",
        False,
        datetime(2025, 8, 22, 14, 20),
    ],
    [
        "48213007",
        "Mateo",
        "Silva",
        "mateo.silva@example.com",
        "(512) 555-0176",
        date(1993, 1, 25),
        "Yes",
        datetime(2025, 9, 30, 10, 0),
    ],
    [
        "48213008",
        "Noor",
        "Rahimi",
        "",
        "(512) 555-0177",
        date(1988, 8, 8),
        False,
        datetime(2025, 10, 5, 13, 0),
    ],
    [
        "48213009",
        "Léa",
        "Fontaine",
        "lea.fontaine@example.com",
        "(512) 555-0178",
        "2 Sep 1995",
        False,
        datetime(2026, 1, 12, 15, 30),
    ],
    [
        "48213010",
        "Tomás",
        "Novak",
        "tomas.novak@example.com",
        "512-555-0179",
        date(1982, 5, 19),
        False,
        datetime(2026, 2, 14, 9, 0),
    ],
    ["48213011", "", "", "", "", None, False, datetime(2026, 3, 1, 9, 0)],
    ["48213012", "Zoe", "Laurent", " Zoe.Laurent@Example.com ", "", "", False, datetime(2026, 4, 2, 10, 0)],
]
"""A client a row; a blank row in the middle; 48213011 has no name and no contact; 48213012 is
Zoë again (same email, another id, her name without its diaeresis)."""


def write_clients(path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Clients"
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    workbook.save(path)


IMPORTS = ROOT / "assistant" / "evals" / "data" / "imports"
RELIED_ON = (
    "records",
    "rejected",
    "rejections",
    "merged",
    "skipped",
    "missing_columns",
    "unmatched_services",
    "notes",
    "consent_on_file",
    "added",
    "updated",
    "unchanged",
)
"""The parts of an import's JSON summary a practice relies on (ids and times left out)."""


def manifest() -> dict:
    return json.loads((IMPORTS / "samples.json").read_text(encoding="utf-8"))


def expected_path(sample: str) -> Path:
    path = IMPORTS / sample
    return path.with_name(f"{path.stem}.expected.json")


def relied_on(summary: dict) -> dict:
    """An import's summary (`SheetImport.as_dict()`) as its expected file holds it."""
    found = {key: summary[key] for key in RELIED_ON}
    found["service_matches"] = [
        {
            "name": m["name"],
            "service_id": m["service_id"],
            "how": m["how"],
            "confidence": round(m["confidence"], 2),
            "rows": m["rows"],
        }
        for m in summary["service_matches"]
    ]
    found["suggested_services"] = [s["name"] for s in summary["suggested_services"]]
    return found


def imported(practice: Practice, files: list[dict]) -> list[dict]:
    """Each of a practice's sample files imported in order: their summaries."""
    return [
        practice.import_export(
            IMPORTS / entry["file"],
            mappings.preset(entry["preset"]),
            consent_on_file=entry["consent_on_file"],
        ).as_dict()
        for entry in files
    ]


def write_expected() -> None:
    """Each sample's expected file from an import into a fresh practice (then read them: the
    point of an expected file is that a person checked it against the messy data)."""
    import os
    import tempfile

    os.environ.setdefault("CROSSSELL_CLOCK", "2026-11-24T15:00:00+00:00")
    for name, practice_files in manifest()["practices"].items():
        with tempfile.TemporaryDirectory() as home:
            os.environ["CROSSSELL_HOME"] = home
            summaries = imported(Practice(Settings()), practice_files["files"])
        for entry, summary in zip(practice_files["files"], summaries, strict=True):
            text = json.dumps(relied_on(summary), indent=2, ensure_ascii=False) + "\n"
            expected_path(entry["file"]).write_text(text, encoding="utf-8")
        print(name, "written")


if __name__ == "__main__":
    import sys

    if "--expected" in sys.argv:
        write_expected()
    else:
        write_clients(FRESHA / "clients.xlsx")
