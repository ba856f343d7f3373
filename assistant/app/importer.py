"""`crosssell import`: the contract's JSON Lines into the practice's tables.

Idempotent by id. A bad line is reported with its number and reason while the good lines import;
nothing already stored is lost. A line the database refuses is one of them: a batch it refuses is
written again line by line. Services and patients are read in a first pass, so that events may
come before them in the file (the contract says order does not matter). The report says which
patients the run changed, and which of their fields.

Consent is a ledger (domain/consent.py): a stored `opted_out` or `opted_in` event is never
replaced by different content, marketing consent a patient line withdrew comes back only through
an `opted_in` event, and every consent change is audited in the transaction that stores it. The
stored consent is read once per run, so checking it costs a lookup a line, not a query.
"""

from __future__ import annotations

import codecs
import multiprocessing
import re
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import Any

import orjson

from assistant.clock import Clock
from assistant.domain.consent import CONSENT_KINDS, MARKETING, ConsentChange, Ledger
from assistant.domain.contract import (
    EVENT_ID,
    ID,
    OFFER_KINDS,
    PATIENT_FIELDS,
    SERVICE_FIELDS,
    ContractError,
    could_be_stored,
    extra_fields,
    offer_from,
    outcome_from,
    parse_event,
    parse_patient,
    parse_service,
)
from assistant.domain.records import Event
from assistant.errors import ConfigurationError
from assistant.storage import schema
from assistant.storage.repository import (
    ROW_ERRORS,
    UNAVAILABLE,
    Repository,
    Scope,
    audit_row,
    event_row,
    offer_row,
    outcome_row,
    patient_row,
    refusal,
    service_row,
)

Lines = Callable[[], Iterator[tuple[int, bytes]]]
CHUNK_LINES = 20_000
SCOPED_LINES = 2_000
_MASTER_LINE = re.compile(rb'"type"\s*:\s*"(?:service|patient)"')
_TABLES = {
    "services": schema.services,
    "patients": schema.patients,
    "events": schema.events,
    "offers": schema.offers,
    "outcomes": schema.outcomes,
}
_EVENT_TABLES = ("events", "offers", "outcomes")
_EMPTY = (None, "", "[]", "{}")


@dataclass(frozen=True, slots=True)
class Limits:
    """What one line may be: how long, in bytes (a longer one is refused unread), and the
    highest price or amount of money it may name."""

    line_bytes: int
    max_price: float


@dataclass(frozen=True, slots=True)
class References(Scope):
    """What a small source names: its patients and events (`Scope`), and its services."""

    services: frozenset[str]


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    category: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class _ConsentWrite:
    """A consent change a line makes, written in the transaction that stores the line."""

    line: int
    audit: dict
    given_back: str | None = None  # the patient an opt-in gave marketing consent back to


@dataclass
class PatientChanges:
    """What a run changed about one patient: the fields of their record that differ from what
    was stored (all they hold, for a new patient), and how many of their events it added or
    changed."""

    fields: set[str] = field(default_factory=set)
    events: int = 0

    def names(self) -> list[str]:
        """The fields, and `events` when any changed: names only, never values."""
        return sorted(self.fields) + (["events"] if self.events else [])

    def as_dict(self) -> dict:
        return {"fields": sorted(self.fields), "events": self.events}


