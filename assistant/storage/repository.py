"""Reads and writes the practice's records. The only module that knows the tables' shapes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    Table,
    bindparam,
    exists,
    func,
    inspect,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError, ProgrammingError

from assistant.domain.audit import GENESIS, Head, seal
from assistant.domain.history import History
from assistant.domain.moments import Moment
from assistant.domain.names import OtherPatient, fold, name_keys
from assistant.domain.records import Event, NextStep, OfferMade, Outcome, Patient, Service
from assistant.domain.rules import Rules
from assistant.errors import Unreachable
from assistant.storage import schema

RULES_KEY = "rules"
DISMISSED_KEY = "dismissed/"
"""The practice setting holding a week's dismissals: `dismissed/2026-W49`."""
AUDIT_LOCK = 0x61756469740A
"""PostgreSQL's advisory lock for writers of the audit log (any fixed number no one else takes)."""
ROW_ERRORS: tuple[type[Exception], ...] = (
    IntegrityError,
    DataError,
    ProgrammingError,
    InterfaceError,
    OverflowError,  # SQLite's driver, for an integer beyond 64 bits
    ValueError,  # a driver's, for text it cannot encode
)
"""What the database says of rows it cannot store (a value out of its column's range, text it
cannot hold, a broken constraint): the rows' fault, as against the database's own failure."""
UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, Unreachable)
"""The database itself failing: locked, unreachable (the engine's own translation, see
`database.connect`), out of space."""


def refusal(error: Exception) -> str:
    """What the database said, in one line and without the row's values."""
    said = str(getattr(error, "orig", None) or error)
    return said.splitlines()[0][:200] if said else type(error).__name__


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def maybe_from_epoch(seconds: int | None) -> datetime | None:
    return None if seconds is None else from_epoch(seconds)


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# Rows <-> records ---------------------------------------------------------------------------


def service_row(service: Service, extra: dict | None = None) -> dict:
    steps = [{"to": s.to, "moments": [m.value for m in s.moments], "why": s.why} for s in service.next_steps]
    return {
        "id": service.id,
        "name": service.name,
        "category": service.category,
        "price": service.price,
        "unit": service.unit,
        "kind": service.kind,
        "min_age": service.min_age,
        "contraindications": _dumps(list(service.contraindications)),
        "next_steps": _dumps(steps),
        "pairs_with": _dumps(list(service.pairs_with)),
        "offered_at": _dumps([m.value for m in service.offered_at]),
        "description": service.description,
        "sensitive": service.sensitive,
        "aliases": _dumps(list(service.aliases)),
        "extra": _dumps(extra or {}),
    }


def service_from(row: Any) -> Service:
    steps = tuple(
        NextStep(to=s["to"], moments=tuple(Moment(m) for m in s.get("moments", [])), why=s.get("why", ""))
        for s in orjson.loads(row.next_steps)
    )
    return Service(
        id=row.id,
        name=row.name,
        category=row.category,
        price=row.price,
        unit=row.unit,
        kind=row.kind,
        next_steps=steps,
        pairs_with=tuple(orjson.loads(row.pairs_with)),
        offered_at=tuple(Moment(m) for m in orjson.loads(row.offered_at)),
        contraindications=tuple(orjson.loads(row.contraindications)),
        min_age=row.min_age,
        description=row.description,
        sensitive=bool(row.sensitive),
        aliases=tuple(orjson.loads(row.aliases)),
    )


def patient_row(patient: Patient, extra: dict | None = None) -> dict:
    return {
        "id": patient.id,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
        "email": patient.email,
        "phone": patient.phone,
        "preferred_channel": patient.preferred_channel,
        "marketing_consent": patient.marketing_consent,
        "goals": _dumps(list(patient.goals)),
        "flags": _dumps(list(patient.flags)),
        "memberships": _dumps(list(patient.memberships)),
        "segment": patient.segment,
        "time_zone": patient.time_zone,
        "extra": _dumps(extra or {}),
    }


def patient_from(row: Any) -> Patient:
    return Patient(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        birth_date=date.fromisoformat(row.birth_date) if row.birth_date else None,
        email=row.email,
        phone=row.phone,
        preferred_channel=row.preferred_channel,
        marketing_consent=bool(row.marketing_consent),
        goals=tuple(orjson.loads(row.goals)),
        flags=tuple(orjson.loads(row.flags)),
        memberships=tuple(orjson.loads(row.memberships)),
        segment=row.segment,
        time_zone=row.time_zone,
    )


def patient_record(row: Any) -> dict:
    record: dict[str, Any] = {**orjson.loads(row.extra or "{}"), "type": "patient"}
    for name in (
        "id",
        "first_name",
        "last_name",
        "birth_date",
        "email",
        "phone",
        "preferred_channel",
        "segment",
        "time_zone",
    ):
        value = getattr(row, name)
        if value is not None:
            record[name] = value
    record["marketing_consent"] = bool(row.marketing_consent)
    for name in ("goals", "flags", "memberships"):
        record[name] = orjson.loads(getattr(row, name))
    return record


def event_row(event: Event) -> dict:
    return {
        "id": event.id,
        "patient_id": event.patient_id,
        "kind": event.kind,
        "at": epoch(event.at),
        "service_id": event.service_id,
        "ref_at": epoch(event.ref_at) if event.ref_at else None,
        "data": _dumps(event.data),
    }


