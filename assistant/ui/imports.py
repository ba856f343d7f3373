"""The owner's Import page: a booking system's export uploaded, its preset picked, a dry run
read, then the import confirmed. The desk does the work (`Review.import_export`), as it does
for the API; the page keeps the dry run's answer only until the file or the choices change.
Every value from the export is shown in tables, as data, never as Markdown."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from assistant.app.accounts import User
from assistant.app.review import Review
from assistant.exports.mapping import preset_names
from assistant.exports.sheets import SUFFIXES
from assistant.ui.desk import attempt, md

CONSENT_LABEL = "The practice holds marketing consent for these clients"
PLAN = "import_plan"
DONE = "import_done"


@dataclass(frozen=True, slots=True)
class Choice:
    """What a dry run was for: the confirmation imports exactly that, or nothing."""

    name: str
    digest: str
    preset: str
    consent: bool


def run_import(desk: Review, user: User, choice: Choice, data: bytes, *, dry_run: bool) -> dict | None:
    """One run through the desk; a refusal is shown in the desk's words and gives None."""
    result = attempt(
        lambda: desk.import_export(
            user, choice.name, data, preset=choice.preset, dry_run=dry_run, consent_on_file=choice.consent
        )
    )
    return None if result is None else result.as_dict()


def import_page(desk: Review, user: User) -> None:
    st.header("Import")
    st.caption(
        "A booking system's export (CSV or XLSX) into the practice. The dry run shows what it "
        "would add, update and reject; nothing is stored until you confirm."
    )
    upload = st.file_uploader(
        "Export file", type=[s.lstrip(".") for s in SUFFIXES], key="import_file", accept_multiple_files=False
    )
    presets = preset_names(desk.practice.settings.knowledge_dir)
    preset = st.selectbox("Preset (the export's layout)", presets, key="import_preset")
    consent = st.checkbox(CONSENT_LABEL, key="import_consent")
    done = st.session_state.pop(DONE, None)
    if done is not None:
        _summary(done)
    if upload is None or preset is None:
        st.info("Choose an export file and its preset, then press Dry run.")
        return
    data = upload.getvalue()
    choice = Choice(upload.name, hashlib.sha256(data).hexdigest(), preset, consent)
    if st.button("Dry run", key="import_dry_run"):
        plan = run_import(desk, user, choice, data, dry_run=True)
        st.session_state[PLAN] = None if plan is None else (choice, plan)
    planned = st.session_state.get(PLAN)
    if planned is None or planned[0] != choice:
        return
    _plan(planned[1])
    if st.button("Confirm import", type="primary", key="import_confirm"):
        result = run_import(desk, user, choice, data, dry_run=False)
        if result is not None:
            st.session_state.pop(PLAN, None)
            st.session_state[DONE] = result
            st.rerun()


def _plan(plan: dict) -> None:
    st.subheader("Dry run")
    st.markdown(f"**{md(plan['file'])}** read with the **{md(plan['mapping'])}** preset: nothing was stored.")
    st.dataframe(_counts(plan, ("would_add", "would_update", "unchanged")), hide_index=True)
    _details(plan)
    if plan["samples"]:
        st.subheader("Sample records, as they would be stored")
        st.dataframe(_rows(plan["samples"]), hide_index=True)


def _summary(result: dict) -> None:
    rows = "1 row" if result["rejected"] == 1 else f"{result['rejected']} rows"
    st.success(
        f"Imported {md(result['file'])}: added {_tally(result['added'])}; "
        f"updated {_tally(result['updated'])}; {rows} rejected."
    )
    st.dataframe(_counts(result, ("added", "updated", "unchanged")), hide_index=True)
    _details(result)


def _tally(by_table: dict[str, int]) -> str:
    """`2 patients, 2 events`, or `nothing`."""
    return ", ".join(f"{n} {table}" for table, n in by_table.items() if n) or "nothing"


def _details(found: dict) -> None:
    """What the dry run and the import both say: the rows refused, the columns used, the
    services the menu does not know."""
    if found["rejections"]:
        st.subheader(f"Rows rejected ({found['rejected']})")
        st.dataframe(_rows(found["rejections"]), hide_index=True)
    if found["consent_on_file"]:
        st.caption(f"{found['consent_on_file']} new clients given marketing consent on file.")
    st.subheader("Column mapping")
    columns = [{"field": k, "columns in the file": ", ".join(v)} for k, v in found["columns"].items() if v]
    st.dataframe(pd.DataFrame(columns), hide_index=True)
    if found["missing_columns"]:
        st.warning(f"Mapped fields with no column in the file: {md(', '.join(found['missing_columns']))}")
    if found["suggested_services"]:
        st.subheader("Services the menu does not know")
        st.dataframe(
            pd.DataFrame([_suggestion(s) for s in found["suggested_services"]]),
            hide_index=True,
        )


def _counts(found: dict, keys: tuple[str, ...]) -> pd.DataFrame:
    tables = sorted({t for k in keys for t in found.get(k, {})})
    return pd.DataFrame(
        [{"table": t, **{k.replace("_", " "): found.get(k, {}).get(t, 0) for k in keys}} for t in tables]
    )


def _rows(records: list[dict]) -> pd.DataFrame:
    """Records as text cells: lists and nested values written out, none read as markup."""
    return pd.DataFrame([{k: "" if v is None else str(v) for k, v in r.items()} for r in records])


def _suggestion(found: dict) -> dict:
    closest = found["closest"] or {}
    return {
        "name in the export": found["name"],
        "rows": found["rows"],
        "nearest service": closest.get("service_id", ""),
        "confidence": closest.get("confidence"),
        "menu line to add": (found["entry"] or {}).get("id", "") or found.get("note", ""),
    }
