"""A booking system's spreadsheet export through `crosssell import`: rows per second and peak memory.

Generates, in a temporary folder, a Vagaro-style clients list (10,000 clients, as a .csv and as an
.xlsx) and a 50,000-row appointments export for them (the `appointments` preset: every status
word, menu names, brand names, quantities in names, names matched by meaning and two on no menu,
mixed phone formats), then times, each phase in its own process so that its peak memory is its
own: the clients .csv imported (with `--consent on-file`), the appointments dry run, import and
re-import (idempotent: nothing added or updated), and the clients .xlsx dry run, import and
re-import into a second practice. A phase's time is `Practice.import_export` alone (reading the
file, matching people and services, the import), as the CLI runs it: the first phase to meet the
export's service names loads the model to match them by meaning (seconds of its time and about
500 MB of its peak); later phases find those names' embeddings cached in the practice and never
load it. SQLite in the work folder. Run: `.venv/bin/python benchmarks/export_import.py` (add --help).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENT_HEADER = ["First Name", "Last Name", "Email", "Mobile", "Birthdate", "City", "Tags"]
APPOINTMENT_HEADER = [
    "Date",
    "Time",
    "Client",
    "Email",
    "Phone",
    "Service",
    "Staff",
    "Status",
    "Price",
    "Notes",
]
FIRST = ["Avery", "Brooke", "Camila", "Dana", "Elliot", "Farah", "Grace", "Hana", "Isabel", "Jordan"]
LAST = ["Lindqvist", "Okafor", "Reyes", "Whitfield", "Marsh", "Haddad", "Nakamura", "Petrov", "Quintero"]
SERVICES = [
    ("Botox 20 units", 450),
    ("HydraFacial", 225),
    ("Dysport", 420),
    ("Juvederm", 750),
    ("Chemical peel", 200),
    ("Microneedling", 350),
    ("Semaglutide", 399),
    ("Vitamin IV infusion", 199),
    ("Medium depth chemical peel", 300),
    ("Tox - 20 units", 450),
    ("CoolSculpting", 1500),
]
"""Menu names, aliases, quantities in names, two names matched by meaning."""
UNMATCHED = {7: ("Ear Piercing", 60), 57: ("Gift Card", 100)}
"""By the row number's last two digits: two rows in a hundred name a service on no menu."""
STATUSES = ["Checked Out", "Completed", "Completed", "Booked", "Confirmed", "Cancelled", "No-Show"]
PHONES = ["({area}) 555-01{n:02d}", "{area}.555.01{n:02d}", "+1 {area} 555 01{n:02d}"]
START = date(2026, 9, 1)
PER_CLIENT = 5
"""Appointments per client at most on distinct days (17 * k mod 91 differs for k < 5)."""


