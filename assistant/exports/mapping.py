"""What a booking system's columns mean, as a TOML data file: one per preset in
`knowledge/imports/`, or the owner's own (`crosssell import --mapping-template` writes one).

A mapping names, for each contract field, the header (or the alternatives, first non-blank
wins) that holds it; how its dates, amounts and lists are written; which status words mean
which appointment event; and which columns identify a row when the export has no ids, so that
importing the same export again derives the same ids and changes nothing.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.errors import ConfigurationError, InputError
from assistant.exports.sheets import Cell, Row
from assistant.exports.values import ISO, text

Kind = Literal["patients", "appointments", "sales"]
Outcome = Literal["appointment_booked", "visit_completed", "appointment_cancelled", "skip"]
PRESETS = "imports"
"""The presets' folder in the bundled knowledge."""

PERSON_FIELDS = ("client_id", "name", "first_name", "last_name", "email", "phone")
FIELDS: dict[str, tuple[str, ...]] = {
    "patients": (
        *PERSON_FIELDS,
        "birth_date",
        "preferred_channel",
        "marketing_consent",
        "opted_out",
        "goals",
        "flags",
        "memberships",
        "segment",
    ),
    "appointments": (*PERSON_FIELDS, "id", "date", "time", "service", "staff", "status", "price", "notes"),
    "sales": (*PERSON_FIELDS, "id", "date", "item", "category", "quantity", "price", "total", "staff"),
}
"""The fields a row of each kind of export can fill. `name` is a whole name to be split;
`opted_out` is an unsubscribed or blocked flag."""


@lru_cache(maxsize=4096)
def header_key(header: str) -> str:
    """Headers match whatever their case and spacing: `Client  name` is `client name`."""
    return re.sub(r"\s+", " ", header).strip().casefold()


