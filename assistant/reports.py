"""What the printable reports share: HTML pages rendered from Jinja2 templates (sandboxed,
strict about missing values, every value escaped, since patient text and model output end up
in them) and the way they write numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment


def render_html(template_dir: Path, name: str, **context: Any) -> str:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template(name).render(**context)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def dollars(value: float | None) -> str:
    return "–" if value is None else f"${value:,.0f}"


def acceptance_line(acceptance: dict) -> str:
    """A measured acceptance as a person reads it: the rate, its 95% interval and the count of
    answered offers it rests on."""
    trials = acceptance["trials"]
    if not trials:
        return "no answered offers yet"
    return (
        f"{percent(acceptance['rate'])} (95% interval {percent(acceptance['low'])}–"
        f"{percent(acceptance['high'])}), {acceptance['accepted']:,} accepted of {trials:,} answered"
    )


def sentence_case(text: str) -> str:
    """A label as a heading or legend shows it ("at booking" -> "At booking")."""
    return text[:1].upper() + text[1:]


def lift_line(lift: dict) -> str:
    """The control group's answer in one sentence, its interval included."""
    if lift["since"] is None:
        return f"Lift: {lift['note']} ({lift['share']:.0%} of each week's ready patients will be)."
    offered, held = lift["offered"], lift["held_out"]
    said = (
        f"Lift since {lift['since']}: offered {offered['patients']} ready patients, "
        f"{percent(offered['conversion'])} took the offer up (${offered['revenue_per_patient'] or 0:,.0f} "
        f"each); held out {held['patients']}, {percent(held['conversion'])} "
        f"(${held['revenue_per_patient'] or 0:,.0f} each)"
    )
    conversion, revenue = lift["conversion_lift"], lift["revenue_lift_per_patient"]
    if conversion["value"] is None:
        return said + "; too few patients in a group to measure the lift yet."
    return (
        said + f"; lift {conversion['value'] * 100:+.0f} points (95%: {conversion['low'] * 100:+.0f} to "
        f"{conversion['high'] * 100:+.0f}), ${revenue['value']:+,.0f} per ready patient "
        f"(95%: ${revenue['low']:+,.0f} to ${revenue['high']:+,.0f})."
    )
