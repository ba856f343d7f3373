"""`crosssell import`: the contract's JSON Lines into the practice's tables.

Idempotent by id. A bad line is reported with its number and reason while the good lines import;
nothing already stored is lost. Services and patients are read in a first pass, so that events
may come before them in the file (the contract says order does not matter).

Consent is a ledger (domain/consent.py): a stored `opted_out` or `opted_in` event is never
replaced by different content, marketing consent a patient line withdrew comes back only through
an `opted_in` event, and every consent change is audited in the transaction that stores it. The
stored consent is read once per run, so checking it costs a lookup a line, not a query.
"""

from __future__ import annotations

import multiprocessing
import re
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import orjson

from assistant.clock import Clock
from assistant.domain.consent import CONSENT_KINDS, MARKETING, ConsentChange, Ledger
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
from assistant.domain.records import Event
from assistant.storage import schema
from assistant.storage.repository import (
    Repository,
    audit_row,
    event_row,
    offer_row,
    outcome_row,
    patient_row,
    service_row,
)

Lines = Callable[[], Iterator[tuple[int, bytes]]]
CHUNK_LINES = 20_000
_MASTER_LINE = re.compile(rb'"type"\s*:\s*"(?:service|patient)"')
_TABLES = {
    "services": schema.services,
    "patients": schema.patients,
    "events": schema.events,
    "offers": schema.offers,
    "outcomes": schema.outcomes,
}


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    category: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class _ConsentWrites:
    """What a table's next flush writes about consent besides its rows."""

    audit: list[dict] = field(default_factory=list)
    given_back: list[str] = field(default_factory=list)  # patients an opt-in gave consent back


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
        return {
            "lines": self.lines,
            "added": dict(self.added),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "rejected": len(self.rejected),
            "rejected_by_reason": dict(self.by_reason),
            "rejections": [
                {"line": r.line, "reason": r.category, "message": r.message} for r in self.rejected
            ],
        }


