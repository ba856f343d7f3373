"""The practice's data: `import`, `scan`, `record`, `menu` and `rules show|set`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.app.audit import scanned
from assistant.app.importer import ImportReport
from assistant.app.practice import Practice, ScanResult
from assistant.cli import render
from assistant.cli.common import ActorOption, Format, actor, fail, out, parse_day, parse_time, run
from assistant.cli.progress import progress
from assistant.domain.contract import OfferStep
from assistant.domain.moments import Moment
from assistant.errors import InputError

rules = typer.Typer(help="Show or change the practice's eligibility and timing rules.", no_args_is_help=True)


def import_(
    file: Annotated[Path, typer.Argument(help="JSON Lines file in the practice-data contract")],
    errors: Annotated[
        Path | None,
        typer.Option(help="write every rejected line (number, reason, text) to this JSON Lines file"),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="summary as a table or JSON")] = Format.table,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
    who: ActorOption = None,
) -> None:
    """Import services, patients and events. Idempotent by id; bad lines are reported and
    skipped while good lines import; exit status 1 when any line was rejected. Audited."""
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


def menu() -> None:
    """The practice's menu (the imported one, or the default) with next steps."""
    render.menu(run(lambda: list(Practice().menu())))


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