def event_from(row: Any) -> Event:
    return Event(
        id=row[0],
        patient_id=row[1],
        kind=row[2],
        at=from_epoch(row[3]),
        service_id=row[4],
        ref_at=maybe_from_epoch(row[5]),
        data=orjson.loads(row[6]),
    )


def offer_row(offer: OfferMade, data: dict | None = None) -> dict:
    return {
        "id": offer.id,
        "patient_id": offer.patient_id,
        "service_id": offer.service_id,
        "moment": offer.moment.value if offer.moment else "",
        "channel": offer.channel,
        "at": epoch(offer.at),
        "data": _dumps(data or {}),
    }


def offer_from(row: Any) -> OfferMade:
    policy = orjson.loads(row.data).get("policy") if '"policy"' in row.data else None
    return OfferMade(
        id=row.id,
        patient_id=row.patient_id,
        service_id=row.service_id,
        moment=Moment(row.moment) if row.moment else None,
        channel=row.channel,
        at=from_epoch(row.at),
        policy=policy if isinstance(policy, dict) else None,
    )


def outcome_row(outcome: Outcome, data: dict | None = None) -> dict:
    return {
        "id": outcome.id,
        "patient_id": outcome.patient_id,
        "service_id": outcome.service_id,
        "accepted": outcome.accepted,
        "at": epoch(outcome.at),
        "data": _dumps(data or {}),
    }


def outcome_from(row: Any) -> Outcome:
    return Outcome(
        id=row.id,
        patient_id=row.patient_id,
        service_id=row.service_id,
        accepted=bool(row.accepted),
        at=from_epoch(row.at),
    )


def audit_row(
    at: datetime,
    actor: str,
    action: str,
    detail: dict,
    draft_id: str | None = None,
    patient_id: str | None = None,
) -> dict:
    """An audit log entry: who did what, when, to which draft or patient, and the detail."""
    return {
        "at": epoch(at),
        "actor": actor,
        "action": action,
        "draft_id": draft_id,
        "patient_id": patient_id,
        "detail": _dumps(detail),
    }


def outbox_row(
    message_id: str,
    *,
    draft_id: str,
    draft_version: int,
    patient_id: str,
    channel: str,
    content: dict,
    at: datetime,
) -> dict:
    """A queued message, with its `content` (address, subject and body) as it will be sent."""
    now = epoch(at)
    return {
        "id": message_id,
        "draft_id": draft_id,
        "draft_version": draft_version,
        "patient_id": patient_id,
        "channel": channel,
        "state": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
        "message": _dumps(content),
    }


def _due(now: int) -> Any:
    """A message to deliver now: queued and its time has come, or left `sending` past its
    lease (the worker that took it stopped)."""
    table = schema.outbox
    return or_(
        (table.c.state == "queued") & (table.c.next_attempt_at <= now),
        (table.c.state == "sending") & (table.c.lease_until < now),
    )


def message_update(message_id: str, values: dict) -> Executable:
    """The statement that moves a message on (for `change_draft(also=...)`)."""
    return schema.outbox.update().where(schema.outbox.c.id == message_id).values(**values)


def outcome_delete(outcome_id: str) -> Executable:
    """The statement that removes an outcome a correction replaces (for `change_draft(also=...)`)."""
    return schema.outcomes.delete().where(schema.outcomes.c.id == outcome_id)


def offer_delete(offer_id: str) -> Executable:
    """The statement that withdraws a presented offer that never reached the patient (a carrier's
    failed delivery), for `change_draft(also=...)`: learning and cooldowns must not count it."""
    return schema.offers.delete().where(schema.offers.c.id == offer_id)


def outcome_insert(
    outcome_id: str, patient_id: str, service_id: str, accepted: bool, at: datetime, channel: str | None
) -> Executable:
    """The statement that records a corrected outcome (for `change_draft(also=...)`)."""
    outcome = Outcome(id=outcome_id, patient_id=patient_id, service_id=service_id, accepted=accepted, at=at)
    data = {"channel": channel, "source": "corrected on the review desk"} if channel else {}
    return schema.outcomes.insert().values(**outcome_row(outcome, data))


def slot_release(patient_id: str, message_id: str) -> Executable:
    """The statement that frees a patient's contact slot, if this message still holds it."""
    slots = schema.contact_slots
    return (
        slots.update()
        .where(slots.c.patient_id == patient_id, slots.c.message_id == message_id)
        .values(released=True)
    )


def _history_order(table: Table) -> tuple[Any, ...]:
    """The order every history is read in: by patient, then time; the id breaks ties, so two
    events at one instant come back the same way on every database and every run."""
    return (table.c.patient_id, table.c.at, table.c.id)


@dataclass(frozen=True, slots=True)
class Scope:
    """The patients and events a small source names: an import of it reads only their
    stored consent, not the whole practice's."""

    patients: frozenset[str]
    events: frozenset[str]


