"""The `crosssell` command line. Errors of our own map to exit codes here, and only here."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

from assistant.app.importer import ImportReport
from assistant.app.practice import Practice, ScanResult
from assistant.clock import Clock
from assistant.domain.moments import Moment
from assistant.domain.rules import Rules
from assistant.errors import CrosssellError, InputError
from assistant.settings import Settings

app = typer.Typer(rich_markup_mode="markdown",
                  help="crosssell: which patients are ready for an offer this week, what to "
                       "offer them, and why.", no_args_is_help=True, add_completion=False)
rules_app = typer.Typer(help="Show or change the practice's eligibility and timing rules.",
                        no_args_is_help=True)
app.add_typer(rules_app, name="rules")
users_app = typer.Typer(help="Add, list and disable the people who review and send drafts.",
                        no_args_is_help=True)
app.add_typer(users_app, name="users")
eval_app = typer.Typer(help="Prompt evals: score messages, run suites through the real chain, "
                            "compare prompt versions, calibrate the scorers.",
                       no_args_is_help=True)
app.add_typer(eval_app, name="eval")
learn_app = typer.Typer(help="What the practice has learned from accepted and declined offers.",
                        no_args_is_help=True)
app.add_typer(learn_app, name="learn")
# Wide enough for the queue when written to a file or a pipe; a terminal sets its own width.
out = Console(width=None if sys.stdout.isatty() else 150)
err = Console(stderr=True)
SHOWN_REJECTIONS = 50


class Format(StrEnum):
    table = "table"
    json = "json"


class TextOrJson(StrEnum):
    text = "text"
    json = "json"


class Channel(StrEnum):
    email = "email"
    sms = "sms"


class OutcomeKind(StrEnum):
    presented = "presented"
    accepted = "accepted"
    declined = "declined"


def _practice() -> Practice:
    return Practice()


def _parse_day(value: str | None) -> date:
    if value is None:
        settings = Settings()
        return Clock.from_settings(settings.time_zone, settings.clock).today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--as-of must be a date like 2026-11-24, got {value!r}") from None


def _run(action):
    try:
        return action()
    except CrosssellError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(exc.exit_code) from None


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="JSON Lines file in the practice-data contract")],
    errors: Annotated[Path | None, typer.Option(
        help="write every rejected line (number, reason, text) to this JSON Lines file")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="summary as a table or JSON")] =
        Format.table,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Import services, patients and events. Idempotent by id; bad lines are reported and
    skipped while good lines import; exit status 1 when any line was rejected."""

    def action() -> ImportReport:
        practice = _practice()
        if not file.is_file():
            raise InputError(f"no such file: {file}")
        show = not quiet and err.is_terminal
        with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                      TimeRemainingColumn(), console=err, disable=not show) as progress:
            task = progress.add_task(f"importing {file.name}", total=file.stat().st_size)
            return practice.import_file(file, lambda n: progress.advance(task, n))

    report = _run(action)
    if errors is not None:
        _write_rejections(errors, file, report)
    if fmt is Format.json:
        out.print_json(orjson.dumps(report.as_dict()).decode())
    else:
        _print_import(report)
    if report.rejected:
        raise typer.Exit(1)


def _write_rejections(target: Path, source: Path, report: ImportReport) -> None:
    wanted = {r.line: r for r in report.rejected}
    with open(source, "rb") as handle, open(target, "wb") as sink:
        for number, raw in enumerate(handle, 1):
            if number in wanted:
                r = wanted[number]
                sink.write(orjson.dumps({"line": number, "reason": r.category,
                                         "message": r.message,
                                         "text": raw.decode("utf-8", "replace").rstrip("\r\n")}))
                sink.write(b"\n")


def _print_import(report: ImportReport) -> None:
    table = Table(title=f"Imported {report.lines} lines")
    for column in ("records", "added", "updated", "unchanged"):
        table.add_column(column, justify="right" if column != "records" else "left")
    for name in ("services", "patients", "events", "offers", "outcomes"):
        table.add_row(name, str(report.added[name]), str(report.updated[name]),
                      str(report.unchanged[name]))
    out.print(table)
    if not report.rejected:
        return
    out.print(f"[red]{len(report.rejected)} line(s) rejected[/red]: " + ", ".join(
        f"{reason} {count}" for reason, count in report.by_reason.most_common()))
    for rejection in report.rejected[:SHOWN_REJECTIONS]:
        err.print(f"  {rejection}")
    if len(report.rejected) > SHOWN_REJECTIONS:
        err.print(f"  ... and {len(report.rejected) - SHOWN_REJECTIONS} more "
                  "(use --errors FILE to keep them all)")


