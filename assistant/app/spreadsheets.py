"""A booking system's export (CSV, XLSX) into the practice, through the same importer as a JSON
Lines file: the export's rows become contract records, the importer gives idempotence, the
consent ledger and the audit, and its line numbers are named back as the export's rows.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from assistant.app.importer import ImportReport
from assistant.errors import InputError
from assistant.exports import mapping as mappings
from assistant.exports.mapping import Mapping
from assistant.exports.rows import Conversion, RowRejection
from assistant.exports.services import Suggestion
from assistant.exports.sheets import SUFFIXES

SAMPLES = 10
UNSAFE_NAME = re.compile(r"[^\w .()-]+")


@dataclass
class SheetImport:
    """What an export did (or, in a dry run, would do) to the practice."""

    file: str
    mapping: Mapping
    columns: dict[str, list[str]]
    """By field: the file's headers that fill it."""
    missing_columns: list[str]
    conversion: Conversion
    suggestions: list[Suggestion] = field(default_factory=list)
    """For each service name on no menu entry."""
    report: ImportReport | None = None
    """None in a dry run: nothing was written."""
    would_add: Counter = field(default_factory=Counter)
    would_update: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    """A dry run's counts, by table."""
    rejections: list[RowRejection] = field(default_factory=list)
    """The conversion's and the importer's, by row."""

    @property
    def dry_run(self) -> bool:
        return self.report is None

    @property
    def rows(self) -> int:
        return len(set(self.conversion.origins)) + len(self.conversion.rejections)

    def samples(self) -> list[dict]:
        return self.conversion.records[:SAMPLES]

    def as_dict(self) -> dict:
        conversion = self.conversion
        found = {
            "file": self.file,
            "mapping": self.mapping.name,
            "dry_run": self.dry_run,
            "columns": self.columns,
            "missing_columns": self.missing_columns,
            "records": len(conversion.records),
            "rejected": len(self.rejections),
            "rejections": [{"row": r.row, "column": r.column, "reason": r.reason} for r in self.rejections],
            "merged": [{"row": row, "into_row": into} for row, into in conversion.merged],
            "skipped": dict(conversion.skipped),
            "unmatched_services": dict(conversion.unmatched_services.most_common()),
            "service_matches": [
                {
                    "name": name,
                    "service_id": m.service_id,
                    "how": m.how,
                    "confidence": m.confidence,
                    "rows": rows,
                }
                for name, (m, rows) in conversion.matched_services.items()
            ],
            "suggested_services": [
                {
                    "name": s.name,
                    "rows": s.rows,
                    "closest": None
                    if s.closest is None
                    else {"service_id": s.closest.service_id, "confidence": s.closest.confidence},
                    "entry": s.entry,
                    "note": s.note,
                }
                for s in self.suggestions
            ],
            "notes": [{"row": r.row, "column": r.column, "reason": r.reason} for r in conversion.notes],
            "consent_on_file": len(conversion.consent_on_file),
        }
        if self.report is None:
            found |= {
                "would_add": dict(self.would_add),
                "would_update": dict(self.would_update),
                "unchanged": dict(self.unchanged),
                "samples": self.samples(),
            }
        else:
            report = self.report.as_dict()
            found |= {k: report[k] for k in ("added", "updated", "unchanged", "changed")}
        return found


def chosen_mapping(
    preset: str | None, mapping_file: Path | None, knowledge_dir: Path | None = None
) -> Mapping:
    """The preset or the owner's mapping file: exactly one."""
    if preset is not None and mapping_file is None:
        return mappings.preset(preset, knowledge_dir)
    if mapping_file is not None and preset is None:
        return mappings.load(mapping_file)
    raise InputError(
        "a spreadsheet needs --preset NAME or --mapping MAP.toml, not both "
        f"(presets: {', '.join(mappings.preset_names(knowledge_dir))})"
    )


def mapping_of(preset: str | None, mapping_text: str | None, knowledge_dir: Path | None = None) -> Mapping:
    """`chosen_mapping` for an upload: the preset's name or the owner's mapping as TOML text."""
    if preset is not None and mapping_text is None:
        return mappings.preset(preset, knowledge_dir)
    if mapping_text is not None and preset is None:
        return mappings.parse(mapping_text, "mapping")
    raise InputError(
        "a spreadsheet needs a preset or a mapping (TOML), not both "
        f"(presets: {', '.join(mappings.preset_names(knowledge_dir))})"
    )


def audited(result: SheetImport) -> dict:
    """What an import's audit entry keeps: counts, columns and row numbers, never a patient's
    value or id (a dry run's samples, the merges and the changed patients stay out)."""
    left_out = ("rejections", "notes", "merged", "changed", "samples")
    return {k: v for k, v in result.as_dict().items() if k not in left_out}


def upload_name(filename: str) -> str:
    """An uploaded file's own name, as the summary and the audit name it: no folders, no
    characters a path or a terminal would read, and one of the suffixes `sheets.read` reads."""
    name = UNSAFE_NAME.sub("_", re.split(r"[\\/]", filename or "")[-1]).strip(" .")
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"{name or 'the file'}: not a spreadsheet export (upload a {' or '.join(SUFFIXES)} file)"
        )
    return f"{Path(name).stem.strip()[:100] or 'upload'}{suffix}"


@contextmanager
def uploaded(name: str, data: bytes) -> Iterator[Path]:
    """The upload as a file under its own name in a folder only this process may read
    (the readers want a path), removed with the folder when the import is done."""
    with tempfile.TemporaryDirectory(prefix="crosssell-import-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path


def importer_rejections(report: ImportReport, origins: list[int]) -> list[RowRejection]:
    """The importer's rejected lines as the rows they came from."""
    return [RowRejection(origins[r.line - 1], None, r.message) for r in report.rejected]


def encoded(records: list[dict]) -> list[bytes]:
    return [orjson.dumps(r) for r in records]