def _parts(ids: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    """The ids, sorted and without repeats, in lists short enough for one `IN (...)`."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


def _sorted_events(rows: Iterable[Any]) -> list[Any]:
    """Event rows (`_EVENT_COLUMNS`) in `_history_order`, sorted here: an ORDER BY would
    steer SQLite off the partial index on consent facts."""
    return sorted(rows, key=lambda row: (row[1], row[3], row[0]))


_EVENT_COLUMNS = [
    schema.events.c[n] for n in ("id", "patient_id", "kind", "at", "service_id", "ref_at", "data")
]
# A literal, so that SQLite can use the partial index on consent facts.
_CONSENT = text("events.kind IN ('opted_out', 'opted_in')")


def _contactable(row: Any) -> Patient:
    """Just what a patient with no recent signal is checked for (consent and channels), and
    what the conversion model reads of their type (segment, birth date)."""
    return Patient(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        birth_date=date.fromisoformat(row.birth_date) if row.birth_date else None,
        email=row.email,
        phone=row.phone,
        preferred_channel=row.preferred_channel,
        marketing_consent=bool(row.marketing_consent),
        segment=row.segment,
    )


@dataclass(slots=True)
class Roster:
    """The patients by name key and by id, for the privacy guard's lookups: the keys are folded
    (case, accents, look-alike letters), which no column index answers."""

    size: int
    by_name: dict[str, list[OtherPatient]] = field(default_factory=dict)
    by_id: dict[str, OtherPatient] = field(default_factory=dict)

    @classmethod
    def of(cls, size: int, patients: Iterable[OtherPatient]) -> Roster:
        roster = cls(size)
        keys: dict[str, set[str]] = {}  # names repeat: each is folded once
        for patient in patients:
            roster.by_id[fold(patient.id)] = patient
            for name in (patient.first_name, patient.last_name):
                if name not in keys:
                    keys[name] = name_keys(name)
                for key in keys[name]:
                    roster.by_name.setdefault(key, []).append(patient)
        return roster

    def find(self, patient_id: str, names: set[str], ids: set[str]) -> list[OtherPatient]:
        found = {p.id: p for key in names for p in self.by_name.get(key, ())}
        found.update((p.id, p) for key in ids if (p := self.by_id.get(key)) is not None)
        found.pop(patient_id, None)
        return [found[i] for i in sorted(found)]


class Repository:
    """Practice records over one SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._upserts: dict[str, Any] = {}
        self._names: Roster | None = None

    # Writing ----------------------------------------------------------------------------

    def upsert(self, connection: Connection, table: Table, rows: Sequence[dict]) -> int:
        """Inserts or replaces rows by id; returns how many rows were added or changed.

        The statement is compiled once per table and run as one driver-level executemany:
        bulk import spends its time in the database, not in per-row parameter handling."""
        names = self.row_shape(table)
        if names is None:
            return self.upsert_shaped(connection, table, list(rows))
        return self.upsert_shaped(connection, table, [tuple(r[n] for n in names) for r in rows])

    def row_shape(self, table: Table) -> tuple[str, ...] | None:
        """Column order for positional drivers (SQLite), or None where rows stay dicts."""
        return self._upsert_statement(table)[1]

    def upsert_shaped(self, connection: Connection, table: Table, params: list) -> int:
        """`upsert` for rows already in `row_shape` order."""
        if not params:
            return 0
        if table is schema.patients:
            self._names = None
        result = connection.exec_driver_sql(self._upsert_statement(table)[0], params)
        return max(result.rowcount, 0)

    def _upsert_statement(self, table: Table) -> tuple[str, tuple[str, ...] | None]:
        cached = self._upserts.get(table.name)
        if cached is None:
            insert = self._insert(table)
            columns = [c.name for c in table.columns if not c.primary_key]
            statement = insert.values(
                {c.name: bindparam(c.name) for c in table.columns}
            ).on_conflict_do_update(
                index_elements=list(table.primary_key.columns),
                set_={c: insert.excluded[c] for c in columns},
                where=or_(*(table.c[c].is_distinct_from(insert.excluded[c]) for c in columns)),
            )
            compiled = statement.compile(dialect=self.engine.dialect)
            positional = compiled.positiontup is not None
            cached = (str(compiled), tuple(compiled.positiontup or ()) if positional else None)
            self._upserts[table.name] = cached
        return cached

    @contextmanager
    def bulk(self, durable: bool = False) -> Iterator[Connection]:
        """One connection for an import. Unless `durable`, on SQLite it skips fsync between
        batches: an interrupted file import is completed by running it again (imports are
        idempotent). A push is durable: its sender is told it was stored."""
        with self.engine.connect() as conn:
            sqlite_db = conn.dialect.name == "sqlite" and not durable
            if sqlite_db:
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.commit()
            try:
                yield conn
            finally:
                if sqlite_db:
                    conn.rollback()
                    conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                    conn.commit()

    def stored(self, connection: Connection, table: Table, ids: Iterable[str]) -> dict[str, dict]:
        """The stored rows with these ids, each as a dict of its columns, by id."""
        found: dict[str, dict] = {}
        for part in _parts(ids):
            found.update(
                {
                    row.id: row._asdict()
                    for row in connection.execute(select(table).where(table.c.id.in_(part)))
                }
            )
        return found

    def count(self, table: Table) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()

    def holding_rows(self, tables: Sequence[Table]) -> set[str]:
        """The names of those tables that hold any row, in one query: an index probe each,
        where a count would read them all."""
        query = select(*(exists(select(literal(1)).select_from(t)).label(t.name) for t in tables))
        with self.engine.connect() as conn:
            found = conn.execute(query).one()
        return {table.name for table, held in zip(tables, found, strict=True) if held}

    # Menu, patients and settings -------------------------------------------------------------

    def services(self) -> list[Service]:
        with self.engine.connect() as conn:
            # In id order: a table's own order is no order (PostgreSQL moves an updated row).
            return [
                service_from(r) for r in conn.execute(select(schema.services).order_by(schema.services.c.id))
            ]

    def ids(self, table: Table, among: Iterable[str] | None = None) -> set[str]:
        """The table's stored ids; only those `among` these when given."""
        with self.engine.connect() as conn:
            if among is None:
                return set(conn.execute(select(table.c.id)).scalars())
            return {
                id_
                for part in _parts(among)
                for id_ in conn.execute(select(table.c.id).where(table.c.id.in_(part))).scalars()
            }

    def patient(self, patient_id: str) -> Patient | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(schema.patients).where(schema.patients.c.id == patient_id)).first()
        return patient_from(row) if row else None

    def patient_types(self, ids: Iterable[str]) -> dict[str, Patient]:
        """These patients' declared segment and birth date (what segments need)."""
        table = schema.patients
        found: dict[str, Patient] = {}
        with self.engine.connect() as conn:
            for part in _parts(ids):
                for r in conn.execute(
                    select(table.c.id, table.c.segment, table.c.birth_date).where(table.c.id.in_(part))
                ):
                    found[r.id] = Patient(
                        id=r.id,
                        first_name="",
                        segment=r.segment,
                        birth_date=date.fromisoformat(r.birth_date) if r.birth_date else None,
                    )
        return found

    def patient_records(self) -> list[dict]:
        """Every stored patient as its contract line would carry it (extra fields included):
        what a spreadsheet's rows are matched against and merged onto."""
        with self.engine.connect() as conn:
            return [
                patient_record(r)
                for r in conn.execute(select(schema.patients).order_by(schema.patients.c.id))
            ]

    def events_by_id(self, ids: Iterable[str]) -> dict[str, Event]:
        """The stored events with these ids, by id (a dry run compares what it would write)."""
        events = schema.events
        with self.engine.connect() as conn:
            return {
                row[0]: event_from(row)
                for part in _parts(ids)
                for row in conn.execute(select(*_EVENT_COLUMNS).where(events.c.id.in_(part)))
            }

    def rules(self) -> Rules:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(schema.practice_settings.c.value).where(schema.practice_settings.c.key == RULES_KEY)
            ).scalar()
        return Rules.model_validate_json(value) if value else Rules()

    def save_rules(self, rules: Rules) -> None:
        with self.engine.begin() as conn:
            self.upsert(
                conn, schema.practice_settings, [{"key": RULES_KEY, "value": rules.model_dump_json()}]
            )

    # Patients set aside for a week ---------------------------------------------------------------

    def dismissals(self, week: str) -> dict[str, dict]:
        """The patients dismissed for an ISO week ("2026-W49"), each with who, when and why."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(schema.practice_settings.c.value).where(
                    schema.practice_settings.c.key == DISMISSED_KEY + week
                )
            ).scalar()
        return orjson.loads(value) if value else {}

    def change_dismissals(
        self, week: str, patient_id: str, dismissal: dict | None, audit: Sequence[dict]
    ) -> bool:
        """Sets (or, with None, lifts) a patient's dismissal for the week, with its audit entries
        in the same transaction; False when there was nothing to lift."""
        table = schema.practice_settings
        key = DISMISSED_KEY + week
        with self.engine.begin() as conn:
            value = conn.execute(select(table.c.value).where(table.c.key == key).with_for_update()).scalar()
            found = orjson.loads(value) if value else {}
            if dismissal is None and patient_id not in found:
                return False
            if dismissal is None:
                del found[patient_id]
            else:
                found[patient_id] = dismissal
            self.upsert(conn, table, [{"key": key, "value": orjson.dumps(found).decode()}])
            self.write_audit(conn, audit)
        return True

    # The scan's reads -------------------------------------------------------------------------

    def offered(self, patient_ids: Iterable[str]) -> set[str]:
        """Those of these patients who were ever presented an offer."""
        table, found = schema.offers, set()
        with self.engine.connect() as conn:
            for part in _parts(patient_ids):
                query = select(table.c.patient_id).where(table.c.patient_id.in_(part)).distinct()
                found |= set(conn.execute(query).scalars())
        return found

    def presented(self, since: int, until: int) -> set[str]:
        """The patients presented an offer between these instants (inclusive)."""
        table = schema.offers
        query = select(table.c.patient_id).where(table.c.at >= since, table.c.at <= until).distinct()
        with self.engine.connect() as conn:
            return set(conn.execute(query).scalars())

    def offers_and_outcomes(self, until: int) -> tuple[list[OfferMade], list[Outcome]]:
        with self.engine.connect() as conn:
            offers = [
                offer_from(r)
                for r in conn.execute(
                    select(schema.offers)
                    .where(schema.offers.c.at <= until)
                    .order_by(*_history_order(schema.offers))
                ).fetchall()
            ]
            outcomes = [
                outcome_from(r)
                for r in conn.execute(
                    select(schema.outcomes)
                    .where(schema.outcomes.c.at <= until)
                    .order_by(*_history_order(schema.outcomes))
                ).fetchall()
            ]
        return offers, outcomes

    def histories(
        self, since: int, until: int, due_from: int, due_until: int
    ) -> tuple[list[History], list[History]]:
        """(active, quiet). Active: patients with an event since `since` or a renewal due in
        the window, each with every event up to `until`, oldest first. Quiet: everyone else,
        with only what can still matter without a recent signal (consent, contacts, opt-outs
        and opt-ins).
        Offers and outcomes are read separately."""
        events = schema.events
        recent = select(events.c.patient_id).where(events.c.at.between(since, until)).distinct()
        with self.engine.connect() as conn:
            active_ids = set(conn.execute(recent).scalars())
            due_only = set(
                conn.execute(
                    select(events.c.patient_id).where(
                        events.c.kind == "membership_renewal_due",
                        events.c.ref_at.between(due_from, due_until),
                        events.c.at <= until,
                    )
                ).scalars()
            )
            due_only -= active_ids
            active: dict[str, History] = {}
            quiet: list[History] = []
            consent: dict[str, list[Event]] = {}
            # (no time bound here: it would steer SQLite off the partial index)
            for row in _sorted_events(conn.execute(select(*_EVENT_COLUMNS).where(_CONSENT)).fetchall()):
                if row[3] <= until:
                    consent.setdefault(row[1], []).append(event_from(row))
            for row in conn.execute(select(schema.patients).order_by(schema.patients.c.id)).fetchall():
                if row.id in active_ids or row.id in due_only:
                    active[row.id] = History(patient_from(row))
                else:
                    quiet.append(History(_contactable(row), events=consent.get(row.id, [])))
            rows = list(
                conn.execute(
                    select(*_EVENT_COLUMNS)
                    .where(events.c.patient_id.in_(recent), events.c.at <= until)
                    .order_by(*_history_order(events))
                ).fetchall()
            )
            for part in _parts(due_only):
                rows += conn.execute(
                    select(*_EVENT_COLUMNS)
                    .where(events.c.patient_id.in_(part), events.c.at <= until)
                    .order_by(*_history_order(events))
                ).fetchall()
        for row in rows:
            history = active.get(row[1])
            if history is not None:
                history.events.append(event_from(row))
        return list(active.values()), quiet

    # Consent -------------------------------------------------------------------------------

    def consent_events(self, scope: Scope | None = None) -> list[Event]:
        """Every `opted_out` and `opted_in` event: the consent ledger an import checks against;
        within a scope, only those of its patients or with its event ids."""
        events = schema.events
        query = select(*_EVENT_COLUMNS).where(_CONSENT)
        with self.engine.connect() as conn:
            if scope is None:
                return [event_from(r) for r in _sorted_events(conn.execute(query))]
            rows = {
                row[0]: row
                for column, ids in ((events.c.patient_id, scope.patients), (events.c.id, scope.events))
                for part in _parts(ids)
                for row in conn.execute(query.where(column.in_(part)))
            }
        return [event_from(r) for r in _sorted_events(rows.values())]

    def marketing_consents(self, among: Iterable[str] | None = None) -> dict[str, bool]:
        """Each stored patient's marketing consent, by id; only those `among` these ids when given."""
        patients = schema.patients
        query = select(patients.c.id, patients.c.marketing_consent)
        with self.engine.connect() as conn:
            if among is None:
                return {r.id: bool(r.marketing_consent) for r in conn.execute(query)}
            return {
                r.id: bool(r.marketing_consent)
                for part in _parts(among)
                for r in conn.execute(query.where(patients.c.id.in_(part)))
            }

    def write_consent(self, connection: Connection, audit: Sequence[dict], given_back: Sequence[str]) -> None:
        """Consent changes' audit rows, and marketing consent on again for the patients an
        `opted_in` gave it back to, inside the caller's transaction."""
        self.write_audit(connection, audit)
        patients = schema.patients
        for part in _parts(given_back):
            connection.execute(
                patients.update().where(patients.c.id.in_(part)).values(marketing_consent=True)
            )

    def events_of_kinds(
        self, kinds: Sequence[str], since: int, until: int
    ) -> list[tuple[str, str, int, str | None, float | None]]:
        """(patient id, kind, at, service id, amount) of every event of these kinds."""
        events = schema.events
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(events.c.patient_id, events.c.kind, events.c.at, events.c.service_id, events.c.data)
                .where(events.c.kind.in_(list(kinds)), events.c.at.between(since, until))
                .order_by(*_history_order(events))
            )
            found = []
            for patient_id, kind, at, service_id, data in rows:
                amount = orjson.loads(data).get("amount") if '"amount"' in data else None
                found.append(
                    (
                        patient_id,
                        kind,
                        at,
                        service_id,
                        float(amount) if isinstance(amount, int | float) else None,
                    )
                )
        return found

    def history(self, patient_id: str, until: int = 2**62) -> History | None:
        """One patient's whole record up to `until` (default: everything on file), offers and
        outcomes included."""
        patient = self.patient(patient_id)
        if patient is None:
            return None
        history = History(patient)
        with self.engine.connect() as conn:
            history.events = [
                event_from(r)
                for r in conn.execute(
                    select(*_EVENT_COLUMNS)
                    .where(schema.events.c.patient_id == patient_id, schema.events.c.at <= until)
                    .order_by(schema.events.c.at, schema.events.c.id)
                ).fetchall()
            ]
            history.offers = [
                offer_from(r)
                for r in conn.execute(
                    select(schema.offers)
                    .where(schema.offers.c.patient_id == patient_id, schema.offers.c.at <= until)
                    .order_by(schema.offers.c.at, schema.offers.c.id)
                )
            ]
            history.outcomes = [
                outcome_from(r)
                for r in conn.execute(
                    select(schema.outcomes)
                    .where(schema.outcomes.c.patient_id == patient_id, schema.outcomes.c.at <= until)
                    .order_by(schema.outcomes.c.at, schema.outcomes.c.id)
                )
            ]
        return history

    def other_patients(self, patient_id: str, names: set[str], ids: set[str]) -> list[OtherPatient]:
        """The patients other than `patient_id` whose first name, last name or id is among these
        keys (`domain.names.fold`), in id order. The privacy guard asks about every draft."""
        return self._roster().find(patient_id, names, ids)

    def _roster(self) -> Roster:
        """Every patient's name keys, loaded once and again only when the patients change: a
        count tells (cheap, indexed), and this repository's own writes to patients tell too."""
        patients = schema.patients
        with self.engine.connect() as conn:
            size = conn.execute(select(func.count()).select_from(patients)).scalar_one()
            roster = self._names
            if roster is None or roster.size != size:
                rows = conn.execute(select(patients.c.id, patients.c.first_name, patients.c.last_name))
                roster = self._names = Roster.of(size, (OtherPatient(*r) for r in rows))
        return roster

    # Drafts -------------------------------------------------------------------------------

    def drafts(
        self,
        as_of: str | None = None,
        patient_id: str | None = None,
        statuses: Sequence[str] | None = None,
        moment: str | None = None,
        limit: int | None = None,
    ) -> list[str]:
        """Stored drafts as JSON, newest first."""
        table = schema.drafts
        query = select(table.c.record).order_by(table.c.created_at.desc(), table.c.id)
        if as_of is not None:
            query = query.where(table.c.as_of == as_of)
        if patient_id is not None:
            query = query.where(table.c.patient_id == patient_id)
        if statuses:
            query = query.where(table.c.status.in_(list(statuses)))
        if moment is not None:
            query = query.where(table.c.moment == moment)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def draft(self, draft_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(schema.drafts.c.record).where(schema.drafts.c.id == draft_id)).scalar()

    def add_drafts(self, rows: Sequence[dict]) -> list[bool]:
        """Stores new drafts; False for each one refused because its patient already has an
        open draft (the unique index decides, so two requests at once cannot both add one)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(schema.drafts.insert(), list(rows))
            return [True for _ in rows]
        except IntegrityError:
            pass
        added = []
        for row in rows:
            try:
                with self.engine.begin() as conn:
                    conn.execute(schema.drafts.insert(), [row])
                added.append(True)
            except IntegrityError:
                added.append(False)
        return added

    def open_drafts(self, patient_ids: Iterable[str] | None = None) -> dict[str, str]:
        """Each patient's open draft (not yet sent) as JSON, by patient id."""
        table = schema.drafts
        query = select(table.c.patient_id, table.c.record).where(table.c.status.in_(schema.UNSENT_STATUSES))
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            if patient_ids is None:
                return {r.patient_id: r.record for r in conn.execute(query)}
            for part in _parts(patient_ids):
                found.update(
                    {r.patient_id: r.record for r in conn.execute(query.where(table.c.patient_id.in_(part)))}
                )
        return found

    def change_draft(
        self,
        draft_id: str,
        version: int,
        row: dict,
        audit: Sequence[dict],
        also: Sequence[Executable] = (),
    ) -> bool:
        """Writes a new version of a draft, its audit entries and any statements `also` in one
        transaction, only if the stored version is still `version`; False when someone else
        changed it first."""
        with self.engine.begin() as conn:
            if not self._change_draft(conn, draft_id, version, row):
                conn.rollback()
                return False
            for statement in also:
                conn.execute(statement)
            self.write_audit(conn, audit)
        return True

    @staticmethod
    def _change_draft(conn: Connection, draft_id: str, version: int, row: dict) -> bool:
        table = schema.drafts
        changed = conn.execute(
            table.update().where(table.c.id == draft_id, table.c.version == version).values(**row)
        ).rowcount
        return changed == 1

    # The outbox and each patient's contact slot -------------------------------------------

    def enqueue(
        self,
        draft_id: str,
        version: int,
        row: dict,
        message: dict,
        cutoff: int,
        audit: Sequence[dict],
    ) -> str:
        """Hands a draft to the outbox in one transaction: its new version, the patient's
        contact slot (free, released, or last claimed before `cutoff`), the message and the
        audit entry. Returns "queued", "stale" (the draft changed) or "held" (another message
        holds the patient's slot)."""
        slots = schema.contact_slots
        claim = {"message_id": message["id"], "claimed_at": message["created_at"], "released": False}
        try:
            with self.engine.begin() as conn:
                # The draft is written first: the transaction starts with a write, so SQLite
                # takes its write lock before anything is read.
                if not self._change_draft(conn, draft_id, version, row):
                    conn.rollback()
                    return "stale"
                claimed = conn.execute(
                    slots.update()
                    .where(
                        slots.c.patient_id == message["patient_id"],
                        or_(slots.c.released.is_(True), slots.c.claimed_at < cutoff),
                    )
                    .values(**claim)
                ).rowcount
                if not claimed:
                    conn.execute(slots.insert(), [{"patient_id": message["patient_id"], **claim}])
                conn.execute(schema.outbox.insert(), [message])
                self.write_audit(conn, audit)
        except IntegrityError:
            return "held"
        return "queued"

    def slot(self, patient_id: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(
                select(schema.contact_slots).where(schema.contact_slots.c.patient_id == patient_id)
            ).first()

    def message(self, message_id: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(select(schema.outbox).where(schema.outbox.c.id == message_id)).first()

    def message_by_receipt(self, receipt: str) -> Any:
        """The message a channel's receipt (`twilio:SM...`) names: what a status callback has."""
        table = schema.outbox
        with self.engine.connect() as conn:
            return conn.execute(select(table).where(table.c.receipt == receipt).limit(1)).first()

    def phones(self, exactly: str | None = None) -> list[tuple[str, str]]:
        """Every patient's stored phone, as stored (or only those stored as `exactly`): an
        inbound SMS is matched against them."""
        table = schema.patients
        query = select(table.c.id, table.c.phone).where(table.c.phone.is_not(None))
        if exactly is not None:
            query = query.where(table.c.phone == exactly)
        with self.engine.connect() as conn:
            return [(row.id, row.phone) for row in conn.execute(query)]

    def messages(self, draft_id: str | None = None, state: str | None = None) -> list[Any]:
        """Outbox messages, oldest first."""
        table = schema.outbox
        query = select(table).order_by(table.c.created_at, table.c.id)
        if draft_id is not None:
            query = query.where(table.c.draft_id == draft_id)
        if state is not None:
            query = query.where(table.c.state == state)
        with self.engine.connect() as conn:
            return list(conn.execute(query))

    def delivered_times(self, patient_id: str, since: int) -> list[datetime]:
        """When this patient's messages were delivered, on any channel, from `since` on."""
        table = schema.outbox
        query = select(table.c.delivered_at).where(
            table.c.patient_id == patient_id, table.c.state == "delivered", table.c.delivered_at >= since
        )
        with self.engine.connect() as conn:
            return [from_epoch(at) for at in conn.execute(query).scalars()]

    def due_messages(self, now: int, limit: int) -> list[str]:
        """Ids of messages to deliver now: queued ones whose time has come, and ones left
        `sending` past their lease (the worker that took them stopped)."""
        table = schema.outbox
        query = select(table.c.id).where(_due(now)).order_by(table.c.next_attempt_at, table.c.id).limit(limit)
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def take_message(self, message_id: str, now: int, lease_until: int) -> bool:
        """Marks a due message `sending` for one worker; False when another took it first."""
        table = schema.outbox
        with self.engine.begin() as conn:
            taken = conn.execute(
                table.update()
                .where(table.c.id == message_id, _due(now))
                .values(state="sending", lease_until=lease_until, updated_at=now)
            ).rowcount
        return taken == 1

    def change_message(self, statements: Sequence[Executable], audit: Sequence[dict] = ()) -> None:
        """Runs `statements` (a message's update and what goes with it) and writes `audit`, in
        one transaction."""
        with self.engine.begin() as conn:
            for statement in statements:
                conn.execute(statement)
            self.write_audit(conn, audit)

    def update_message(self, message_id: str, values: dict, audit: Sequence[dict] = ()) -> None:
        with self.engine.begin() as conn:
            conn.execute(message_update(message_id, values))
            self.write_audit(conn, audit)

    def draft_statuses(self, as_of: str | None = None) -> dict[str, int]:
        table = schema.drafts
        query = select(table.c.status, func.count()).group_by(table.c.status)
        if as_of is not None:
            query = query.where(table.c.as_of == as_of)
        with self.engine.connect() as conn:
            return {status: n for status, n in conn.execute(query)}

    # Users, tokens and the audit log ----------------------------------------------------------

    def add_user(self, row: dict) -> bool:
        """Adds a user; False when the id is taken."""
        with self.engine.begin() as conn:
            if conn.execute(select(schema.users.c.id).where(schema.users.c.id == row["id"])).first():
                return False
            conn.execute(schema.users.insert(), [row])
        return True

    def user(self, user_id: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(select(schema.users).where(schema.users.c.id == user_id)).first()

    def users(self) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(schema.users).order_by(schema.users.c.id)))

    def set_user(self, user_id: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(schema.users.update().where(schema.users.c.id == user_id).values(**values))

    def save_token(self, row: dict, replace_kind: bool = False) -> None:
        """Stores a token digest; `replace_kind` first revokes the user's tokens of that kind."""
        tokens = schema.tokens
        with self.engine.begin() as conn:
            if replace_kind:
                conn.execute(
                    tokens.delete().where(tokens.c.user_id == row["user_id"], tokens.c.kind == row["kind"])
                )
            conn.execute(tokens.insert(), [row])

    def token_user(self, digest: str, now: int) -> Any:
        """The active user a live token belongs to (with the token's `last_used_at`), or None."""
        tokens, users = schema.tokens, schema.users
        with self.engine.connect() as conn:
            return conn.execute(
                select(users, tokens.c.last_used_at)
                .join(tokens, tokens.c.user_id == users.c.id)
                .where(
                    tokens.c.digest == digest,
                    users.c.active.is_(True),
                    or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > now),
                )
            ).first()

    def token_used(self, digest: str, now: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                schema.tokens.update().where(schema.tokens.c.digest == digest).values(last_used_at=now)
            )

    def tokens(self, user_id: str) -> list[Any]:
        """A user's tokens (never their digests), oldest first."""
        t = schema.tokens
        query = select(t.c.kind, t.c.created_at, t.c.expires_at, t.c.last_used_at).where(
            t.c.user_id == user_id
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query.order_by(t.c.created_at, t.c.kind)))

    def revoke_token(self, digest: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(schema.tokens.delete().where(schema.tokens.c.digest == digest))

    def revoke_tokens(self, user_id: str, kind: str | None = None, keep: str | None = None) -> None:
        """Revokes a user's tokens: all, or those of one `kind`, but for the one digest `keep`."""
        tokens = schema.tokens
        query = tokens.delete().where(tokens.c.user_id == user_id)
        if kind is not None:
            query = query.where(tokens.c.kind == kind)
        if keep is not None:
            query = query.where(tokens.c.digest != keep)
        with self.engine.begin() as conn:
            conn.execute(query)

    def login_lock(self, keys: Sequence[str], now: int) -> int | None:
        """When the last lockout still running on any of `keys` ends, or None."""
        table = schema.login_failures
        query = select(func.max(table.c.locked_until)).where(
            table.c.key.in_(keys), table.c.locked_until > now
        )
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def count_login_failure(
        self, limits: dict[str, int], now: int, forget_before: int, lock_until: int
    ) -> None:
        """Counts one failed login against each key of `limits`, in one transaction, so every
        server process sees the same counts. Counts begun before `forget_before` start again;
        a key that reaches its limit is locked until `lock_until` and its count starts over."""
        table = schema.login_failures
        insert = self._insert(table).values(
            [{"key": key, "failures": 1, "since": now, "locked_until": None} for key in limits]
        )
        with self.engine.begin() as conn:
            conn.execute(
                table.delete().where(
                    table.c.since < forget_before,
                    or_(table.c.locked_until.is_(None), table.c.locked_until <= now),
                )
            )
            conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[table.c.key], set_={"failures": table.c.failures + 1}
                )
            )
            for key, limit in limits.items():
                conn.execute(
                    table.update()
                    .where(table.c.key == key, table.c.failures >= limit)
                    .values(failures=0, since=now, locked_until=lock_until)
                )

    def clear_login_failures(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(schema.login_failures.delete().where(schema.login_failures.c.key == key))

    def append_audit(self, rows: Sequence[dict]) -> None:
        if not rows:
            return
        with self.engine.begin() as conn:
            self.write_audit(conn, rows)

    def write_audit(self, connection: Connection, rows: Sequence[dict]) -> None:
        """The one way into the audit log, inside the caller's transaction: each entry gets the
        next id and its seal over the one before (`domain.audit`), and the head moves on. The
        head is read under a lock that holds other writers off until this transaction ends, so
        two writers never chain onto the same entry."""
        if not rows:
            return
        entries, last_hash = self._audit_head(connection)
        sealed = []
        for row in rows:
            entries, prev_hash = entries + 1, last_hash
            last_hash = seal(entries, row, prev_hash)
            sealed.append({**row, "id": entries, "prev_hash": prev_hash, "hash": last_hash})
        connection.execute(schema.audit.insert(), sealed)
        head = schema.audit_head
        connection.execute(head.update().where(head.c.id == 1).values(entries=entries, last_hash=last_hash))

    @staticmethod
    def _audit_head(connection: Connection) -> tuple[int, str]:
        """Where the chain goes on, once this transaction holds the log's write lock: from the
        head, or from the last entry when one was written past it (or the head went missing),
        so the log takes new entries whatever was done to it; `audit verify` tells what was."""
        head, audit = schema.audit_head, schema.audit
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK)))
        else:  # a write first: SQLite takes the database's write lock at the first write
            connection.execute(head.update().where(head.c.id == 1).values(entries=head.c.entries))
        found = connection.execute(select(head.c.entries, head.c.last_hash).where(head.c.id == 1)).first()
        newest = select(audit.c.id, audit.c.hash).order_by(audit.c.id.desc()).limit(1)
        last = connection.execute(newest).first()
        entries, last_hash = (found.entries, found.last_hash) if found else (0, GENESIS)
        if last is not None and last.id > entries:
            entries, last_hash = last.id, last.hash
        if found is None:
            connection.execute(head.insert().values(id=1, entries=entries, last_hash=last_hash))
        return entries, last_hash

    @contextmanager
    def audit_chain(self) -> Iterator[tuple[Head | None, Iterator[Any]]]:
        """The head, then every entry in id order, read as they come (the log can be long).
        A missing table reads as no head, or as no entries."""
        head, audit = schema.audit_head, schema.audit
        with self.engine.connect() as conn:
            tables = inspect(conn)
            found = None
            if tables.has_table(head.name):
                found = conn.execute(select(head.c.entries, head.c.last_hash).where(head.c.id == 1)).first()
            rows: Iterator[Any] = iter(())
            if tables.has_table(audit.name):
                # Every column there is: a table made again by hand may lack some.
                everything = text(f"SELECT * FROM {audit.name} ORDER BY id")
                rows = (r._mapping for r in conn.execution_options(yield_per=1000).execute(everything))
            yield (Head(found.entries, found.last_hash) if found else None), rows

    def audit(
        self,
        draft_id: str | None = None,
        patient_id: str | None = None,
        actor: str | None = None,
        limit: int | None = None,
    ) -> list[Any]:
        """Audit entries, oldest first (the last `limit` when given)."""
        table = schema.audit
        query = select(table).order_by(table.c.id.desc())
        for column, value in (("draft_id", draft_id), ("patient_id", patient_id), ("actor", actor)):
            if value is not None:
                query = query.where(table.c[column] == value)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return list(reversed(conn.execute(query).fetchall()))

    # Embedding cache -------------------------------------------------------------------------

    def embeddings(self, keys: Iterable[str], model: str) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        table = schema.embeddings
        with self.engine.connect() as conn:
            for part in _parts(keys):
                for row in conn.execute(
                    select(table.c.key, table.c.vector).where(table.c.key.in_(part), table.c.model == model)
                ):
                    found[row.key] = row.vector
        return found

    def save_embeddings(self, vectors: dict[str, bytes], model: str) -> None:
        rows = [{"key": k, "model": model, "vector": v} for k, v in vectors.items()]
        with self.engine.begin() as conn:
            self.upsert(conn, schema.embeddings, rows)