def _peak_mb() -> float:
    """This process's peak, or its largest worker's if that was larger (import uses workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024


def client_row(i: int) -> list[str]:
    first, last = FIRST[i % len(FIRST)], f"{LAST[i % len(LAST)]}{i}"
    phone = PHONES[i % len(PHONES)].format(area=200 + i // 100, n=i % 100)
    birth = date(1960, 1, 1) + timedelta(days=(i * 37) % 15000)
    return [
        first,
        last,
        f"client{i}@example.com",
        phone,
        birth.strftime("%m/%d/%Y"),
        "Austin",
        "VIP" if i % 9 else "",
    ]


def appointment_row(n: int, clients: int) -> list[str]:
    i, k = n % clients, n // clients
    first, last, email, phone, *_ = client_row(i)
    service, price = UNMATCHED.get(n % 100) or SERVICES[(i + k) % len(SERVICES)]
    day = START + timedelta(days=(i + 17 * k) % 91)
    hour = 9 + (i + k) % 8
    return [
        day.strftime("%m/%d/%Y"),
        f"{(hour - 1) % 12 + 1}:{'30' if k % 2 else '00'} {'AM' if hour < 12 else 'PM'}",
        f"{first} {last}",
        email if n % 10 else "",  # one row in ten joins by phone alone
        phone,
        service,
        ["Dr. Patel", "Mia R.", "Nurse Alex"][n % 3],
        STATUSES[n % len(STATUSES)],
        f"${price:,.2f}",
        "",
    ]


def write_csv(path: Path, header: list[str], rows) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, header: list[str], rows) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Customers")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def _generate(folder: str, rows: str, clients: str) -> dict:
    rows_n, clients_n = int(rows), int(clients)
    started = time.perf_counter()
    base = Path(folder)
    write_csv(base / "customers.csv", CLIENT_HEADER, (client_row(i) for i in range(clients_n)))
    write_xlsx(base / "customers.xlsx", CLIENT_HEADER, (client_row(i) for i in range(clients_n)))
    write_csv(
        base / "appointments.csv", APPOINTMENT_HEADER, (appointment_row(n, clients_n) for n in range(rows_n))
    )
    return {"seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}


def _import(path: str, home: str, preset: str, dry_run: str, consent: str) -> dict:
    os.environ["CROSSSELL_HOME"] = home
    from assistant.app.practice import Practice
    from assistant.exports.mapping import preset as preset_named

    practice = Practice()
    started = time.perf_counter()
    result = practice.import_export(
        Path(path), preset_named(preset), consent_on_file=consent == "yes", dry_run=dry_run == "yes"
    )
    seconds = time.perf_counter() - started
    found = result.as_dict()
    if result.dry_run:
        added, updated, unchanged = found["would_add"], found["would_update"], found["unchanged"]
    else:
        added, updated, unchanged = found["added"], found["updated"], found["unchanged"]
    return {
        "seconds": seconds,
        "rows": result.rows,
        "rejected": found["rejected"],
        "added": sum(added.values()),
        "updated": sum(updated.values()),
        "unchanged": sum(unchanged.values()),
        "peak_mb": _peak_mb(),
    }


def _phase(function, *args) -> dict:
    """Runs a phase in a fresh process; its JSON result on the last line of stdout."""
    command = [sys.executable, __file__, "--phase", function.__name__, *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"phase {function.__name__} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="appointment rows")
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        print(json.dumps({"_generate": _generate, "_import": _import}[name](*rest)))
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("CROSSSELL_CLOCK", "2026-12-01T12:00:00+00:00")
    with tempfile.TemporaryDirectory(dir=ROOT) as work:
        folder = Path(work)
        generated = _phase(_generate, work, args.rows, args.clients)
        csv_home, xlsx_home = str(folder / "csv-home"), str(folder / "xlsx-home")
        customers, book = folder / "customers.csv", folder / "customers.xlsx"
        appointments = folder / "appointments.csv"
        phases = [
            ("clients .csv, import", customers, csv_home, "vagaro-customers", "no", "yes"),
            ("appointments .csv, dry run", appointments, csv_home, "appointments", "yes", "no"),
            ("appointments .csv, import", appointments, csv_home, "appointments", "no", "no"),
            ("appointments .csv, re-import", appointments, csv_home, "appointments", "no", "no"),
            ("clients .xlsx, dry run", book, xlsx_home, "vagaro-customers", "yes", "yes"),
            ("clients .xlsx, import", book, xlsx_home, "vagaro-customers", "no", "yes"),
            ("clients .xlsx, re-import", book, xlsx_home, "vagaro-customers", "no", "yes"),
        ]
        results = {label: _phase(_import, *rest) for label, *rest in phases}
    print(
        f"{args.rows:,} appointment rows for {args.clients:,} clients, generated in "
        f"{generated['seconds']:.1f} s; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    columns = f"{'phase':32} {'rows':>7} {'seconds':>8} {'rows/s':>8} {'peak MB':>8}"
    print(f"{columns}  added/updated/unchanged, rejected")
    for label, found in results.items():
        rate = found["rows"] / found["seconds"] if found["seconds"] else 0.0
        print(
            f"{label:32} {found['rows']:>7,} {found['seconds']:>8.2f} {rate:>8,.0f} {found['peak_mb']:>8,.0f}"
            f"  {found['added']}/{found['updated']}/{found['unchanged']}, {found['rejected']}"
        )
    if args.json:
        args.json.write_text(json.dumps({"generated": generated, "phases": results}, indent=2))


if __name__ == "__main__":
    main()
