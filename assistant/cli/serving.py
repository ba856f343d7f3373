"""The servers: `serve` (the API), `worker` (the outbox), `ui` (the review screen), `demo`,
which builds a synthetic practice and serves both over it, and `migrate`, which readies the
database for them."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from assistant.api import APP_FACTORY, create_app
from assistant.app.demo import build_demo, demo_environment, prepare_review
from assistant.app.drafting import WeekDrafts
from assistant.app.importer import ImportReport
from assistant.app.outbox import Outbox, Worker
from assistant.app.practice import Practice, ScanResult
from assistant.cli import render
from assistant.cli.common import TextOrJson, err, out, parse_day, run
from assistant.sending import senders
from assistant.servers import api_command, free_port, running, ui_command
from assistant.settings import Settings
from assistant.storage import database


def serve(
    host: Annotated[str | None, typer.Option(help="address (default CROSSSELL_API_HOST, loopback)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default CROSSSELL_API_PORT, 8000)")] = None,
    worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="deliver the outbox in this process too")
    ] = True,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="API processes answering on the one port")
    ] = 1,
) -> None:
    """Serve the HTTP API for the booking/EHR system (OpenAPI docs at /docs), with the outbox
    worker in the same process (use `--no-worker` when `crosssell worker` runs apart).
    `--workers N` starts N API processes on one port; the outbox is then delivered by this
    process, which supervises them, once, not by each of them."""
    settings = run(Settings)
    host, port = host or settings.api_host, port or settings.api_port
    run(_migrate)
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info", "server_header": False}
    if workers == 1:
        err.print(f"API on http://{host}:{port} (docs at http://{host}:{port}/docs)")
        uvicorn.run(create_app(worker=worker), **options)
        return
    if not settings.chroma_url:
        err.print(
            "[yellow]warning:[/yellow] the API's processes share the embedded vector store under "
            f"{settings.chroma_dir}; set CROSSSELL_CHROMA_URL to a Chroma server before drafting "
            "in more than one of them at a time"
        )
    with _delivering(worker):
        err.print(f"API on http://{host}:{port}, {workers} processes (docs at http://{host}:{port}/docs)")
        uvicorn.run(APP_FACTORY, factory=True, workers=workers, **options)


@contextmanager
def _delivering(enabled: bool) -> Iterator[None]:
    """The outbox worker in this process while the block runs, when `enabled`. Opening the
    practice migrates its database first, so the API's processes find it current."""
    if not enabled:
        yield
        return
    outbox = _outbox()
    err.print(f"delivering the outbox every {outbox.settings.worker_poll_seconds:g} s in this process")
    running = Worker(outbox, outbox.settings.worker_poll_seconds).start()
    try:
        yield
    finally:
        running.stop()


def _outbox() -> Outbox:
    """The practice's outbox, with its senders: a misconfigured channel fails here, at once."""
    practice = run(Practice)
    channels = run(lambda: senders(practice.settings))
    return Outbox(practice, lambda: channels)


def worker(
    once: Annotated[bool, typer.Option("--once", help="deliver what is due now, then stop")] = False,
) -> None:
    """Deliver the outbox: every message Send queued, with retries and backoff, and messages a
    stopped worker left half-sent (delivered again under the same message id). Runs until
    Ctrl-C; `crosssell serve` runs one in-process unless given `--no-worker`."""
    outbox = _outbox()
    if once:
        delivered = run(outbox.run_once)
        err.print(f"delivered {delivered} message(s)")
        return
    poll = outbox.settings.worker_poll_seconds
    err.print(f"delivering the outbox every {poll:g} s (Ctrl-C stops)")
    running = Worker(outbox, poll).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        running.stop()


def migrate(
    fmt: Annotated[
        TextOrJson, typer.Option("--format", help="text for people, json for systems")
    ] = TextOrJson.text,
) -> None:
    """Bring the practice's database (CROSSSELL_DATABASE_URL, else the SQLite file under
    CROSSSELL_HOME) to the newest schema and say from which revision to which. Every command
    and server does this itself at start, one process at a time; run it first to upgrade at a
    moment of your choosing, before starting the API's workers."""
    summary = run(_migrate)
    if fmt is TextOrJson.json:
        render.print_json(summary)
    else:
        render.migration(summary)