def headers_of(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


class Values(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date_formats: list[str] = Field(default_factory=lambda: ["%m/%d/%Y", ISO])
    time_formats: list[str] = Field(default_factory=lambda: ["%I:%M %p", "%I:%M%p", "%H:%M", ISO])
    decimal_comma: bool = False
    list_separator: str = ","


class Ids(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prefix: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    row: list[str] = Field(default_factory=list)
    """The headers whose values identify a row (an appointment, a sale) when the export gives
    it no id; empty for a client list."""


class Mapping(BaseModel):
    """One export layout. Validated when loaded: a wrong field or status is the mapping
    author's mistake, reported before any row is read."""

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: Kind
    description: str = ""
    columns: dict[str, str | list[str]]
    keep: dict[str, str | list[str]] = Field(default_factory=dict)
    """Columns kept as extra fields of the patient or event (the contract keeps unknown fields)."""
    values: Values = Field(default_factory=Values)
    status: dict[str, Outcome] = Field(default_factory=dict)
    ids: Ids

    @field_validator("status")
    @classmethod
    def _status_words(cls, status: dict[str, Outcome]) -> dict[str, Outcome]:
        return {header_key(word): outcome for word, outcome in status.items()}

    @model_validator(mode="after")
    def _fields_exist(self) -> Mapping:
        allowed = FIELDS[self.kind]
        unknown = sorted(set(self.columns) - set(allowed))
        if unknown:
            raise ValueError(
                f"unknown field(s) {', '.join(unknown)} for {self.kind}: use {', '.join(allowed)}"
            )
        clash = sorted(set(self.keep) & set(allowed))
        if clash:
            raise ValueError(f"[keep] names field(s) {', '.join(clash)}: map those under [columns]")
        persons = {"client_id", "email", "phone", "name", "first_name"}
        if not persons & set(self.columns):
            raise ValueError("no column tells who a row is: map client_id, email, phone or a name")
        if self.kind != "patients" and (
            "date" not in self.columns or _service_field(self) not in self.columns
        ):
            raise ValueError(f"an {self.kind} mapping needs a date and a {_service_field(self)} column")
        if self.kind == "appointments" and "status" in self.columns and not self.status:
            raise ValueError("a status column needs a [status] table of words")
        return self

    # Reading a row --------------------------------------------------------------------------

    def missing_headers(self, header: Sequence[str]) -> list[str]:
        """The mapped fields none of whose headers is in the file: said once, before the rows."""
        present = {header_key(h) for h in header}
        return [
            field
            for field, value in self.columns.items()
            if not any(header_key(h) in present for h in headers_of(value))
        ]

    def used_columns(self, header: Sequence[str]) -> dict[str, list[str]]:
        """By field: the file's headers that fill it, as they are written in the file."""
        by_key = {header_key(h): h for h in header}
        return {
            field: [by_key[header_key(h)] for h in headers_of(value) if header_key(h) in by_key]
            for field, value in {**self.columns, **self.keep}.items()
        }

    def cell(self, row: Row, field: str) -> tuple[str | None, Cell]:
        """The first non-blank cell among the field's headers, with the header it came from
        (for messages); (None, "") when the row has none."""
        value = self.columns.get(field, self.keep.get(field))
        if value is None:
            return None, ""
        by_key = _headers_by_key(tuple(row.cells))
        first: tuple[str | None, Cell] = (None, "")
        for header in headers_of(value):
            written = by_key.get(header_key(header))
            if written is None:
                continue
            found = (written, row.cells[written])
            if first[0] is None:
                first = found
            if text(found[1]):
                return found
        return first

    def row_id(self, row: Row) -> str:
        """A stable id from the identifying columns' normalised values: the same row in the
        same export, read again, gets the same id."""
        return derived_id(self.ids.prefix, (self._identity_cell(row, h) for h in self.ids.row))

    def _identity_cell(self, row: Row, header: str) -> str:
        for h, c in row.cells.items():
            if header_key(h) == header_key(header):
                return text(c)
        return ""


@lru_cache(maxsize=64)
def _headers_by_key(headers: tuple[str, ...]) -> dict[str, str]:
    """A sheet's headers by their key (the last of a key wins), worked out once a sheet: every
    row of a sheet has the same headers. Read only: the dict is shared."""
    return {header_key(h): h for h in headers}


def _service_field(mapping: Mapping) -> str:
    return "item" if mapping.kind == "sales" else "service"


def derived_id(prefix: str, parts: Iterable[str]) -> str:
    normalised = "\x1f".join(re.sub(r"\s+", " ", p).strip().casefold() for p in parts)
    return f"{prefix}-{hashlib.sha256(normalised.encode()).hexdigest()[:16]}"


# Loading --------------------------------------------------------------------------------------


def parse(data: str, source: str) -> Mapping:
    """A mapping from its TOML text; `source` names it in messages."""
    try:
        raw = tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML ({exc})") from None
    try:
        return Mapping.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'mapping'}: {e['msg']}" for e in exc.errors()
        )
        raise InputError(f"{source}: {problems}") from None


def load(path: Path) -> Mapping:
    if not path.is_file():
        raise InputError(f"no such mapping: {path}")
    try:
        return parse(path.read_text(encoding="utf-8"), path.name)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None


def presets_folder(knowledge_dir: Path | None = None) -> Traversable:
    """The practice's knowledge folder's presets (`CROSSSELL_KNOWLEDGE_DIR`) when it has
    any, else the bundled ones."""
    if knowledge_dir is not None and (knowledge_dir / PRESETS).is_dir():
        return knowledge_dir / PRESETS
    return resources.files("assistant.knowledge").joinpath(PRESETS)


def preset_names(knowledge_dir: Path | None = None) -> list[str]:
    folder = presets_folder(knowledge_dir)
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def preset(name: str, knowledge_dir: Path | None = None) -> Mapping:
    """A preset by name. A broken preset file is a configuration error, not the owner's input."""
    names = preset_names(knowledge_dir)
    if name not in names:
        raise InputError(f"unknown preset {name!r}: use one of {', '.join(names)}")
    data = presets_folder(knowledge_dir).joinpath(f"{name}.toml").read_text("utf-8")
    try:
        return parse(data, f"preset {name}")
    except InputError as exc:
        raise ConfigurationError(str(exc)) from None


# The template ---------------------------------------------------------------------------------


def template(header: Sequence[str], kind: Kind | None = None) -> str:
    """A commented mapping for an export no preset knows: each header guessed to the field the
    presets map it to (or left commented out), ready for the owner to correct."""
    guesses = _known_headers()
    kind = kind or _kind_of({guesses.get(header_key(h)) for h in header})
    lines = [
        "# A mapping for crosssell import --mapping FILE. Edit, then try it with --dry-run.",
        "# kind: patients (a client list), appointments or sales.",
        'name = "my-export"',
        f'kind = "{kind}"',
        "",
        "[columns]",
        '# field = "Header" (or ["Header", "Other Header"]: the first non-blank one is used).',
        f"# Fields for {kind}: {', '.join(FIELDS[kind])}",
    ]
    unmapped: list[str] = []
    used: set[str] = set()
    for h in header:
        field = guesses.get(header_key(h))
        if field is not None and field in FIELDS[kind] and field not in used:
            used.add(field)
            lines.append(f"{field} = {_toml_string(h)}")
        elif h:
            unmapped.append(h)
    lines += ["", "[keep]", '# Columns kept with the record as extra fields, e.g. city = "City".']
    lines += [f"# {_field_name(h)} = {_toml_string(h)}" for h in unmapped]
    lines += [
        "",
        "[values]",
        'date_formats = ["%m/%d/%Y", "iso"]  # e.g. "%d.%m.%Y" for 24.11.2026',
        'time_formats = ["%I:%M %p", "%H:%M"]',
        "decimal_comma = false  # true when amounts read 1.234,00",
        'list_separator = ","',
        "",
        "[status]",
        "# An appointment's status word: appointment_booked, visit_completed, appointment_cancelled or skip.",
        'booked = "appointment_booked"',
        'confirmed = "appointment_booked"',
        'completed = "visit_completed"',
        '"checked out" = "visit_completed"',
        'cancelled = "appointment_cancelled"',
        '"no-show" = "appointment_cancelled"',
        'rescheduled = "skip"',
        'moved = "skip"',
        "",
        "[ids]",
        'prefix = "my-export"',
        "# The headers that identify a row when the export has no ids (re-importing then changes nothing).",
        f"row = [{', '.join(_toml_string(h) for h in header if guesses.get(header_key(h)) in _ROW_FIELDS)}]",
        "",
    ]
    return "\n".join(lines)


def _kind_of(fields: set[str | None]) -> Kind:
    if "item" in fields or "total" in fields:
        return "sales"
    if fields & {"service", "status", "time"}:
        return "appointments"
    return "patients"


_ROW_FIELDS = {"date", "time", "client_id", "name", "email", "phone", "service", "item"}


def _known_headers() -> dict[str, str]:
    """Every header a bundled preset maps, to its field: what the template guesses from."""
    known: dict[str, str] = {}
    for name in preset_names():
        for field, value in preset(name).columns.items():
            for h in headers_of(value):
                known.setdefault(header_key(h), field)
    return known


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _field_name(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.casefold()).strip("_") or "column"
