"""The practice's data: `import`, `scan`, `record`, `menu` and `rules show|set`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer

from assistant.app.audit import scanned
from assistant.app.importer import ImportReport
from assistant.app.practice import Practice, ScanResult
from assistant.app.spreadsheets import SheetImport, audited, chosen_mapping
from assistant.cli import render
from assistant.cli.common import ActorOption, Format, actor, fail, out, parse_day, parse_time, run
from assistant.cli.progress import progress
from assistant.domain.contract import OfferStep
from assistant.domain.moments import Moment
from assistant.errors import InputError
from assistant.exports import sheets
from assistant.exports.mapping import template
from assistant.exports.services import MenuProposal

rules = typer.Typer(help="Show or change the practice's eligibility and timing rules.", no_args_is_help=True)


SPREADSHEETS = (".csv", ".xlsx")


class ConsentSource(StrEnum):
    on_file = "on-file"


def import_(
    file: Annotated[
        Path, typer.Argument(help="JSON Lines file in the practice-data contract, or a .csv/.xlsx export")
    ],
    errors: Annotated[
        Path | None,
        typer.Option(help="write every rejected line or row (number, reason, text) to this JSON Lines file"),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="summary as a table or JSON")] = Format.table,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
    preset: Annotated[
        str | None,
        typer.Option(help="a spreadsheet's layout: vagaro-customers, fresha-clients, appointments, sales"),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="a spreadsheet's layout as your own mapping file (TOML)")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(help="a spreadsheet: show what would be added, updated and rejected; write nothing"),
    ] = False,
    consent: Annotated[
        ConsentSource | None,
        typer.Option(help="on-file: the practice holds marketing consent for the new clients (recorded)"),
    ] = None,
    mapping_template: Annotated[
        Path | None,
        typer.Option(
            help="write a commented mapping for the spreadsheet's header row to this file; import nothing"
        ),
    ] = None,
    who: ActorOption = None,
) -> None:
    """Import services, patients and events, from a JSON Lines file or a booking system's
    spreadsheet export. Idempotent by id; bad lines or rows are reported and skipped while good
    ones import; exit status 1 when any was rejected. Audited."""
    if file.suffix.lower() in SPREADSHEETS:
        _import_sheet(file, errors, fmt, quiet, preset, mapping, dry_run, consent, mapping_template, who)
        return
    if preset or mapping or dry_run or consent or mapping_template:
        fail("--preset, --mapping, --dry-run, --consent and --mapping-template are for .csv and .xlsx files")
    report = run(lambda: _import(file, quiet, actor(who)))
    if errors is not None:
        render.rejections(errors, file, report)
    if fmt is Format.json:
        render.print_json(report.as_dict())
    else:
        render.import_report(report)
    if report.rejected:
        raise typer.Exit(1)


def _import(file: Path, quiet: bool, who: str) -> ImportReport:
    practice = Practice()
    if not file.is_file():
        raise InputError(f"no such file: {file}")
    with progress(f"importing {file.name}", quiet, file.stat().st_size, in_bytes=True) as bar:
        report = practice.import_file(file, bar.advance, actor=who)
    summary = {k: v for k, v in report.as_dict().items() if k not in ("rejections", "rejected_by_reason")}
    practice.audit(who, "import", {"file": str(file), **summary})
    return report


def _import_sheet(
    file: Path,
    errors: Path | None,
    fmt: Format,
    quiet: bool,
    preset: str | None,
    mapping_file: Path | None,
    dry_run: bool,
    consent: ConsentSource | None,
    template_to: Path | None,
    who: str | None,
) -> None:
    if template_to is not None:
        run(lambda: _write_template(file, template_to))
        out.print(
            f"wrote a mapping for {file.name} to {template_to}: "
            f"edit it, then try --mapping {template_to} --dry-run"
        )
        return
    result = run(lambda: _sheet(file, quiet, preset, mapping_file, dry_run, consent, actor(who)))
    if errors is not None:
        render.row_rejections(errors, result)
    if fmt is Format.json:
        render.print_json(result.as_dict())
    else:
        render.sheet_import(result)
    if result.rejections:
        raise typer.Exit(1)


def _write_template(file: Path, target: Path) -> None:
    if target.exists():
        raise InputError(f"{target} exists: name a new file for the mapping")
    try:
        target.write_text(template(sheets.read(file).header), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None


def _sheet(
    file: Path,
    quiet: bool,
    preset: str | None,
    mapping_file: Path | None,
    dry_run: bool,
    consent: ConsentSource | None,
    who: str,
) -> SheetImport:
    practice = Practice()
    chosen = chosen_mapping(preset, mapping_file, practice.settings.knowledge_dir)
    on_file = consent is ConsentSource.on_file
    with progress(f"importing {file.name}", quiet or dry_run, in_bytes=True) as bar:
        result = practice.import_export(
            file, chosen, consent_on_file=on_file, dry_run=dry_run, on_progress=bar.advance, actor=who
        )
    if not dry_run:
        practice.audit(who, "import", audited(result))
    return result


def scan(
    as_of: Annotated[str | None, typer.Option(help="scan as of this date (default today)")] = None,
    limit: Annotated[int | None, typer.Option(help="show only the top N ready patients")] = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="table for people, json for systems")
    ] = Format.table,
    who: ActorOption = None,
) -> None:
    """Who is at a cross-sell moment, what to offer each, why, and the expected value. Audited."""
    if limit is not None and limit < 0:
        fail("--limit must be zero or more")
    result = run(lambda: _scan(as_of, limit, actor(who)))
    if fmt is Format.json:
        render.print_json(result.as_dict())
        return
    render.queue(result)


def _scan(as_of: str | None, limit: int | None, who: str) -> ScanResult:
    practice = Practice()
    result = practice.scan(parse_day(as_of), limit)
    practice.audit(who, "scan", scanned(result))
    return result


def record(
    patient_id: Annotated[str, typer.Argument(help="the patient's id")],
    service_id: Annotated[str, typer.Argument(help="the offered service's id")],
    outcome: Annotated[OfferStep, typer.Argument(help="presented, accepted or declined")],
    moment: Annotated[str | None, typer.Option(help="the moment (needed for presented)")] = None,
    channel: Annotated[str | None, typer.Option(help="email or sms")] = None,
    at: Annotated[str | None, typer.Option(help="when (ISO 8601; default now)")] = None,
    who: ActorOption = None,
) -> None:
    """Record an offer made to a patient, or the patient's answer. Ranking learns from these.
    Audited."""

    def action() -> str:
        when = parse_time(at)
        if outcome == "presented" and moment is None:
            raise InputError(
                "--moment is needed when recording a presented offer "
                f"(one of: {', '.join(m.value for m in Moment)})"
            )
        practice = Practice()
        event_id = practice.record(patient_id, service_id, outcome, moment=moment, channel=channel, at=when)
        detail = {"service": service_id, "outcome": outcome, "event": event_id}
        practice.audit(actor(who), "record", detail, patient_id=patient_id)
        return event_id

    event_id = run(action)
    out.print(f"recorded {outcome} {service_id} for {patient_id} ({event_id})")


menu = typer.Typer(
    help="The practice's menu (the imported one, or the default) with next steps; "
    "`menu suggest` proposes one from an export.",
    invoke_without_command=True,
)


@menu.callback()
def menu_show(context: typer.Context) -> None:
    """The practice's menu (the imported one, or the default) with next steps."""
    if context.invoked_subcommand is None:
        render.menu(run(lambda: list(Practice().menu())))


