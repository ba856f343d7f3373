"""An export's rows as contract records (plain dicts, exactly as JSON Lines lines would be), or
as rejections naming the row and the column.

What the practice relies on here:
- a spreadsheet never grants marketing consent by default: a new patient gets it only from a
  mapped consent column or from the owner's `consent_on_file`; a stored patient keeps the consent
  stored unless a consent column is mapped (the importer never lifts a withdrawal either);
- a patient line replaces the stored record whole, so a row's fields are laid over the stored
  patient's, and a client list without addresses erases none;
- the same export read again yields the same records with the same ids.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from assistant.exports import values
from assistant.exports.mapping import Mapping, derived_id
from assistant.exports.people import (
    OTHER_CLIENT_IDS,
    Ambiguous,
    Contact,
    People,
    name_key,
    normal_email,
    normal_phone,
)
from assistant.exports.services import ServiceMatch, ServiceNames, Tally, key
from assistant.exports.sheets import Row, Sheet
from assistant.exports.values import Unreadable


@dataclass(frozen=True, slots=True)
class RowRejection:
    row: int
    column: str | None
    """The header as the file writes it; None when no one column is at fault."""
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.reason}"


class Rejected(Exception):
    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Options:
    now: datetime
    """When the owner imports (the practice's clock): the time of the opt-outs the export flags."""
    region: str = "US"
    time_zone: str = "UTC"
    consent_on_file: bool = False
    max_price: float = math.inf
    """The importer's ceiling on an amount (`Settings.max_price`): a row above it is rejected
    here, naming its column, before it adds its client."""


@dataclass
class Conversion:
    records: list[dict] = field(default_factory=list)
    origins: list[int] = field(default_factory=list)
    """Per record: the row it came from (to name importer rejections by row)."""
    rejections: list[RowRejection] = field(default_factory=list)
    merged: list[tuple[int, int]] = field(default_factory=list)
    """(row, earlier row): the same person twice in the file, merged into the earlier row's."""
    skipped: Counter = field(default_factory=Counter)
    """Rows left out on purpose, by reason (a status the mapping says to skip)."""
    unmatched_services: Counter = field(default_factory=Counter)
    """Service names on no menu entry, with their row counts."""
    matched_services: dict[str, tuple[ServiceMatch, int]] = field(default_factory=dict)
    """Names matched by an alias or by meaning (not by the menu's own name), with their rows."""
    tallies: dict[str, Tally] = field(default_factory=dict)
    """Every service name the export writes (by its normal form): rows, paid, categories."""
    notes: list[RowRejection] = field(default_factory=list)
    """Cells left out of a row that still imported (an unreadable phone or date of birth), and
    the columns where a merged duplicate row differs from the earlier row kept."""
    consent_on_file: list[str] = field(default_factory=list)
    """New patients given marketing consent on the owner's word."""

    def add(self, record: dict, row: int) -> None:
        self.records.append(record)
        self.origins.append(row)


def convert(
    sheet: Sheet,
    mapping: Mapping,
    stored: list[dict],
    services: ServiceNames,
    options: Options,
) -> Conversion:
    """`stored`: the stored patients as contract dicts (with their extra fields)."""
    reading = _Reading(mapping, {p["id"]: p for p in stored}, services, options)
    for row in sheet:
        try:
            reading.row(row)
        except Rejected as exc:
            reading.result.rejections.append(RowRejection(row.number, exc.column, exc.reason))
    return reading.finished()


class _Reading:
    def __init__(
        self, mapping: Mapping, stored: dict[str, dict], services: ServiceNames, options: Options
    ) -> None:
        self.mapping = mapping
        self.stored = stored
        self.services = services
        self.options = options
        self.people = People.of(list(stored.values()), options.region)
        self.patients: dict[str, dict] = {}
        """The patient lines this file writes, by id (a merged duplicate updates its line)."""
        self.patient_rows: dict[str, int] = {}
        self.events: list[tuple[dict, int]] = []
        self.result = Conversion()
        self.zone = ZoneInfo(options.time_zone)

    def finished(self) -> Conversion:
        for pid, record in self.patients.items():
            self.result.add(record, self.patient_rows[pid])
        for record, row in self.events:
            self.result.add(record, row)
        return self.result

    # Reading cells --------------------------------------------------------------------------

    def text(self, row: Row, name: str) -> tuple[str | None, str]:
        header, cell = self.mapping.cell(row, name)
        return header, values.text(cell)

    def read(self, row: Row, name: str, reader: Callable[[Any], Any]) -> Any:
        header, cell = self.mapping.cell(row, name)
        try:
            return reader(cell)
        except Unreadable as exc:
            raise Rejected(header, str(exc)) from None

    def day(self, row: Row, name: str) -> date | None:
        return self.read(row, name, lambda c: values.day(c, self.mapping.values.date_formats))

    def amount(self, row: Row, name: str) -> float | None:
        return self.read(row, name, lambda c: values.amount(c, self.mapping.values.decimal_comma))

    # Who the row is -------------------------------------------------------------------------

    def contact(self, row: Row) -> Contact:
        _, client_id = self.text(row, "client_id")
        email_header, email = self.text(row, "email")
        phone_header, phone = self.text(row, "phone")
        normal = normal_email(email) if email else None
        if email and normal is None:
            self.result.notes.append(RowRejection(row.number, email_header, "not an email address; left out"))
        e164 = normal_phone(phone, self.options.region) if phone else None
        if phone and e164 is None:
            self.result.notes.append(
                RowRejection(
                    row.number, phone_header, f"not a phone number (in {self.options.region}); left out"
                )
            )
        return Contact(client_id or None, normal, e164)

    def names(self, row: Row) -> tuple[str, str]:
        _, first = self.text(row, "first_name")
        _, last = self.text(row, "last_name")
        if first or last:
            return first, last
        _, whole = self.text(row, "name")
        if "," in whole:  # "Ruiz, Ana"
            last, _, first = whole.partition(",")
            return first.strip(), last.strip()
        first, _, last = whole.partition(" ")
        return first.strip(), last.strip()

    def patient_of(self, row: Row) -> str:
        """The patient id the row is about, writing or merging the patient line it implies."""
        first, last = self.names(row)
        contact = replace(self.contact(row), name=name_key(first, last))
        if contact.empty and not contact.name:
            raise Rejected(None, "no client id, email, phone or name to tell who this is")
        try:
            found = self.people.find(contact)
        except Ambiguous as exc:
            raise Rejected(None, f"matches {len(exc.ids)} different patients: {', '.join(exc.ids)}") from None
        patient_id = found.patient_id or contact.client_id or self.new_id(contact, first, last)
        if self.mapping.kind == "patients" or not (found.patient_id or patient_id in self.patients):
            self.write_patient(row, patient_id, contact, first, last)
        if found.first_row is not None and self.mapping.kind == "patients":
            self.result.merged.append((row.number, found.first_row))
        self.people.add(patient_id, contact, row.number)
        return patient_id

    def new_id(self, contact: Contact, first: str, last: str) -> str:
        """A new patient's stable id: from the email, else the phone, else the name."""
        identity = contact.email or contact.phone or f"{first} {last}"
        return derived_id(self.mapping.ids.prefix, [identity])

    def write_patient(self, row: Row, patient_id: str, contact: Contact, first: str, last: str) -> None:
        """The patient line the row implies, laid over the stored patient's. A later row of
        the same client list (a duplicate) only fills what the earlier row left blank; a value
        it writes otherwise is noted (row, column, the row kept), never shown."""
        earlier = self.patients.get(patient_id) if self.mapping.kind == "patients" else None
        base = self.patients.get(patient_id) or self.stored.get(patient_id)
        record: dict[str, Any] = dict(base) if base else {"type": "patient", "id": patient_id}
        record["type"] = "patient"
        new = base is None
        if not first and new:
            header = self.mapping.cell(row, "first_name")[0] or self.mapping.cell(row, "name")[0]
            raise Rejected(header, "a new patient needs a first name")
        fields = self.patient_fields(row, contact, first, last)
        if earlier is None:
            record.update({name: value for name, (_, value) in fields.items()})
        else:
            kept = self.patient_rows[patient_id]
            for name, (header, value) in fields.items():
                if name not in record:
                    record[name] = value
                elif record[name] != value:
                    self.result.notes.append(
                        RowRejection(row.number, header, f"differs from row {kept}: row {kept}'s kept")
                    )
        if contact.client_id and contact.client_id != patient_id and self.mapping.kind == "patients":
            # the same client under another id: that id finds this patient from now on
            others = set(record.get(OTHER_CLIENT_IDS, ())) | {contact.client_id}
            record[OTHER_CLIENT_IDS] = sorted(others)
        consent = earlier.get("marketing_consent") if earlier is not None else None
        self.consent(row, record, new)
        if consent is not None and record.get("marketing_consent") is not False:
            record["marketing_consent"] = consent  # the earlier row's, unless this one opts out
        self.patients[patient_id] = record
        self.patient_rows.setdefault(patient_id, row.number)

    def patient_fields(
        self, row: Row, contact: Contact, first: str, last: str
    ) -> dict[str, tuple[str | None, Any]]:
        """What the row says of its patient, by field, with the header it came from."""
        fields: dict[str, tuple[str | None, Any]] = {}
        name_header = self.mapping.cell(row, "name")[0]
        for name, value in (("first_name", first), ("last_name", last)):
            if value:
                fields[name] = (self.mapping.cell(row, name)[0] or name_header, value)
        if contact.email:
            fields["email"] = (self.mapping.cell(row, "email")[0], contact.email)
        if contact.phone:
            fields["phone"] = (self.mapping.cell(row, "phone")[0], contact.phone)
        birth = self.birth_date(row)
        if birth is not None:
            fields["birth_date"] = (self.mapping.cell(row, "birth_date")[0], birth.isoformat())
        for name in ("goals", "flags", "memberships"):
            if name in self.mapping.columns:
                items = self.read(row, name, lambda c: values.listed(c, self.mapping.values.list_separator))
                if items:
                    fields[name] = (self.mapping.cell(row, name)[0], items)
        for name in ("segment", "preferred_channel"):
            header, value = self.text(row, name)
            if value:
                fields[name] = (header, value.lower() if name == "preferred_channel" else value)
        for name in self.mapping.keep:
            header, value = self.text(row, name)
            if value:
                fields[name] = (header, value)
        return fields

    def birth_date(self, row: Row) -> date | None:
        """The date of birth; an unreadable one is left out with a note (as a bad phone is):
        the client still imports."""
        try:
            return self.day(row, "birth_date")
        except Rejected as exc:
            self.result.notes.append(RowRejection(row.number, exc.column, f"{exc.reason}; left out"))
            return None

    def consent(self, row: Row, record: dict, new: bool) -> None:
        """Consent from a mapped column, else the owner's word for new patients, else none for
        new patients and the stored value for stored ones; an opt-out flag always wins."""
        opted_out = "opted_out" in self.mapping.columns and self.read(row, "opted_out", values.flag)
        if "marketing_consent" in self.mapping.columns:
            record["marketing_consent"] = bool(self.read(row, "marketing_consent", values.flag))
        elif new:
            record["marketing_consent"] = self.options.consent_on_file
            if self.options.consent_on_file and not opted_out:
                self.result.consent_on_file.append(record["id"])
        if opted_out:
            record["marketing_consent"] = False
            self.opt_out(row, record["id"])

    def opt_out(self, row: Row, patient_id: str) -> None:
        when = self.options.now
        header = self.mapping.cell(row, "opted_out")[0] or "opted_out"
        event = {
            "type": "event",
            "id": f"{patient_id}-opted-out-{self.mapping.ids.prefix}",
            "patient_id": patient_id,
            "kind": "opted_out",
            "at": when.isoformat(),
            "channel": "all",
            "source": f"{self.mapping.name} export: {header}",
        }
        self.events.append((event, row.number))

    # A row --------------------------------------------------------------------------------

    def row(self, row: Row) -> None:
        if self.mapping.kind == "patients":
            self.patient_of(row)
            return
        event = self.event(row)
        if event is None:
            return
        patient_id = self.patient_of(row)
        event["patient_id"] = patient_id
        self.events.append((event, row.number))

    def event(self, row: Row) -> dict | None:
        """The row's event without its patient (read first: a row it rejects adds nobody)."""
        mapping = self.mapping
        appointment = mapping.kind == "appointments"
        kind = self.kind(row) if appointment else "visit_completed"
        if kind is None:
            return None
        date_header = mapping.cell(row, "date")[0]
        on = self.day(row, "date")
        if on is None:
            raise Rejected(date_header or "date", "no date")
        at_time = self.read(row, "time", lambda c: values.clock_time(c, mapping.values.time_formats))
        at = datetime.combine(on, at_time or time(0, 0), tzinfo=self.zone)
        service_header, service_name = self.text(row, "service" if appointment else "item")
        if not service_name:
            raise Rejected(service_header, "no service")
        shown = self.tally(row, service_name, kind).name  # one spelling for every case and spacing
        match = self.services.match(service_name)
        if match is None:
            self.result.unmatched_services[shown] += 1
            raise Rejected(service_header, f"service {service_name!r} is not on the menu")
        if match.how != "name":
            earlier = self.result.matched_services.get(shown)
            self.result.matched_services[shown] = (match, earlier[1] + 1 if earlier else 1)
        _, given_id = self.text(row, "id")
        event: dict[str, Any] = {
            "type": "event",
            "id": given_id or mapping.row_id(row),
            "kind": kind,
            "at": at.isoformat(),
            "service_id": match.service_id,
        }
        self.event_details(row, event, kind)
        return event

    def tally(self, row: Row, service_name: str, kind: str) -> Tally:
        """What the row says of its service, for a suggested menu entry: the price of a visit
        or a booking (never of a cancellation), and the sales export's category."""
        tally = self.result.tallies.setdefault(key(service_name), Tally(" ".join(service_name.split())))
        paid = None
        if kind != "appointment_cancelled":
            try:
                paid = self.paid(row)
            except Rejected:
                paid = None  # the event itself names the unreadable amount
        tally.add(paid, self.text(row, "category")[1])
        return tally

    def kind(self, row: Row) -> str | None:
        header, word = self.text(row, "status")
        if header is None:
            return "appointment_booked"
        outcome = self.mapping.status.get(" ".join(word.split()).casefold())
        if outcome is None:
            known = ", ".join(sorted(self.mapping.status))
            raise Rejected(header, f"a status the mapping does not know (it knows: {known})")
        if outcome == "skip":
            self.result.skipped[f"status {word.casefold()}"] += 1
            return None
        return outcome

    def event_details(self, row: Row, event: dict, kind: str) -> None:
        _, staff = self.text(row, "staff")
        _, notes = self.text(row, "notes")
        if kind == "appointment_booked":
            event["scheduled_for"] = event["at"]
        elif kind == "appointment_cancelled":
            event["reason"] = self.cancel_reason(row, notes)
        else:
            paid = self.paid(row)
            if paid is not None:
                event["amount"] = paid
            if staff:
                event["provider"] = staff
            if notes:
                event["note"] = notes
        if self.mapping.kind == "sales":
            _, category = self.text(row, "category")
            if category:
                event["category"] = category
        for name in self.mapping.keep:
            _, value = self.text(row, name)
            if value:
                event[name] = value

    def cancel_reason(self, row: Row, notes: str) -> str:
        """The status word and the row's notes: booking systems write why a client cancelled in
        the notes ("had a rash after the filler"), and the scan holds offers back on that reason."""
        _, word = self.text(row, "status")
        return f"{word}: {notes}" if word and notes else word or notes

    def paid(self, row: Row) -> float | None:
        """The row's total, else its price times its quantity. A negative amount (a refund
        line) is no visit, and one above the importer's ceiling would be refused by it: either
        row is rejected here, before it adds a patient."""
        total = self.amount(row, "total")
        if total is not None:
            return self.in_range(row, "total", total)
        price = self.amount(row, "price")
        if price is None:
            return None
        quantity = self.read(row, "quantity", values.number)
        return self.in_range(row, "price", round(price * (quantity if quantity is not None else 1), 2))

    def in_range(self, row: Row, name: str, paid: float) -> float:
        if paid < 0:
            raise Rejected(self.mapping.cell(row, name)[0], "a negative amount (a refund) is not a visit")
        if paid > self.options.max_price:
            raise Rejected(
                self.mapping.cell(row, name)[0],
                f"an amount above the import's limit of {self.options.max_price:g} (max_price)",
            )
        return paid
