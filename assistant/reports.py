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