@app.command()
def scan(
    as_of: Annotated[str | None, typer.Option(help="scan as of this date (default today)")] = None,
    limit: Annotated[int | None, typer.Option(help="show only the top N ready patients")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table for people, json for systems")] =
        Format.table,
) -> None:
    """Who is at a cross-sell moment, what to offer each, why, and the expected value."""
    if limit is not None and limit < 0:
        err.print("[red]error:[/red] --limit must be zero or more")
        raise typer.Exit(2)
    result = _run(lambda: _practice().scan(_parse_day(as_of), limit))
    if fmt is Format.json:
        sys.stdout.write(orjson.dumps(result.as_dict(), option=orjson.OPT_INDENT_2).decode())
        sys.stdout.write("\n")
        return
    _print_scan(result)


def _print_scan(result: ScanResult) -> None:
    table = Table(title=f"Ready this week (as of {result.as_of.isoformat()}): "
                        f"{len(result.ready)} of {result.total_ready} shown",
                  show_lines=True, expand=True)
    table.add_column("#", justify="right")
    table.add_column("patient")
    table.add_column("moment")
    table.add_column("offer")
    table.add_column("why")
    table.add_column("EV", justify="right")
    for n, offer in enumerate(result.ready, 1):
        table.add_row(str(n), f"{offer.patient.name}\n[dim]{offer.patient.id} · {offer.channel}",
                      offer.moment.label,
                      f"{offer.service.name}\n[dim]${offer.service.price:,.0f}",
                      "\n".join(offer.reasons[:2]) + f"\n[dim]{offer.estimate.evidence(offer.moment)}",
                      f"${offer.expected_value:,.0f}\n[dim]{offer.estimate.p:.0%}")
    out.print(table)
    counts: dict[str, int] = {}
    for s in result.suppressed:
        counts[s.reason.value] = counts.get(s.reason.value, 0) + 1
    out.print("Not offered: " + ", ".join(f"{reason} {n}" for reason, n in sorted(
        counts.items(), key=lambda kv: -kv[1])))
    held_back = [s for s in result.suppressed if s.moment is not None]
    if held_back:
        shown = Table(title="At a moment but held back", expand=True)
        for column in ("patient", "moment", "reason", "detail"):
            shown.add_column(column)
        for s in held_back[:30]:
            shown.add_row(s.patient_id, s.moment.label, s.reason.value, s.detail)
        out.print(shown)


@app.command()
def draft(
    patient_id: Annotated[str | None, typer.Argument(
        help="the patient to draft for (or use --week for the whole ready queue)")] = None,
    week: Annotated[bool, typer.Option("--week", help="draft every patient ready this week")] =
        False,
    as_of: Annotated[str | None, typer.Option(help="as of this date (default today)")] = None,
    channel: Annotated[Channel | None, typer.Option(
        help="email or sms (default: the patient's preferred reachable channel)")] = None,
    limit: Annotated[int | None, typer.Option(help="with --week: only the top N ready")] = None,
    fmt: Annotated[TextOrJson, typer.Option("--format", help="text for people, json for systems")]
        = TextOrJson.text,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Draft the offer message for one ready patient, or for the whole week's queue, and store
    the drafts for review. Each draft is checked by the guards (schema, grounding, tone,
    compliance, privacy, specificity); the backend is CROSSSELL_LLM (none: templates, offline;
    openai: OPENAI_BASE_URL / OPENAI_API_KEY / CROSSSELL_MODEL; local: the bundled small model).
    An ineligible patient gets exit status 2 and the reason, and nothing is drafted."""
    from assistant.app.drafting import open_drafting

    if (patient_id is None) == (not week):
        err.print("[red]error:[/red] give a PATIENT_ID or --week (not both)")
        raise typer.Exit(2)
    wanted = channel.value if channel else None

    def one():
        with open_drafting(_practice()) as drafting:
            return drafting.draft(patient_id, _parse_day(as_of), wanted)

    def whole_week():
        with open_drafting(_practice()) as drafting, Progress(
                "[progress.description]{task.description}", BarColumn(),
                "{task.completed}/{task.total}", TimeRemainingColumn(), console=err,
                disable=quiet or not err.is_terminal) as progress:
            task = progress.add_task("drafting", total=None)
            return drafting.draft_week(_parse_day(as_of), wanted, limit,
                                       lambda done, total: progress.update(
                                           task, completed=done, total=total))

    if not week:
        result = _run(one)
        if fmt is TextOrJson.json:
            _print_json(result.summary())
        else:
            _print_draft(result)
        return
    drafted = _run(whole_week)
    if fmt is TextOrJson.json:
        _print_json({"as_of": drafted.as_of.isoformat(), "ready": drafted.ready,
                     "drafts": [d.summary() for d in drafted.drafts],
                     "not_drafted": [{"patient_id": p, "reason": r} for p, r in drafted.failed]})
        return
    _print_week(drafted)


def _print_json(value: dict | list) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


def _print_draft(result) -> None:
    out.print(f"[bold]{result.patient_id}[/bold] · {result.moment} · {result.offer_name} · "
              f"{result.channel} · drafted by {result.drafter} in {len(result.attempts)} "
              f"attempt(s) · draft {result.id}")
    if result.subject:
        out.print(f"[bold]Subject:[/bold] {result.subject}")
    out.print(result.body, markup=False, highlight=False, soft_wrap=True)
    for guard in result.guards:
        mark = "[green]pass[/green]" if guard.passed else "[red]FAIL[/red]"
        out.print(f"  {mark} {guard.name}: {guard.detail}", highlight=False)
    if result.sources:
        out.print("[dim]sources: " + ", ".join(s.id for s in result.sources), highlight=False)


def _print_week(drafted) -> None:
    table = Table(title=f"Drafted {len(drafted.drafts)} of {drafted.ready} ready "
                        f"(as of {drafted.as_of.isoformat()})", expand=True)
    for column in ("draft", "patient", "moment", "offer", "channel", "drafter", "guards"):
        table.add_column(column)
    for d in drafted.drafts:
        failed = [g.name for g in d.guards if not g.passed]
        table.add_row(d.id, d.patient_id, d.moment, d.offer_name, d.channel, d.drafter,
                      "[green]all passed[/green]" if not failed else "[red]" + ", ".join(failed))
    out.print(table)
    for patient, reason in drafted.failed:
        err.print(f"not drafted: {patient}: {reason}")


@app.command()
def record(
    patient_id: Annotated[str, typer.Argument(help="the patient's id")],
    service_id: Annotated[str, typer.Argument(help="the offered service's id")],
    outcome: Annotated[OutcomeKind, typer.Argument(help="presented, accepted or declined")],
    moment: Annotated[str | None, typer.Option(help="the moment (needed for presented)")] = None,
    channel: Annotated[str | None, typer.Option(help="email or sms")] = None,
    at: Annotated[str | None, typer.Option(help="when (ISO 8601; default now)")] = None,
) -> None:
    """Record an offer made to a patient, or the patient's answer. Ranking learns from these."""

    def action() -> str:
        when = None
        if at is not None:
            try:
                when = datetime.fromisoformat(at)
            except ValueError:
                raise InputError(f"--at must be an ISO 8601 time, got {at!r}") from None
        if outcome is OutcomeKind.presented and moment is None:
            raise InputError("--moment is needed when recording a presented offer "
                             f"(one of: {', '.join(m.value for m in Moment)})")
        return _practice().record(patient_id, service_id, outcome.value, moment=moment,
                                  channel=channel, at=when)

    event_id = _run(action)
    out.print(f"recorded {outcome.value} {service_id} for {patient_id} ({event_id})")


@rules_app.command("show")
def rules_show() -> None:
    """The rules in force, with what each one means."""
    rules = _run(lambda: _practice().rules())
    table = Table(title="Practice rules")
    for column in ("rule", "value", "meaning"):
        table.add_column(column)
    for name, meaning in Rules.field_help().items():
        table.add_row(name, str(getattr(rules, name)), meaning)
    out.print(table)


@rules_app.command("set")
def rules_set(
    name: Annotated[str, typer.Argument(help="rule name, see `crosssell rules show`")],
    value: Annotated[str, typer.Argument(help="new value (JSON for lists)")],
) -> None:
    """Change one rule for this practice."""
    rules = _run(lambda: _practice().set_rule(name, value))
    out.print(f"{name} = {getattr(rules, name)}")


@app.command()
def menu() -> None:
    """The practice's menu (the imported one, or the default) with next steps."""
    services = _run(lambda: list(_practice().menu()))
    table = Table(title="Menu", show_lines=True)
    for column in ("id", "name", "price", "next steps"):
        table.add_column(column)
    for s in services:
        steps = "\n".join(f"-> {n.to} ({', '.join(m.value for m in n.moments) or 'any'})"
                          for n in s.next_steps)
        table.add_row(s.id, s.name, f"${s.price:,.0f}/{s.unit}", steps)
    out.print(table)


@app.command()
def demo(
    home: Annotated[Path | None, typer.Option(
        help="where the demo practice lives (default: demo/ under CROSSSELL_HOME); replaced")] = None,
    as_of: Annotated[str | None, typer.Option(help="the demo's 'today' (default today)")] = None,
    patients: Annotated[int, typer.Option(help="number of synthetic patients")] = 200,
    seed: Annotated[int, typer.Option(help="random seed: the same seed gives the same practice")] = 7,
    limit: Annotated[int, typer.Option(help="how many ready patients to show")] = 12,
    serve: Annotated[bool, typer.Option(
        "--serve/--no-serve", help="start the API and the review screen (until Ctrl-C)")] = True,
) -> None:
    """Build a realistic synthetic practice (a year of history, every moment and every reason
    not to offer), import it into a fresh home, print this week's queue, draft the week for
    review, add one demo user per role, and start the API and the review screen."""
    from assistant.app.demo import DEMO_PASSWORD, DEMO_USERS, build_demo, prepare_review

    def action():
        day = _parse_day(as_of)
        target = home or (Settings().home / "demo")
        err.print(f"building a {patients}-patient demo practice as of {day.isoformat()} "
                  f"in {target} ...")
        practice_home, report, result = build_demo(target, day, patients, seed)
        err.print(f"drafting the week's {result.total_ready} ready patients for review ...")
        return practice_home, report, result, prepare_review(practice_home, day)

    practice_home, report, result, week = _run(action)
    out.print(f"imported {report.lines:,} lines: {report.added['patients']} patients, "
              f"{report.added['events']:,} events, {report.added['offers']} past offers, "
              f"{report.added['outcomes']} outcomes")
    result.ready = result.ready[:limit]
    _print_scan(result)
    if week.drafts:
        out.print("\nThe top patient's draft, as a coordinator will review it:")
        _print_draft(week.drafts[0])
    passed = sum(d.passed for d in week.drafts)
    out.print(f"\n{len(week.drafts)} drafts are waiting for review ({passed} pass every guard).")
    logins = Table(title="Demo logins (password: " + DEMO_PASSWORD + ")")
    for column in ("user id", "role", "name"):
        logins.add_column(column)
    for user_id, role, name in DEMO_USERS:
        logins.add_row(user_id, role, name)
    out.print(logins)
    day = result.as_of.isoformat()
    out.print(f"Explore it: export CROSSSELL_HOME={practice_home}\n"
              f"  crosssell scan --as-of {day} --format json | less\n"
              f"  crosssell audit   crosssell users list   crosssell rules show")
    if serve:
        _serve_demo(practice_home, day)


def _serve_demo(home: Path, day: str) -> None:
    """The API and the review screen over the demo practice, until Ctrl-C."""
    import os
    import time

    from assistant.servers import api_command, free_port, running, ui_command

    settings = Settings()
    host = settings.api_host
    env = {k: v for k, v in os.environ.items() if k != "CROSSSELL_DATABASE_URL"}
    env.update(CROSSSELL_HOME=str(home), CROSSSELL_UI_AS_OF=day)
    api_port, ui_port = free_port(settings.api_port, host), free_port(settings.ui_port, host)
    (home / "logs").mkdir(exist_ok=True)
    err.print("starting the API and the review screen ...")
    logs = home / "logs"
    try:
        with running(api_command(host, api_port), f"http://{host}:{api_port}/health", env,
                     logs / "api.log") as api, \
                running(ui_command(host, ui_port), f"http://{host}:{ui_port}/_stcore/health",
                        env, logs / "ui.log") as screen:
            out.print(f"\n[bold]Review screen:[/bold] http://{host}:{ui_port}   (log in as "
                      "maria, then as drlee to approve; the Dashboard shows what was learned)"
                      f"\n[bold]API:[/bold] http://{host}:{api_port}  (docs at "
                      f"http://{host}:{api_port}/docs)\nPress Ctrl-C to stop.")
            while api.poll() is None and screen.poll() is None:
                time.sleep(0.5)
    except KeyboardInterrupt:
        err.print("stopped")
        return
    except CrosssellError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(exc.exit_code) from None
    err.print(f"[red]a server stopped unexpectedly[/red]; see {logs}")
    raise typer.Exit(1)


class RoleName(StrEnum):
    coordinator = "coordinator"
    provider = "provider"
    qa = "qa"
    admin = "admin"


def _operator():
    """Who a command-line change is audited as: the machine's user, with admin rights."""
    import getpass

    from assistant.app.accounts import User
    from assistant.domain.review import Role

    return User(f"cli:{getpass.getuser()}", "command line", Role.ADMIN)


def _review():
    from assistant.app.drafting import Drafting
    from assistant.app.review import Review

    practice = _practice()
    return Review(practice, Drafting(practice))


@users_app.command("add")
def users_add(
    user_id: Annotated[str, typer.Argument(help="login id (lowercase), e.g. maria")],
    role: Annotated[RoleName, typer.Option(help="coordinator, provider, qa or admin")],
    name: Annotated[str, typer.Option(help="the person's name, shown in the audit log")] = "",
    password: Annotated[str | None, typer.Option(
        help="at least 8 characters; asked for when not given (env CROSSSELL_NEW_PASSWORD)",
        envvar="CROSSSELL_NEW_PASSWORD")] = None,
) -> None:
    """Add a user. Prints their API token once (only a digest of it is stored)."""
    secret = password or typer.prompt("password", hide_input=True, confirmation_prompt=True)

    def action():
        return _review().add_user(_operator(), user_id, role.value, secret, name)

    user, token = _run(action)
    out.print(f"added {user.id} ({user.role.value})\nAPI token (shown once): {token}",
              highlight=False)


@users_app.command("list")
def users_list(fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Everyone who can log in, with their role and whether they are active."""
    users = _run(lambda: _review().users(_operator()))
    if fmt is Format.json:
        _print_json({"users": [u.as_dict() for u in users]})
        return
    table = Table(title="Users")
    for column in ("id", "name", "role", "active"):
        table.add_column(column)
    for u in users:
        table.add_row(u.id, u.name, u.role.value, "yes" if u.active else "[red]disabled")
    out.print(table)


@users_app.command("disable")
def users_disable(user_id: Annotated[str, typer.Argument(help="login id")]) -> None:
    """Disable a user and revoke their tokens. Their audit trail stays."""

    def action():
        return _review().disable_user(_operator(), user_id)

    user = _run(action)
    out.print(f"disabled {user.id}")


@users_app.command("token")
def users_token(user_id: Annotated[str, typer.Argument(help="login id")]) -> None:
    """Issue a new API token for a user (the old one stops working)."""

    def action():
        return _review().issue_token(_operator(), user_id)

    out.print(f"API token for {user_id} (shown once): {_run(action)}", highlight=False)


@app.command()
def audit(
    draft: Annotated[str | None, typer.Option(help="only this draft's trail")] = None,
    patient: Annotated[str | None, typer.Option(help="only this patient's entries")] = None,
    user: Annotated[str | None, typer.Option(help="only what this user did")] = None,
    limit: Annotated[int, typer.Option(help="the last N entries")] = 200,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """The append-only audit log: every view, edit, approval, rejection, send and outcome,
    with who, when and what changed."""
    entries = _run(lambda: _review().audit(_operator(), draft_id=draft, patient_id=patient,
                                           user=user, limit=limit))
    if fmt is Format.json:
        _print_json({"entries": [e.as_dict() for e in entries]})
        return
    table = Table(title=f"Audit log ({len(entries)} entries)", expand=True, show_lines=True)
    for column in ("when", "who", "action", "draft", "patient", "what changed"):
        table.add_column(column)
    for e in entries:
        table.add_row(e.at, e.actor, e.action, e.draft_id or "", e.patient_id or "",
                      _describe_change(e.detail))
    out.print(table)


def _describe_change(detail: dict) -> str:
    parts = []
    if "from" in detail and "to" in detail:
        parts.append(f"{detail['from']} -> {detail['to']} (v{detail.get('version', '?')})")
    for key in ("comment", "reason", "error", "via", "user", "role", "kind"):
        if detail.get(key):
            parts.append(f"{key}: {detail[key]}")
    before, after = detail.get("before"), detail.get("after")
    if isinstance(before, dict) and isinstance(after, dict) and before != after:
        parts.append(f"body before: {before.get('body', '')}\nbody after: {after.get('body', '')}")
    return "\n".join(parts)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address (default CROSSSELL_API_HOST, "
                                                  "loopback)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default CROSSSELL_API_PORT, 8000)")] =
        None,
) -> None:
    """Serve the HTTP API for the booking/EHR system (OpenAPI docs at /docs)."""
    import uvicorn

    from assistant.api import create_app

    settings = Settings()
    host, port = host or settings.api_host, port or settings.api_port
    err.print(f"API on http://{host}:{port} (docs at http://{host}:{port}/docs)")
    uvicorn.run(create_app(), host=host, port=port, log_level="info")


@app.command()
def ui(
    host: Annotated[str | None, typer.Option(help="address to listen on (default "
                                                  "CROSSSELL_API_HOST, loopback)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default CROSSSELL_UI_PORT, 8501)")] =
        None,
) -> None:
    """Serve the review screen for coordinators and providers (Streamlit) over this
    practice (CROSSSELL_HOME). Log in with a user from `crosssell users add`."""
    from assistant.servers import ui_command

    settings = Settings()
    command = ui_command(host or settings.api_host, port or settings.ui_port)
    out.print(f"review screen on http://{host or settings.api_host}:{port or settings.ui_port}")
    raise typer.Exit(subprocess.call(command))


class Drafter(StrEnum):
    none = "none"
    openai = "openai"
    local = "local"


def _evals():
    from assistant.app.evals import Evals

    return Evals()


@eval_app.command("score")
def eval_score(
    file: Annotated[Path, typer.Argument(help="JSON Lines: {id, channel, body, context: "
                                              "{first_name, history, goals, offer}}")],
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Score messages (drafts, hand-written templates) for tone, specificity, grounding and
    compliance, with the findings behind each score. Bad lines are named and skipped; the
    exit status is 1 when any line was bad."""
    scored, bad = _run(lambda: _evals().score_file(file))
    for number, why in bad:
        err.print(f"line {number}: {why}", highlight=False)
    if fmt is Format.json:
        _print_json([s.as_dict() for _, s in scored])
    else:
        table = Table(title=f"Scores for {file.name}", show_lines=True, expand=True)
        for column in ("id", "tone", "specificity", "grounding", "compliance", "findings"):
            table.add_column(column)
        for _, s in scored:
            table.add_row(s.id, f"{s.tone:.2f}", f"{s.specificity:.2f}", f"{s.grounding:.2f}",
                          "[green]passed" if s.compliance_passed else "[red]FAILED",
                          "\n".join(s.findings) or "[dim]none")
        out.print(table)
    if bad:
        raise typer.Exit(1)


def _eval_progress(quiet: bool):
    return Progress("[progress.description]{task.description}", BarColumn(),
                    "{task.completed}/{task.total}", TimeRemainingColumn(), console=err,
                    disable=quiet or not err.is_terminal)


@eval_app.command("run")
def eval_run(
    suite: Annotated[str, typer.Option(help="suite name, from evals/suites/")] = "default",
    drafter: Annotated[Drafter | None, typer.Option(
        help="none (templates), openai or local (default: CROSSSELL_LLM)")] = None,
    prompt_version: Annotated[str | None, typer.Option(
        help="prompt version under prompts/draft/ (default: CROSSSELL_PROMPT_VERSION)")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    html: Annotated[Path | None, typer.Option(help="write the HTML report here")] = None,
    baseline: Annotated[Path | None, typer.Option(
        help="a previous run's JSON (from --output): fail on a regression against it")] = None,
    output: Annotated[Path | None, typer.Option(help="write this run's JSON here")] = None,
    judge: Annotated[bool, typer.Option(help="also rate each draft with the LLM judge")] = False,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Draft every case of a suite through the real chain, score it, and aggregate (mean scores,
    pass rate per scorer, per moment, per channel). Exit status 1 when a pass rate is under the
    suite's threshold or regresses against the baseline by more than its tolerance."""

    def action():
        before = _read_run(baseline) if baseline else None
        with _eval_progress(quiet) as progress:
            task = progress.add_task(f"eval {suite}", total=None)
            return _evals().run(suite, drafter=drafter.value if drafter else None,
                                prompt_version=prompt_version, baseline=before, judge=judge,
                                on_progress=lambda d, t: progress.update(task, completed=d,
                                                                         total=t))

    outcome = _run(action)
    _finish_eval(outcome, fmt, html, output)


def _read_run(path: Path) -> dict:
    if not path.is_file():
        raise InputError(f"no such baseline: {path}")
    try:
        value = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path} is not a run's JSON: {exc}") from None
    if not isinstance(value, dict) or "summary" not in value or "cases" not in value:
        raise InputError(f"{path} is not a run's JSON (write one with --output)")
    return value


def _finish_eval(outcome, fmt: Format, html: Path | None, output: Path | None) -> None:
    if output is not None:
        output.write_bytes(orjson.dumps(outcome.run, option=orjson.OPT_INDENT_2) + b"\n")
    if html is not None:
        html.write_text(_evals().report(outcome))
        err.print(f"report written to {html}")
    if fmt is Format.json:
        _print_json({**outcome.run, "failures": outcome.failures,
                     "comparison": outcome.comparison.as_dict() if outcome.comparison else None})
    else:
        _print_eval(outcome)
    if outcome.failures:
        raise typer.Exit(1)


def _print_eval(outcome) -> None:
    run = outcome.run
    summary = run["summary"]
    table = Table(title=f"Eval {run['suite']} · {run['prompt_version']} · {run['drafter']} · "
                        f"{summary['cases']} cases")
    for column in ("", "mean", "pass rate", "threshold", "vs baseline"):
        table.add_column(column, justify="right" if column else "left")
    delta = outcome.comparison.pass_rate_delta if outcome.comparison else {}
    for dimension, rate in summary["pass_rate"].items():
        mean = summary["mean"].get(dimension)
        change = delta.get(dimension)
        threshold = outcome.suite.thresholds.get(dimension)
        table.add_row(dimension, "" if mean is None else f"{mean:.2f}",
                      "" if rate is None else f"{rate:.0%}",
                      "" if threshold is None else f"{threshold:.0%}",
                      "" if change is None else f"{change:+.0%}")
    out.print(table)
    for title, key in (("by moment", "by_moment"), ("by channel", "by_channel")):
        groups = Table(title=title)
        groups.add_column("")
        groups.add_column("cases", justify="right")
        for dimension in summary["pass_rate"]:
            groups.add_column(dimension, justify="right")
        for name, group in summary[key].items():
            groups.add_row(name, str(group["cases"]), *(
                "" if r is None else f"{r:.0%}" for r in group["pass_rate"].values()))
        out.print(groups)
    for case in run["cases"]:
        failed = [f for f in (case["score"] or {}).get("findings", []) if not f.endswith("(soft)")]
        if case["problems"] or failed:
            out.print(f"[red]{case['id']}[/red]: " + "; ".join(case["problems"] + failed),
                      highlight=False)
    if outcome.comparison:
        for change in outcome.comparison.changes:
            mark = "[green]better" if change.better else "[red]worse"
            out.print(f"{mark}[/] {change.id} {change.dimension} {change.before:.2f} -> "
                      f"{change.after:.2f} " + "; ".join(
                          [f"+ {f}" for f in change.gained] + [f"- {f}" for f in change.lost]),
                      highlight=False)
    for failure in outcome.failures:
        err.print(f"[red]FAIL[/red] {failure}")


@eval_app.command("compare")
def eval_compare(
    a: Annotated[str, typer.Option("--a", help="the prompt version to compare against")],
    b: Annotated[str, typer.Option("--b", help="the candidate prompt version")],
    suite: Annotated[str, typer.Option(help="suite name")] = "default",
    drafter: Annotated[Drafter | None, typer.Option(help="none, openai or local")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    html: Annotated[Path | None, typer.Option(help="write B's HTML report (with the "
                                                   "changes against A) here")] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Run two prompt versions on the same cases and show, case by case, which got better or
    worse and why (the findings that came or went)."""

    def action():
        with _eval_progress(quiet) as progress:
            task = progress.add_task(f"{a} vs {b}", total=None)
            return _evals().compare_versions(
                suite, a, b, drafter=drafter.value if drafter else None,
                on_progress=lambda d, t: progress.update(task, completed=d, total=t))

    _, second = _run(action)
    _finish_eval(second, fmt, html, None)


@eval_app.command("calibrate")
def eval_calibrate(
    files: Annotated[list[Path] | None, typer.Argument(
        help="labelled messages (default: evals/messages/labelled.jsonl)")] = None,
    judge: Annotated[bool, typer.Option(help="also calibrate the LLM judge when a model is "
                                             "configured")] = True,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Each scorer's agreement with labelled messages: AUC (ranking) and Cohen's kappa at its
    pass threshold, so QA knows which scorer to trust."""
    evals = _run(_evals)
    paths = files or [evals.settings.evals_dir / "messages" / "labelled.jsonl"]
    agreements, bad = _run(lambda: evals.calibrate(paths, judge))
    for number, why in bad:
        err.print(f"line {number}: {why}", highlight=False)
    if fmt is Format.json:
        _print_json({"agreements": [a.as_dict() for a in agreements]})
        return
    table = Table(title="Agreement with the labels")
    for column in ("rater", "dimension", "label", "n", "AUC", "kappa", "threshold"):
        table.add_column(column)
    for a in agreements:
        table.add_row(a.rater, a.dimension, a.label, str(a.n),
                      "–" if a.auc is None else f"{a.auc:.3f}",
                      "–" if a.kappa is None else f"{a.kappa:.3f}", f"{a.threshold:.2f}")
    out.print(table)


@learn_app.command("report")
def learn_report(
    as_of: Annotated[str | None, typer.Option(help="as of this date (default today)")] = None,
    top: Annotated[int, typer.Option(help="how many top and bottom converters to show")] = 3,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    html: Annotated[Path | None, typer.Option(
        help="also write the printable owner's report (funnel, acceptance, revenue, "
             "diagnostic) here")] = None,
) -> None:
    """Top and bottom converters per moment and per segment, with 95% intervals and sample
    sizes, and an inverse-propensity estimate of the current policy against always offering the
    catalog's first next step."""
    from assistant.app.learning import Learning, owner_report, render_owner_report
    from assistant.settings import bundled

    day = _run(lambda: _parse_day(as_of))
    practice = _practice()
    if html is not None:
        data = _run(lambda: owner_report(practice, day, top))
        html.write_text(render_owner_report(bundled("ui/templates"), data))
        err.print(f"report written to {html}")
        report = data["report"]
    else:
        report = _run(lambda: Learning(practice).report(day, top))
    if fmt is Format.json:
        _print_json(report)
        return
    out.print(f"Learned from {report['outcomes']} answered offers as of {report['as_of']} "
              f"(practice-wide acceptance {report['practice_rate']:.0%})")
    for title, groups in (("by moment", report["by_moment"]),
                          ("by segment", report["by_segment"])):
        table = Table(title=f"Converters {title}", expand=True)
        for column in ("", "", "offer", "accepted", "rate", "95% interval"):
            table.add_column(column)
        for group, ends in groups.items():
            for side in ("top", "bottom"):
                for row in ends[side]:
                    where = "" if title == "by moment" else f" at {row['moment']}"
                    table.add_row(group, side, row["offer_name"] + where,
                                  f"{row['accepted']} of {row['trials']}", f"{row['rate']:.0%}",
                                  f"{row['low']:.0%}-{row['high']:.0%}")
        out.print(table)
    op = report["off_policy"]
    if not op["presentations"]:
        out.print(f"Off-policy estimate: {op['note']}.")
        return
    out.print(f"Off-policy estimate over {op['presentations']} logged presentations "
              f"(revenue per presented offer): as logged ${op['logged_policy']:,.0f}; current "
              f"policy ${op['current_policy']['ips']:,.0f} (self-normalised "
              f"${op['current_policy']['self_normalised'] or 0:,.0f}); always the top rule "
              f"${op['top_rule']['ips']:,.0f} (self-normalised "
              f"${op['top_rule']['self_normalised'] or 0:,.0f})")


@app.command()
def diagnostic(
    as_of: Annotated[str | None, typer.Option(help="as of this date (default today)")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """The article's revenue diagnostic from this practice's own year: touchpoints in use of
    the eight, acceptance per touchpoint, revenue after the first visit, cancellations of
    cross-sell vs single-treatment patients, and the annual what-if beside the article's."""
    from assistant.app.learning import Learning, what_if_rows
    from assistant.reports import percent

    figures = _run(lambda: Learning(_practice()).diagnostic(_parse_day(as_of)))
    if fmt is Format.json:
        _print_json(figures)
        return
    touch = Table(title=f"Touchpoints ({figures['touchpoints_in_use']} of "
                        f"{figures['touchpoints_possible']} in use, {figures['window']})")
    for column in ("moment", "presented", "accepted", "rate", "95% interval"):
        touch.add_column(column)
    for t in figures["touchpoints"]:
        touch.add_row(t["label"], str(t["presented"]), f"{t['accepted']} of {t['trials']}",
                      percent(t["rate"]),
                      f"{t['low']:.0%}-{t['high']:.0%}" if t["trials"] else "–")
    out.print(touch)
    table = Table(title="Annual what-if: patients x touchpoints x acceptance x average cross-sell")
    for column in ("", "this practice", "the article"):
        table.add_column(column, justify="right" if column else "left")
    for row in what_if_rows(figures):
        table.add_row(*row)
    out.print(table)


def main() -> None:  # pragma: no cover - console entry point
    app()
