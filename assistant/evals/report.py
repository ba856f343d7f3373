"""The HTML eval report (Jinja2, `evals/report.html.j2`), with patient text escaped."""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from assistant.evals.runs import GATED


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.0%}"


def render_report(template_dir: Path, run: dict, thresholds: dict[str, float],
                  failures: list[str], comparison: dict | None = None) -> str:
    env = SandboxedEnvironment(loader=FileSystemLoader(str(template_dir)),
                               autoescape=select_autoescape(["html", "j2"]),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("report.html.j2")
    return template.render(run=run, thresholds=thresholds, failures=failures,
                           comparison=comparison, dimensions=GATED, pct=_pct, signed=_signed)
