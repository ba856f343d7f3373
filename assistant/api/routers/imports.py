"""A booking system's export (CSV, XLSX) uploaded: `crosssell import FILE --preset NAME` over
HTTP. A dry run unless asked otherwise: an upload from a script or a form should show what it
would do before it does it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile

from assistant.api.deps import Desk, Me
from assistant.api.schemas import SIGNED_IN, SheetImported, errors
from assistant.errors import InputError, TooLarge

router = APIRouter(tags=["imports"], responses=SIGNED_IN)
MAPPING_LIMIT = 256 * 2**10
"""The longest mapping (TOML) read: a real one is a few kilobytes."""


@router.post(
    "/imports",
    response_model=SheetImported,
    responses=errors(413),
)
def import_export(
    user: Me,
    review: Desk,
    file: Annotated[UploadFile, File(description="the export: a .csv or .xlsx file")],
    preset: Annotated[
        str | None,
        Form(description="the export's layout: vagaro-customers, fresha-clients, appointments, sales"),
    ] = None,
    mapping: Annotated[
        UploadFile | str | None,
        File(description="the export's layout as your own mapping (TOML), a file or text; not with a preset"),
    ] = None,
    dry_run: Annotated[
        bool, Form(description="show what would be added, updated and rejected; write nothing")
    ] = True,
    consent: Annotated[
        Literal["on-file"] | None,
        Form(description="on-file: the practice holds marketing consent for the new clients (admins only)"),
    ] = None,
) -> dict:
    """An export through the importer, as `crosssell import` reads it: every bad row named by
    row and column (a 200 with `rejections` while the good rows import), idempotent, audited.
    `dry_run` is true unless sent as false. 413 over `CROSSSELL_MAX_UPLOAD_BYTES`; 422 for no
    preset or mapping (or both), an unknown preset, a file that is not a readable .csv or
    .xlsx export. Runs in the thread pool: reading and matching a large export takes a while."""
    limit = review.practice.settings.max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"the file is over the upload limit of {limit / 2**20:.3g} MiB ({limit} bytes)")
    result = review.import_export(
        user,
        file.filename or "",
        data,
        preset=preset or None,
        mapping_toml=_mapping_text(mapping),
        dry_run=dry_run,
        consent_on_file=consent == "on-file",
    )
    return result.as_dict()


def _mapping_text(mapping: UploadFile | str | None) -> str | None:
    """The mapping's TOML, uploaded as a file or sent as a form field; None when neither."""
    if mapping is None or isinstance(mapping, str):
        return mapping or None
    raw = mapping.file.read(MAPPING_LIMIT + 1)
    if len(raw) > MAPPING_LIMIT:
        raise InputError(f"mapping: over {MAPPING_LIMIT // 2**10} KiB; a mapping is a short TOML file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("mapping: not UTF-8 text (a mapping is a TOML file)") from None