class Importer:
    """One import run over a source of numbered lines that can be read twice."""

    def __init__(
        self,
        repository: Repository,
        default_service_ids: set[str],
        batch_size: int = 5000,
        on_progress: Callable[[int], None] | None = None,
        workers: int = 0,
        *,
        clock: Clock,
        actor: str = "import",
    ) -> None:
        self.repository = repository
        self.default_service_ids = default_service_ids
        self.batch_size = batch_size
        self.workers = workers
        self.clock = clock
        self.actor = actor
        self.on_progress = on_progress or (lambda _n: None)
        self.report = ImportReport()
        self._pending: dict[str, list] = {name: [] for name in _TABLES}
        self._changed: Counter = Counter()
        self._accepted: Counter = Counter()
        self._connection: Any = None  # the bulk connection, for the length of `run`
        self._ledger = Ledger((), {})
        self._consent: dict[str, _ConsentWrites] = {}

    def run(self, lines: Lines) -> ImportReport:
        before = {name: self.repository.count(table) for name, table in _TABLES.items()}
        with self.repository.bulk() as connection:
            self._connection = connection
            self._read_all(lines)
        for name, table in _TABLES.items():
            added = self.repository.count(table) - before[name]
            self.report.added[name] = added
            self.report.updated[name] = self._changed[name] - added
            self.report.unchanged[name] = self._accepted[name] - self._changed[name]
        self.report.rejected.sort(key=lambda r: r.line)
        return self.report

    def _read_all(self, lines: Lines) -> None:
        stored_patients = self.repository.marketing_consents()
        self._ledger = Ledger(self.repository.consent_events(), stored_patients)
        masters = self._read_masters(lines)
        service_ids = self.repository.ids(schema.services) | masters[0]
        if not service_ids:
            service_ids = set(self.default_service_ids)
        known = Known(
            frozenset(service_ids),
            frozenset(stored_patients) | masters[1],
            {name: self.repository.row_shape(table) for name, table in _TABLES.items()},
            frozenset(masters[2]),
            {event_id: fingerprint(event) for event_id, event in self._ledger.stored.items()},
        )
        for chunk in self._event_chunks(lines, known):
            self.report.lines += chunk.lines
            self.report.rejected.extend(chunk.rejected)
            self._record_consent(chunk.consents)
            for table, rows in chunk.rows.items():
                self._add_shaped(table, rows)
        self._flush_all()

    def _read_masters(self, lines: Lines) -> tuple[set[str], set[str], set[int]]:
        """First pass: services and patients, so events can be checked against them."""
        services: set[str] = set()
        patients: set[str] = set()
        handled: set[int] = set()
        now = self.clock.now()
        for number, raw in lines():
            if (b'"service"' not in raw and b'"patient"' not in raw) or not _MASTER_LINE.search(raw):
                continue
            obj = self._decode(raw)
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
                    change = self._ledger.patient(patient, now, "patient record (import)")
                    patients.add(patient.id)
                    if change is not None:
                        self._audit("patients", change)
                    self._add("patients", patient_row(patient, extra_fields(obj, PATIENT_FIELDS)))
            except ContractError as exc:
                self._reject(number, exc.category, exc.message)
        self._flush("services")
        self._flush("patients")
        return services, patients, handled

    def _event_chunks(self, lines: Lines, known: Known) -> Iterator[EventChunk]:
        """Second pass, in chunks: parsed in worker processes when the file is large, so
        parsing one chunk overlaps with writing the one before."""
        chunks = _chunks(lines, self.on_progress)
        if self.workers < 1:
            for chunk in chunks:
                yield read_events(chunk, known)
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_remember, initargs=(known,)
        ) as pool:
            in_flight: deque = deque()
            for chunk in chunks:
                in_flight.append(pool.submit(_read_remembered, chunk))
                if len(in_flight) > 2 * self.workers:
                    yield in_flight.popleft().result()
            while in_flight:
                yield in_flight.popleft().result()

    @staticmethod
    def _decode(raw: bytes) -> dict | None:
        """A master-pass candidate as an object, or None: bad lines are reported by the
        event pass, which reads every line that is not a service or a patient."""
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        return obj if isinstance(obj, dict) else None

    def _record_consent(self, events: list[Event]) -> None:
        """New consent facts: audited, and marketing consent given back where an opt-in says
        so, in the flush that stores the events themselves."""
        for event in events:
            for change in self._ledger.record(event):
                writes = self._audit("events", change)
                if change.channel == MARKETING:
                    writes.given_back.append(change.patient_id)

    def _audit(self, table: str, change: ConsentChange) -> _ConsentWrites:
        """Queues the change's audit row for `table`'s next flush, which stores the change."""
        writes = self._consent.setdefault(table, _ConsentWrites())
        writes.audit.append(
            audit_row(
                self.clock.now(), self.actor, "consent_changed", change.detail(), patient_id=change.patient_id
            )
        )
        return writes

    def _reject(self, number: int, category: str, message: str) -> None:
        self.report.rejected.append(Rejection(number, category, message))

    def _add(self, table: str, row: dict) -> None:
        self._add_shaped(table, [shape(row, self.repository.row_shape(_TABLES[table]))])

    def _add_shaped(self, table: str, rows: list) -> None:
        pending = self._pending[table]
        pending.extend(rows)
        self._accepted[table] += len(rows)
        if len(pending) >= self.batch_size:
            self._flush(table)

    def _flush(self, table: str) -> None:
        rows = self._pending[table]
        consent = self._consent.pop(table, None)
        if not rows and consent is None:
            return
        with self._connection.begin():
            self._changed[table] += self.repository.upsert_shaped(self._connection, _TABLES[table], rows)
            if consent is not None:
                self.repository.write_consent(self._connection, consent.audit, consent.given_back)
        self._pending[table] = []

    def _flush_all(self) -> None:
        for table in _TABLES:
            self._flush(table)


def file_lines(path) -> Lines:
    """Numbered raw lines of a file, readable as many times as the importer needs."""

    def read() -> Iterator[tuple[int, bytes]]:
        with open(path, "rb") as handle:
            # Line ends stay on: JSON ignores trailing whitespace, and this loop is hot.
            yield from enumerate(handle, 1)

    return read


