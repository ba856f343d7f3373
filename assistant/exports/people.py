"""Who a row is: the export's client id, else the normalised email, else the phone in E.164,
matched against the stored patients and the rows read before it in the same file; a row with
none of those (a sales export names only the client) by the whole name, when one patient has it.

Booking systems write the same person differently in their client list and their appointments
(`(555) 010-0100` and `+1 555 010 0100`; `Ana@X.com ` and `ana@x.com`), so contacts are matched
normalised; a row whose contacts name two different patients is refused, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers

OTHER_CLIENT_IDS = "other_client_ids"
"""A patient's extra field: the export's other client ids for them (a client listed twice, under
two ids, merged into one patient). A row with one of them joins that patient, in the same file,
in the next file and in later imports (the field is stored with the patient)."""


def normal_email(value: str) -> str | None:
    email = value.strip().lower()
    return email if "@" in email else None


@lru_cache(maxsize=65536)
def normal_phone(value: str, region: str) -> str | None:
    """The number in E.164 (`+15550100100`), reading a number without a country code as one in
    the practice's country; None when it is not a possible phone number, or only a local one
    (`555-0142` without its area code: no E.164 number to store or to text)."""
    raw = value.strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True, slots=True)
class Contact:
    """A row's identifying values, normalised."""

    client_id: str | None = None
    email: str | None = None
    phone: str | None = None
    name: str | None = None
    """The whole name, casefolded: matched only when the row has no id, email or phone."""

    @property
    def empty(self) -> bool:
        """No id, email or phone: only a name, if that, tells who the row is."""
        return not (self.client_id or self.email or self.phone)


def name_key(first: str | None, last: str | None) -> str | None:
    key = " ".join(f"{first or ''} {last or ''}".split()).casefold()
    return key or None


@dataclass(frozen=True, slots=True)
class Found:
    patient_id: str | None
    """None: nobody known; the row is a new patient."""
    stored: bool = False
    first_row: int | None = None
    """When the patient came from an earlier row of this file: that row."""


class Ambiguous(Exception):
    """The row's contacts name different patients; `ids` are theirs, sorted."""

    def __init__(self, ids: list[str]) -> None:
        super().__init__(", ".join(ids))
        self.ids = ids


@dataclass
class People:
    """The patients known so far, by id, email and phone: the stored ones, then each new one a
    row of the file adds."""

    by_email: dict[str, str] = field(default_factory=dict)
    by_phone: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, set[str]] = field(default_factory=dict)
    by_client_id: dict[str, str] = field(default_factory=dict)
    """A client id that is not a patient's id but names one (`OTHER_CLIENT_IDS`)."""
    stored_ids: set[str] = field(default_factory=set)
    file_rows: dict[str, int] = field(default_factory=dict)
    """Patients this file added or touched, with the first row that did."""

    @classmethod
    def of(cls, patients: list[dict], region: str) -> People:
        people = cls(stored_ids={p["id"] for p in patients})
        for patient in patients:
            people._index(patient["id"], patient.get("email"), patient.get("phone"), region)
            if name := name_key(patient.get("first_name"), patient.get("last_name")):
                people.by_name.setdefault(name, set()).add(patient["id"])
            others = patient.get(OTHER_CLIENT_IDS)
            for client_id in others if isinstance(others, list) else ():
                if isinstance(client_id, str):
                    people.by_client_id.setdefault(client_id, patient["id"])
        return people

    def _index(self, patient_id: str, email: str | None, phone: str | None, region: str) -> None:
        if email and (normal := normal_email(email)):
            self.by_email.setdefault(normal, patient_id)
        if phone and (e164 := normal_phone(phone, region)):
            self.by_phone.setdefault(e164, patient_id)

    def find(self, contact: Contact) -> Found:
        """The one patient the contact names. Raises `Ambiguous` when its id, email and phone
        name different patients."""
        if contact.empty:
            return self._by_name(contact.name)
        client_id = contact.client_id
        if client_id is not None and client_id not in self.stored_ids and client_id not in self.file_rows:
            client_id = self.by_client_id.get(client_id)
        named = [
            client_id,
            self.by_email.get(contact.email) if contact.email else None,
            self.by_phone.get(contact.phone) if contact.phone else None,
        ]
        ids = sorted({i for i in named if i is not None})
        if len(ids) > 1:
            raise Ambiguous(ids)
        if not ids:
            return Found(None)
        return self._found(ids[0])

    def _by_name(self, name: str | None) -> Found:
        ids = sorted(self.by_name.get(name, ())) if name else []
        if len(ids) > 1:
            raise Ambiguous(ids)
        return self._found(ids[0]) if ids else Found(None)

    def _found(self, patient_id: str) -> Found:
        return Found(patient_id, patient_id in self.stored_ids, self.file_rows.get(patient_id))

    def add(self, patient_id: str, contact: Contact, row: int) -> None:
        """A patient a row added or touched: later rows with the same contacts join it."""
        self.file_rows.setdefault(patient_id, row)
        if contact.client_id and contact.client_id != patient_id:
            self.by_client_id.setdefault(contact.client_id, patient_id)
        if contact.email:
            self.by_email.setdefault(contact.email, patient_id)
        if contact.phone:
            self.by_phone.setdefault(contact.phone, patient_id)
        if contact.name:
            self.by_name.setdefault(contact.name, set()).add(patient_id)
