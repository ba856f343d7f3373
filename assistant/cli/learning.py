"""What the practice learned from its offers: `learn report` and the revenue `diagnostic`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.app.learning import Learning, owner_report, render_owner_report
from assistant.app.practice import Practice
from assistant.cli import render
from assistant.cli.common import Format, err, parse_day, run
from assistant.settings import bundled

learn = typer.Typer(
    help="What the practice has learned from accepted and declined offers.", no_args_is_help=True
)


@learn.command("report")
def learn_report(
    as_of: Annotated[str | None, typer.Option(help="as of this date (default today)")] = None,
    top: Annotated[int, typer.Option(help="how many top and bottom converters to show")] = 3,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    html: Annotated[
        Path | None,
        typer.Option(
            help="also write the printable owner's report (funnel, acceptance, revenue, diagnostic) here"
        ),
    ] = None,
) -> None:
    """Top and bottom converters per moment and per segment, with 95% intervals and sample
    sizes, and an inverse-propensity estimate of the current policy against always offering the
    catalog's first next step."""
    day = run(lambda: parse_day(as_of))
    practice = run(Practice)
    if html is not None:
        data = run(lambda: owner_report(practice, day, top))
        html.write_text(render_owner_report(bundled("ui/templates"), data))
        err.print(f"report written to {html}")
        report = data["report"]
    else:
        report = run(lambda: Learning(practice).report(day, top))
    if fmt is Format.json:
        render.print_json(report)
        return
    render.learning(report)


def diagnostic(
    as_of: Annotated[str | None, typer.Option(help="as of this date (default today)")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """The article's revenue diagnostic from this practice's own year: touchpoints in use of
    the eight, acceptance per touchpoint, revenue after the first visit, cancellations of
    cross-sell vs single-treatment patients, and the annual what-if beside the article's."""
    figures = run(lambda: Learning(Practice()).diagnostic(parse_day(as_of)))
    if fmt is Format.json:
        render.print_json(figures)
        return
    render.diagnostic(figures)
