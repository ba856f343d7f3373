"""`crosssell demo`: a reproducible synthetic practice in a fresh home, scanned for this week."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from assistant.app.importer import ImportReport
from assistant.app.practice import Practice, ScanResult
from assistant.errors import InputError
from assistant.settings import Settings
from assistant.synthetic import write_practice

DEMO_FILE = "demo-practice.jsonl"


def build_demo(home: Path, as_of: date, patients: int = 200, seed: int = 7
               ) -> tuple[Path, ImportReport, ScanResult]:
    """Replaces `home` with a new demo practice; returns (home, import report, scan)."""
    if patients < 1:
        raise InputError("--patients must be at least 1")
    home = home.expanduser().resolve()
    if home.exists():
        if not (home / DEMO_FILE).exists() and any(home.iterdir()):
            raise InputError(f"{home} holds something other than a demo practice; "
                             "choose another --home")
        shutil.rmtree(home)
    home.mkdir(parents=True)
    source = home / DEMO_FILE
    write_practice(source, patients, as_of, seed=seed)
    practice = Practice(Settings(home=home, database_url=None))
    report = practice.import_file(source)
    if report.rejected:
        raise InputError(f"the demo data broke the contract: {report.rejected[0]}")
    return home, report, practice.scan(as_of)