# Reading events: plain functions, so worker processes can run them ------------------------


@dataclass(frozen=True)
class Known:
    """What an event may refer to, and the row shape each table's writer expects."""

    service_ids: frozenset[str]
    patient_ids: frozenset[str]
    shapes: dict[str, tuple[str, ...] | None]
    handled: frozenset[int]  # lines already read as services or patients
    consents: dict[str, tuple]  # stored consent events' fingerprints, by id


def fingerprint(event: Event) -> tuple:
    """What tells a consent record from a changed one: its stored row, `data` compared as a
    value (so the order of a line's keys does not matter)."""
    row = event_row(event)
    return (row["patient_id"], row["kind"], row["at"], row["service_id"], row["ref_at"], event.data)


@dataclass
class EventChunk:
    lines: int = 0
    rows: dict[str, list] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    consents: list[Event] = field(default_factory=list)  # consent events not stored before


def shape(row: dict, names: tuple[str, ...] | None) -> tuple | dict:
    return row if names is None else tuple(row[n] for n in names)


def _chunks(
    lines: Lines, on_progress: Callable[[int], None], size: int = CHUNK_LINES
) -> Iterator[list[tuple[int, bytes]]]:
    numbered = lines()
    while chunk := list(islice(numbered, size)):
        on_progress(sum(len(raw) + 1 for _, raw in chunk))
        yield chunk


def read_events(chunk: list[tuple[int, bytes]], known: Known) -> EventChunk:
    """Parses and checks event lines; good ones become rows, bad ones rejections."""
    result = EventChunk(rows={"events": [], "offers": [], "outcomes": []})
    events, offers, outcomes = (result.rows[t] for t in ("events", "offers", "outcomes"))
    shapes, handled = known.shapes, known.handled
    for number, raw in chunk:
        if number in handled or not raw.strip():
            continue
        result.lines += 1
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            result.rejected.append(Rejection(number, "invalid JSON", f"invalid JSON ({exc.args[0]})"))
            continue
        try:
            event = _event(obj, known)
        except ContractError as exc:
            result.rejected.append(Rejection(number, exc.category, exc.message))
            continue
        if event.kind in CONSENT_KINDS and event.id not in known.consents:
            result.consents.append(event)
        if event.kind == "offer_presented":
            offers.append(shape(offer_row(offer_from(event), event.data), shapes["offers"]))
        elif event.kind in OFFER_KINDS:
            outcomes.append(shape(outcome_row(outcome_from(event), event.data), shapes["outcomes"]))
        else:
            events.append(shape(event_row(event), shapes["events"]))
    return result


def _event(obj: object, known: Known):
    if not isinstance(obj, dict):
        raise ContractError("invalid JSON", "a line must be a JSON object")
    kind = obj.get("type")
    if kind != "event":
        if kind is None:
            raise ContractError("missing field", "missing field 'type'")
        raise ContractError("unknown type", f"unknown type {kind!r} (expected service, patient or event)")
    event = parse_event(obj)
    stored = known.consents.get(event.id)
    if stored is not None and fingerprint(event) != stored:
        raise ContractError(
            "consent record",
            f"event {event.id!r} is a stored {stored[1]} consent record and cannot be changed or "
            "removed; to change consent, add a new opted_in or opted_out event",
        )
    if event.patient_id not in known.patient_ids:
        raise ContractError(
            "unknown patient", f"event {event.id!r} names unknown patient {event.patient_id!r}"
        )
    if event.service_id is not None and event.service_id not in known.service_ids:
        raise ContractError(
            "unknown service", f"event {event.id!r} names unknown service {event.service_id!r}"
        )
    return event


_REMEMBERED: Known | None = None


def _remember(known: Known) -> None:
    global _REMEMBERED
    _REMEMBERED = known


def _read_remembered(chunk: list[tuple[int, bytes]]) -> EventChunk:
    assert _REMEMBERED is not None
    return read_events(chunk, _REMEMBERED)
