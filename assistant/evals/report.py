"""The HTML eval report (Jinja2, `evals/report.html.j2`), with patient text escaped."""

from __future__ import annotations

from pathlib import Path

from assistant.evals.runs import GATED
from assistant.reports import percent, render_html


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.0%}"


def render_report(
    template_dir: Path,
    run: dict,
    thresholds: dict[str, float],
    failures: list[str],
    comparison: dict | None = None,
) -> str:
    return render_html(
        template_dir,
        "report.html.j2",
        run=run,
        thresholds=thresholds,
        failures=failures,
        comparison=comparison,
        dimensions=GATED,
        pct=percent,
        signed=_signed,
    )
