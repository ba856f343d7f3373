"""Prompt evals for QA: `eval score|run|replay|compare|calibrate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from assistant.app.evals import EvalOutcome, Evals
from assistant.cli import render
from assistant.cli.common import Format, err, run
from assistant.cli.progress import progress
from assistant.errors import InputError
from assistant.evals.replay import ReplayResult
from assistant.settings import Backend

evals = typer.Typer(
    help="Prompt evals: score messages, run suites through the real chain, replay labelled "
    "model answers through the guards, compare prompt versions, calibrate the scorers.",
    no_args_is_help=True,
)


@evals.command("score")
def eval_score(
    file: Annotated[
        Path,
        typer.Argument(help="JSON Lines: {id, channel, body, context: {first_name, history, goals, offer}}"),
    ],
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Score messages (drafts, hand-written templates) for tone, specificity, grounding and
    compliance, with the findings behind each score. Bad lines are named and skipped; the
    exit status is 1 when any line was bad."""
    scored, bad = run(lambda: Evals().score_file(file))
    render.bad_lines(bad)
    if fmt is Format.json:
        render.print_json([s.as_dict() for _, s in scored])
    else:
        render.scores(file.name, (s for _, s in scored))
    if bad:
        raise typer.Exit(1)


@evals.command("run")
def eval_run(
    suite: Annotated[str, typer.Option(help="suite name, from evals/suites/")] = "default",
    drafter: Annotated[
        Backend | None, typer.Option(help="none (templates), openai or local (default: CROSSSELL_LLM)")
    ] = None,
    prompt_version: Annotated[
        str | None,
        typer.Option(help="prompt version under prompts/draft/ (default: CROSSSELL_PROMPT_VERSION)"),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    html: Annotated[Path | None, typer.Option(help="write the HTML report here")] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(help="a previous run's JSON (from --output): fail on a regression against it"),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="write this run's JSON here")] = None,
    judge: Annotated[bool, typer.Option(help="also rate each draft with the LLM judge")] = False,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Draft every case of a suite through the real chain, score it, and aggregate (mean scores,
    pass rate per scorer, per moment, per channel). Exit status 1 when a pass rate is under the
    suite's threshold or regresses against the baseline by more than its tolerance."""

    def action() -> tuple[Evals, EvalOutcome]:
        before = _read_run(baseline) if baseline else None
        qa = Evals()
        with progress(f"eval {suite}", quiet) as bar:
            return qa, qa.run(
                suite,
                drafter=drafter,
                prompt_version=prompt_version,
                baseline=before,
                judge=judge,
                on_progress=bar.update,
            )

    qa, outcome = run(action)
    _finish(qa, outcome, fmt, html, output)


@evals.command("replay")
def eval_replay(
    suite: Annotated[
        str, typer.Option(help="suite name, from evals/suites/: its practice, answers and targets")
    ] = "strong",
    answers: Annotated[
        list[Path] | None,
        typer.Option(
            "--answers",
            help="answers files (JSON Lines) to replay instead of the suite's own; repeat for more",
        ),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    output: Annotated[Path | None, typer.Option(help="write the replay's JSON here")] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Replay labelled model answers (good ones and subtly bad ones) through the real drafting
    chain, each served as the model's first answer by an OpenAI-compatible server on loopback,
    and report how many good answers the guards keep and bad ones they stop: overall, per guard
    (false alarms, stops, the answers it was expected to stop) and per defect class, with every
    miss. Exit status 1 when a target of the suite is missed or an answer could not be replayed
    (its patient gets no offer); 2 for a bad answers line, named by file and number."""

    def action() -> ReplayResult:
        with progress(f"replay {suite}", quiet) as bar:
            return Evals().replay(suite, answers or (), on_progress=bar.update)

    result = run(action)
    value = result.as_dict()
    if output is not None:
        output.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    if fmt is Format.json:
        render.print_json(value)
    else:
        render.replay(value)
    render.skipped(value["skipped"])
    if not result.targets_met or result.skipped:
        raise typer.Exit(1)


@evals.command("compare")
def eval_compare(
    a: Annotated[str, typer.Option("--a", help="the prompt version to compare against")],
    b: Annotated[str, typer.Option("--b", help="the candidate prompt version")],
    suite: Annotated[str, typer.Option(help="suite name")] = "default",
    drafter: Annotated[Backend | None, typer.Option(help="none, openai or local")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    html: Annotated[
        Path | None, typer.Option(help="write B's HTML report (with the changes against A) here")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Run two prompt versions on the same cases and show, case by case, which got better or
    worse and why (the findings that came or went)."""

    def action() -> tuple[Evals, EvalOutcome]:
        qa = Evals()
        with progress(f"{a} vs {b}", quiet) as bar:
            _, second = qa.compare_versions(suite, a, b, drafter=drafter, on_progress=bar.update)
        return qa, second

    qa, second = run(action)
    _finish(qa, second, fmt, html, None)


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


def _finish(qa: Evals, outcome: EvalOutcome, fmt: Format, html: Path | None, output: Path | None) -> None:
    """Writes what was asked for, shows the run, and fails the command when the gate did."""
    if output is not None:
        output.write_bytes(orjson.dumps(outcome.run, option=orjson.OPT_INDENT_2) + b"\n")
    if html is not None:
        html.write_text(qa.report(outcome))
        err.print(f"report written to {html}")
    if fmt is Format.json:
        render.print_json(render.eval_json(outcome))
    else:
        render.evaluation(outcome)
    if outcome.failures:
        raise typer.Exit(1)


@evals.command("calibrate")
def eval_calibrate(
    files: Annotated[
        list[Path] | None, typer.Argument(help="labelled messages (default: evals/messages/labelled.jsonl)")
    ] = None,
    judge: Annotated[
        bool, typer.Option(help="also calibrate the LLM judge when a model is configured")
    ] = True,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Each scorer's agreement with labelled messages: AUC (ranking) and Cohen's kappa at its
    pass threshold, so QA knows which scorer to trust."""
    qa = run(Evals)
    paths = files or [qa.settings.evals_dir / "messages" / "labelled.jsonl"]
    agreements, bad = run(lambda: qa.calibrate(paths, judge))
    render.bad_lines(bad)
    if fmt is Format.json:
        render.print_json({"agreements": [a.as_dict() for a in agreements]})
        return
    render.agreements(agreements)