@dataclass
class ImportReport:
    lines: int = 0
    added: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    rejected: list[Rejection] = field(default_factory=list)
    changed: dict[str, PatientChanges] = field(default_factory=dict)
    """By patient id: what the run changed about each patient it changed."""

    @property
    def by_reason(self) -> Counter:
        return Counter(r.category for r in self.rejected)

    def changes_of(self, patient_id: str) -> PatientChanges:
        """What the run changed about the patient, to be added to."""
        return self.changed.setdefault(patient_id, PatientChanges())

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
            "changed": {p: c.as_dict() for p, c in sorted(self.changed.items())},
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
        limits: Limits,
        actor: str = "import",
    ) -> None:
        self.repository = repository
        self.default_service_ids = default_service_ids
        self.batch_size = batch_size
        self.workers = workers
        self.clock = clock
        self.limits = limits
        self.actor = actor
        self.on_progress = on_progress or (lambda _n: None)
        self.report = ImportReport()
        self._pending: dict[str, list] = {name: [] for name in _TABLES}
        self._numbers: dict[str, list[int]] = {name: [] for name in _TABLES}  # each pending row's line
        self._changed: Counter = Counter()
        self._added: Counter = Counter()
        self._accepted: Counter = Counter()
        self._refused: dict[str, set[str]] = {name: set() for name in _TABLES}  # ids the database refused
        self._held: set[str] = set()  # tables that held rows before the run
        self._compared: set[str] = set()  # tables whose rows are compared with the stored ones
        self._connection: Any = None  # the bulk connection, for the length of `run`
        self._ledger = Ledger((), {})
        self._consent: dict[str, list[_ConsentWrite]] = {}

    def run(self, lines: Lines) -> ImportReport:
        """Imports the lines. A source of up to `SCOPED_LINES` lines (a push) reads only the
        stored rows it names, so its cost does not grow with the practice; a larger one reads
        what it checks against once, for the whole practice."""
        lines = _without_bom(lines)
        self._held = self.repository.holding_rows(list(_TABLES.values()))
        scope = references(lines, SCOPED_LINES)
        # A large file into an empty table compares nothing: the table's count at the end is
        # what it added. A small source is compared everywhere, and counts nothing.
        self._compared = set(_TABLES) if scope is not None else self._held
        try:
            with self.repository.bulk(durable=scope is not None) as connection:
                self._connection = connection
                self._read_all(lines, scope)
        except UNAVAILABLE as exc:
            raise ConfigurationError(
                f"the database failed during the import ({refusal(exc)}); what was stored so far "
                "stays, and running the import again completes it"
            ) from None
        for name, table in _TABLES.items():
            added = self._added[name] if name in self._compared else self.repository.count(table)
            self.report.added[name] = added
            self.report.updated[name] = self._changed[name] - added
            self.report.unchanged[name] = self._accepted[name] - self._changed[name]
        self.report.rejected.sort(key=lambda r: r.line)
        return self.report

    def _read_all(self, lines: Lines, scope: References | None) -> None:
        stored_patients = self.repository.marketing_consents(None if scope is None else scope.patients)
        self._ledger = Ledger(self.repository.consent_events(scope), stored_patients)
        masters = self._read_masters(lines)
        service_ids = (
            self.repository.ids(schema.services, None if scope is None else scope.services) | masters[0]
        )
        if not service_ids and "services" not in self._held:
            service_ids = set(self.default_service_ids)
        known = Known(
            frozenset(service_ids),
            frozenset(stored_patients) | masters[1],
            {name: self.repository.row_shape(table) for name, table in _TABLES.items()},
            frozenset(masters[2]),
            {event_id: fingerprint(event) for event_id, event in self._ledger.stored.items()},
            self.limits,
        )
        for chunk in self._event_chunks(lines, known):
            self.report.lines += chunk.lines
            self.report.rejected.extend(chunk.rejected)
            self._record_consent(chunk.consents)
            for table, rows in chunk.rows.items():
                self._add_shaped(table, rows, chunk.numbers[table])
        self._flush_all()

    def _read_masters(self, lines: Lines) -> tuple[set[str], set[str], set[int]]:
        """First pass: services and patients, so events can be checked against them. Those
        the database refused are left out: events naming them are unknown."""
        services: set[str] = set()
        patients: set[str] = set()
        handled: set[int] = set()
        now = self.clock.now()
        longest = self.limits.line_bytes
        for number, raw in lines():
            if (b'"service"' not in raw and b'"patient"' not in raw) or _too_long(raw, longest):
                continue  # a line too long is the event pass's to refuse
            if not _MASTER_LINE.search(raw):
                continue
            obj = self._decode(raw)
            if obj is None or obj.get("type") not in ("service", "patient"):
                continue
            handled.add(number)
            self.report.lines += 1
            try:
                if obj["type"] == "service":
                    service = parse_service(obj, self.limits.max_price)
                    services.add(service.id)
                    self._add("services", service_row(service, extra_fields(obj, SERVICE_FIELDS)), number)
                else:
                    patient = parse_patient(obj)
                    change = self._ledger.patient(patient, now, "patient record (import)")
                    patients.add(patient.id)
                    if change is not None:
                        self._audit("patients", change, number)
                    self._add("patients", patient_row(patient, extra_fields(obj, PATIENT_FIELDS)), number)
            except ContractError as exc:
                self._reject(number, exc.category, exc.message)
        self._flush("services")
        self._flush("patients")
        return services - self._refused["services"], patients - self._refused["patients"], handled

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

    def _record_consent(self, events: list[tuple[int, Event]]) -> None:
        """New consent facts: audited, and marketing consent given back where an opt-in says
        so, in the flush that stores the events themselves."""
        for number, event in events:
            for change in self._ledger.record(event):
                given_back = change.patient_id if change.channel == MARKETING else None
                self._audit("events", change, number, given_back)

    def _audit(self, table: str, change: ConsentChange, number: int, given_back: str | None = None) -> None:
        """Queues the change's audit row for `table`'s next flush, which stores the change."""
        row = audit_row(
            self.clock.now(), self.actor, "consent_changed", change.detail(), patient_id=change.patient_id
        )
        self._consent.setdefault(table, []).append(_ConsentWrite(number, row, given_back))

    def _reject(self, number: int, category: str, message: str) -> None:
        self.report.rejected.append(Rejection(number, category, message))

    def _add(self, table: str, row: dict, number: int) -> None:
        self._add_shaped(table, [shape(row, self.repository.row_shape(_TABLES[table]))], [number])

    def _add_shaped(self, table: str, rows: list, numbers: list[int]) -> None:
        pending = self._pending[table]
        pending.extend(rows)
        self._numbers[table].extend(numbers)
        self._accepted[table] += len(rows)
        if len(pending) >= self.batch_size:
            self._flush(table)

    def _flush(self, table: str) -> None:
        """Writes the pending rows in one transaction; when the database refuses the batch,
        line by line, so only the lines it refuses are rejected."""
        rows, numbers = self._pending[table], self._numbers[table]
        consent = self._consent.pop(table, [])
        if not rows and not consent:
            return
        self._pending[table], self._numbers[table] = [], []
        try:
            with self._connection.begin():
                before = self._stored(table, rows)
            with self._connection.begin():
                self._changed[table] += self._write(table, rows, consent)
        except ROW_ERRORS:
            before, rows, consent = self._write_by_line(table, rows, numbers, consent)
        if table in self._compared:
            self._added[table] += len(set(map(self._column(table, "id"), rows)) - before.keys())
        self._note_changes(table, rows, before, consent)

    def _write(self, table: str, rows: list, consent: list[_ConsentWrite]) -> int:
        changed = self.repository.upsert_shaped(self._connection, _TABLES[table], rows)
        if consent:
            given_back = [w.given_back for w in consent if w.given_back]
            self.repository.write_consent(self._connection, [w.audit for w in consent], given_back)
        return changed

    def _write_by_line(
        self, table: str, rows: list, numbers: list[int], consent: list[_ConsentWrite]
    ) -> tuple[dict[str, dict], list, list[_ConsentWrite]]:
        """Each row in transactions of its own (what its id held, then the row with its line's
        consent changes), so a statement the database refuses ends only its own transaction
        (on PostgreSQL a failed statement spoils the rest of its transaction); returns what
        the stored rows' ids held before, the rows and the consent changes stored."""
        by_line: dict[int, list[_ConsentWrite]] = defaultdict(list)
        for write in consent:
            by_line[write.line].append(write)
        before: dict[str, dict] = {}
        read: set[str] = set()  # ids whose stored rows were read: a later line replaces an earlier
        id_of = self._column(table, "id")
        stored, stored_consent = [], []
        for row, number in zip(rows, numbers, strict=True):
            own = by_line.get(number, [])
            try:
                held = {}
                if id_of(row) not in read:
                    with self._connection.begin():
                        held = self._stored(table, [row])
                with self._connection.begin():
                    self._changed[table] += self._write(table, [row], own)
            except ROW_ERRORS as exc:
                self._reject(number, "database", f"the database refused this line: {refusal(exc)}")
                self._accepted[table] -= 1
                self._refused[table].add(id_of(row))
                continue
            read.add(id_of(row))
            before.update(held)
            stored.append(row)
            stored_consent.extend(own)
        return before, stored, stored_consent

    def _stored(self, table: str, rows: list) -> dict[str, dict]:
        """What these rows' ids hold before they are written, so the run can say what it
        added and changed (nothing in a table it does not compare: see `run`)."""
        if table not in self._compared or not rows:
            return {}
        return self.repository.stored(self._connection, _TABLES[table], map(self._column(table, "id"), rows))

    def _note_changes(
        self, table: str, rows: list, before: dict[str, dict], consent: list[_ConsentWrite]
    ) -> None:
        """Adds the stored rows that differ from what they replaced to the report, by patient."""
        changes_of = self.report.changes_of
        for write in consent:
            if write.given_back:
                changes_of(write.given_back).fields.add("marketing_consent")
        names = self.repository.row_shape(_TABLES[table])
        as_dict = (lambda row: dict(zip(names, row, strict=True))) if names else dict
        if table == "patients":
            for row in rows:
                new = as_dict(row)
                fields = changed_fields(before.get(new["id"]), new)
                if fields:
                    changes_of(new["id"]).fields.update(fields)
            return
        if table not in _EVENT_TABLES:
            return
        id_of, patient_of = self._column(table, "id"), self._column(table, "patient_id")
        if before:
            rows = [row for row in rows if (old := before.get(id_of(row))) is None or old != as_dict(row)]
        for patient, count in Counter(map(patient_of, rows)).items():
            changes_of(patient).events += count

    def _column(self, table: str, name: str) -> Callable[[Any], Any]:
        """Reads one column of a pending row, whatever its shape."""
        names = self.repository.row_shape(_TABLES[table])
        return itemgetter(names.index(name) if names else name)

    def _flush_all(self) -> None:
        for table in _TABLES:
            self._flush(table)


