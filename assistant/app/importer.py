"""`crosssell import`: the contract's JSON Lines into the practice's tables.

Idempotent by id. A bad line is reported with its number and reason while the good lines import;
nothing already stored is lost. Services and patients are read in a first pass, so that events
may come before them in the file (the contract says order does not matter).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Table

from assistant.domain.contract import (
    OFFER_KINDS,
    PATIENT_FIELDS,
    SERVICE_FIELDS,
    ContractError,
    extra_fields,
    offer_from,
    outcome_from,
    parse_event,
    parse_patient,
    parse_service,
)
from assistant.storage import schema
from assistant.storage.repository import (
    Repository,
    event_row,
    offer_row,
    outcome_row,
    patient_row,
    service_row,
)

Lines = Callable[[], Iterator[tuple[int, bytes]]]
_MASTER_LINE = re.compile(rb'"type"\s*:\s*"(?:service|patient)"')
_TABLES = {"services": schema.services, "patients": schema.patients, "events": schema.events,
           "offers": schema.offers, "outcomes": schema.outcomes}


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    category: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    lines: int = 0
    added: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def by_reason(self) -> Counter:
        return Counter(r.category for r in self.rejected)

    def as_dict(self) -> dict:
        return {"lines": self.lines, "added": dict(self.added), "updated": dict(self.updated),
                "unchanged": dict(self.unchanged), "rejected": len(self.rejected),
                "rejected_by_reason": dict(self.by_reason),
                "rejections": [{"line": r.line, "reason": r.category, "message": r.message}
                               for r in self.rejected]}


class Importer:
    """One import run over a source of numbered lines that can be read twice."""

    def __init__(self, repository: Repository, default_service_ids: set[str],
                 batch_size: int = 5000, on_progress: Callable[[int], None] | None = None) -> None:
        self.repository = repository
        self.default_service_ids = default_service_ids
        self.batch_size = batch_size
        self.on_progress = on_progress or (lambda _n: None)
        self.report = ImportReport()
        self._pending: dict[str, list[dict]] = {name: [] for name in _TABLES}
        self._changed: Counter = Counter()
        self._accepted: Counter = Counter()

    def run(self, lines: Lines) -> ImportReport:
        before = {name: self.repository.count(table) for name, table in _TABLES.items()}
        masters = self._read_masters(lines)
        service_ids = self.repository.ids(schema.services) | masters[0]
        if not service_ids:
            service_ids = set(self.default_service_ids)
        patient_ids = self.repository.ids(schema.patients) | masters[1]
        handled = masters[2]
        for number, raw in lines():
            self.on_progress(len(raw) + 1)
            if number in handled or not raw.strip():
                continue
            self.report.lines += 1
            self._read_event(number, raw, service_ids, patient_ids)
        self._flush_all()
        for name, table in _TABLES.items():
            added = self.repository.count(table) - before[name]
            self.report.added[name] = added
            self.report.updated[name] = self._changed[name] - added
            self.report.unchanged[name] = self._accepted[name] - self._changed[name]
        self.report.rejected.sort(key=lambda r: r.line)
        return self.report

    def _read_masters(self, lines: Lines) -> tuple[set[str], set[str], set[int]]:
        """First pass: services and patients, so events can be checked against them."""
        services: set[str] = set()
        patients: set[str] = set()
        handled: set[int] = set()
        for number, raw in lines():
            if not _MASTER_LINE.search(raw):
                continue
            obj = self._decode(number, raw, report_errors=False)
            if obj is None or obj.get("type") not in ("service", "patient"):
                continue
            handled.add(number)
            self.report.lines += 1
            try:
                if obj["type"] == "service":
                    service = parse_service(obj)
                    services.add(service.id)
                    self._add("services", service_row(service, extra_fields(obj, SERVICE_FIELDS)))
                else:
                    patient = parse_patient(obj)
                    patients.add(patient.id)
                    self._add("patients", patient_row(patient, extra_fields(obj, PATIENT_FIELDS)))
            except ContractError as exc:
                self._reject(number, exc.category, exc.message)
        self._flush("services")
        self._flush("patients")
        return services, patients, handled

    def _read_event(self, number: int, raw: bytes, service_ids: set[str],
                    patient_ids: set[str]) -> None:
        obj = self._decode(number, raw)
        if obj is None:
            return
        kind = obj.get("type")
        if kind != "event":
            if kind is None:
                self._reject(number, "missing field", "missing field 'type'")
            else:
                self._reject(number, "unknown type",
                             f"unknown type {kind!r} (expected service, patient or event)")
            return
        try:
            event = parse_event(obj)
        except ContractError as exc:
            self._reject(number, exc.category, exc.message)
            return
        if event.patient_id not in patient_ids:
            self._reject(number, "unknown patient", f"event {event.id!r} names unknown patient "
                                                    f"{event.patient_id!r}")
            return
        if event.service_id is not None and event.service_id not in service_ids:
            self._reject(number, "unknown service", f"event {event.id!r} names unknown service "
                                                    f"{event.service_id!r}")
            return
        if event.kind == "offer_presented":
            self._add("offers", offer_row(offer_from(event), event.data))
        elif event.kind in OFFER_KINDS:
            self._add("outcomes", outcome_row(outcome_from(event), event.data))
        else:
            self._add("events", event_row(event))

    def _decode(self, number: int, raw: bytes, report_errors: bool = True) -> dict | None:
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            if report_errors:
                self._reject(number, "invalid JSON", f"invalid JSON ({exc.args[0]})")
            return None
        if not isinstance(obj, dict):
            if report_errors:
                self._reject(number, "invalid JSON", "a line must be a JSON object")
            return None
        return obj

    def _reject(self, number: int, category: str, message: str) -> None:
        self.report.rejected.append(Rejection(number, category, message))

    def _add(self, table: str, row: dict) -> None:
        rows = self._pending[table]
        rows.append(row)
        self._accepted[table] += 1
        if len(rows) >= self.batch_size:
            self._flush(table)

    def _flush(self, table: str) -> None:
        rows = self._pending[table]
        if not rows:
            return
        with self.repository.engine.begin() as conn:
            self._changed[table] += self.repository.upsert(conn, _TABLES[table], rows)
        self._pending[table] = []

    def _flush_all(self) -> None:
        for table in _TABLES:
            self._flush(table)


def file_lines(path) -> Lines:
    """Numbered raw lines of a file, readable as many times as the importer needs."""

    def read() -> Iterator[tuple[int, bytes]]:
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                yield number, raw.rstrip(b"\r\n")

    return read


def table_for(name: str) -> Table:
    return _TABLES[name]