@menu.command("suggest")
def menu_suggest(
    file: Annotated[Path, typer.Argument(help="an appointments or sales export (.csv or .xlsx)")],
    preset: Annotated[str | None, typer.Option(help="the export's layout: appointments or sales")] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="the export's layout as your own mapping file (TOML)")
    ] = None,
    to: Annotated[
        Path | None,
        typer.Option("--out", help="write the proposed menu here as JSON Lines, for `crosssell import`"),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="a table or JSON")] = Format.table,
    who: ActorOption = None,
) -> None:
    """A menu from the services an export names: your services with the export's names as
    aliases and its median prices, and a new service for each name that matches none. Writes
    nothing to the practice: review the file, then `crosssell import` it. Audited."""
    proposal = run(lambda: _suggest(file, preset, mapping, to, actor(who)))
    if fmt is Format.json:
        render.print_json(render.proposal_json(proposal))
    else:
        render.proposal(proposal, to)


def _suggest(
    file: Path, preset: str | None, mapping_file: Path | None, to: Path | None, who: str
) -> MenuProposal:
    practice = Practice()
    proposal = practice.suggest_menu(
        file, chosen_mapping(preset, mapping_file, practice.settings.knowledge_dir)
    )
    if to is not None:
        _write_menu(proposal, to)
    new = sum(1 for n in proposal.names if n.how == "new")
    practice.audit(who, "menu_suggest", {"file": file.name, "names": len(proposal.names), "new": new})
    return proposal


def _write_menu(proposal: MenuProposal, target: Path) -> None:
    try:
        with target.open("wb") as sink:
            for line in proposal.services:
                sink.write(orjson.dumps(line) + b"\n")
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None


@rules.command("show")
def rules_show() -> None:
    """The rules in force, with what each one means."""
    render.rules(run(lambda: Practice().rules()))


@rules.command("set")
def rules_set(
    name: Annotated[str, typer.Argument(help="rule name, see `crosssell rules show`")],
    value: Annotated[str, typer.Argument(help="new value (JSON for lists)")],
) -> None:
    """Change one rule for this practice."""
    changed = run(lambda: Practice().set_rule(name, value))
    out.print(f"{name} = {getattr(changed, name)}")