def _migrate() -> dict:
    """The database brought to the newest schema. `serve` and `ui` do this before their server
    starts, so a database that cannot be reached is one line and exit 4 here, not a traceback
    from the server's start-up (or a review screen that fails at its first page)."""
    engine = database.connect(Settings())
    try:
        done = database.migrate(engine)
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    return {"database": where, "from": done.before, "to": done.after, "changed": done.changed}


def ui(
    host: Annotated[
        str | None, typer.Option(help="address to listen on (default CROSSSELL_API_HOST, loopback)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="port (default CROSSSELL_UI_PORT, 8501)")] = None,
) -> None:
    """Serve the review screen for coordinators and providers (Streamlit) over this
    practice (CROSSSELL_HOME). Log in with a user from `crosssell users add`."""
    settings = run(Settings)
    host, port = host or settings.api_host, port or settings.ui_port
    run(_migrate)
    out.print(f"review screen on http://{host}:{port}")
    raise typer.Exit(subprocess.call(ui_command(host, port)))


def demo(
    home: Annotated[
        Path | None,
        typer.Option(help="where the demo practice lives (default: demo/ under CROSSSELL_HOME); replaced"),
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="the demo's 'today' (default today)")] = None,
    patients: Annotated[int, typer.Option(help="number of synthetic patients")] = 200,
    seed: Annotated[int, typer.Option(help="random seed: the same seed gives the same practice")] = 7,
    limit: Annotated[int, typer.Option(help="how many ready patients to show")] = 12,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="start the API and the review screen (until Ctrl-C)")
    ] = True,
) -> None:
    """Build a realistic synthetic practice (a year of history, every moment and every reason
    not to offer), import it into a fresh home, print this week's queue, draft the week for
    review, add one demo user per role, and start the API and the review screen."""
    practice_home, report, result, week = run(lambda: _build(home, as_of, patients, seed))
    result.ready = result.ready[:limit]
    render.demo(practice_home, report, result, week)
    if serve:
        _serve_demo(practice_home, result.as_of.isoformat())


def _build(
    home: Path | None, as_of: str | None, patients: int, seed: int
) -> tuple[Path, ImportReport, ScanResult, WeekDrafts]:
    day = parse_day(as_of)
    target = home or (Settings().home / "demo")
    err.print(f"building a {patients}-patient demo practice as of {day.isoformat()} in {target} ...")
    practice_home, report, result = build_demo(target, day, patients, seed)
    err.print(f"drafting the week's {result.total_ready} ready patients for review ...")
    return practice_home, report, result, prepare_review(practice_home, day)


def _serve_demo(home: Path, day: str) -> None:
    """The API and the review screen over the demo practice, until Ctrl-C."""
    logs = home / "logs"
    if run(lambda: _serve_until_stopped(home, day, logs)):
        err.print("stopped")
        return
    err.print(f"[red]a server stopped unexpectedly[/red]; see {logs}")
    raise typer.Exit(1)


def _serve_until_stopped(home: Path, day: str, logs: Path) -> bool:
    """True when the operator stopped both servers (Ctrl-C); False when one stopped itself."""
    settings = Settings()
    host = settings.api_host
    env = demo_environment(home, day, dict(os.environ))
    api_port, ui_port = free_port(settings.api_port, host), free_port(settings.ui_port, host)
    logs.mkdir(exist_ok=True)
    err.print("starting the API and the review screen ...")
    try:
        with (
            running(
                api_command(host, api_port), f"http://{host}:{api_port}/health", env, logs / "api.log"
            ) as api,
            running(
                ui_command(host, ui_port), f"http://{host}:{ui_port}/_stcore/health", env, logs / "ui.log"
            ) as screen,
        ):
            out.print(
                f"\n[bold]Review screen:[/bold] http://{host}:{ui_port}   (log in as "
                "maria, then as drlee to approve; the Dashboard shows what was learned)"
                f"\n[bold]API:[/bold] http://{host}:{api_port}  (docs at "
                f"http://{host}:{api_port}/docs)\nPress Ctrl-C to stop."
            )
            while api.poll() is None and screen.poll() is None:
                time.sleep(0.5)
    except KeyboardInterrupt:
        return True
    return False