def changed_fields(old: dict | None, new: dict) -> set[str]:
    """The fields of a patient row that differ from the stored row, or all those it holds
    when nothing was stored; the fields beyond the contract (`extra`) by name."""
    fields = {
        name
        for name, value in new.items()
        if name not in ("id", "extra") and (value not in _EMPTY if old is None else old[name] != value)
    }
    before = orjson.loads(old["extra"]) if old else {}
    after = orjson.loads(new["extra"])
    return fields | {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def _without_bom(lines: Lines) -> Lines:
    """The lines with a UTF-8 byte-order mark at the start of the first one left out."""

    def read() -> Iterator[tuple[int, bytes]]:
        numbered = lines()
        first = next(numbered, None)
        if first is None:
            return
        yield first[0], first[1].removeprefix(codecs.BOM_UTF8)
        yield from numbered

    return read


def references(lines: Lines, most: int) -> References | None:
    """The patients, services and events the lines name, or None when there are more than
    `most` lines. A line that cannot be read, or an id no row could have, names nothing: the
    passes after report them."""
    patients: set[str] = set()
    services: set[str] = set()
    events: set[str] = set()
    named = {"patient": patients, "service": services, "event": events}
    for count, (_number, raw) in enumerate(lines(), 1):
        if count > most:
            return None
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(obj, dict):
            continue
        kind = obj.get("type")
        own = named.get(kind) if isinstance(kind, str) else None
        own_limit = EVENT_ID if own is events else ID
        for ids, key, limit in (
            (own, "id", own_limit),
            (patients, "patient_id", ID),
            (services, "service_id", ID),
        ):
            value = obj.get(key)
            if ids is not None and could_be_stored(value, limit):
                ids.add(value)
    return References(frozenset(patients), frozenset(events), frozenset(services))


def _too_long(raw: bytes, limit: int) -> bool:
    return len(raw) > limit and len(raw.rstrip(b"\r\n")) > limit


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
    limits: Limits


def fingerprint(event: Event) -> tuple:
    """What tells a consent record from a changed one: its stored row, `data` compared as a
    value (so the order of a line's keys does not matter)."""
    row = event_row(event)
    return (row["patient_id"], row["kind"], row["at"], row["service_id"], row["ref_at"], event.data)


@dataclass
class EventChunk:
    lines: int = 0
    rows: dict[str, list] = field(default_factory=lambda: {table: [] for table in _EVENT_TABLES})
    numbers: dict[str, list[int]] = field(default_factory=lambda: {table: [] for table in _EVENT_TABLES})
    """Each row's line, in the order of `rows`."""
    rejected: list[Rejection] = field(default_factory=list)
    consents: list[tuple[int, Event]] = field(default_factory=list)  # consent events not stored before


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
    """Parses and checks event lines; good ones become rows, bad ones rejections. A line
    longer than the limit is refused before it is read."""
    result = EventChunk()
    events, offers, outcomes = (result.rows[t] for t in _EVENT_TABLES)
    shapes, handled, longest = known.shapes, known.handled, known.limits.line_bytes
    for number, raw in chunk:
        if number in handled:
            continue
        if _too_long(raw, longest):
            result.lines += 1
            result.rejected.append(
                Rejection(number, "line too long", f"line is longer than the limit of {longest} bytes")
            )
            continue
        if not raw.strip():
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
            result.consents.append((number, event))
        if event.kind == "offer_presented":
            offers.append(shape(offer_row(offer_from(event), event.data), shapes["offers"]))
            result.numbers["offers"].append(number)
        elif event.kind in OFFER_KINDS:
            outcomes.append(shape(outcome_row(outcome_from(event), event.data), shapes["outcomes"]))
            result.numbers["outcomes"].append(number)
        else:
            events.append(shape(event_row(event), shapes["events"]))
            result.numbers["events"].append(number)
    return result


def _event(obj: object, known: Known):
    if not isinstance(obj, dict):
        raise ContractError("invalid JSON", "a line must be a JSON object")
    kind = obj.get("type")
    if kind != "event":
        if kind is None:
            raise ContractError("missing field", "missing field 'type'")
        raise ContractError("unknown type", f"unknown type {kind!r} (expected service, patient or event)")
    event = parse_event(obj, known.limits.max_price)
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
