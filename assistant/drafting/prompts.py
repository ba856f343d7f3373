"""Prompt files in `prompts/`, versioned by name (`draft/v1/...`), rendered in a sandboxed Jinja2
environment with StrictUndefined: a missing fact is an error, never a silent blank."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from assistant.drafting.brief import money
from assistant.errors import ConfigurationError

DATA_LIMIT = 240
FENCE = re.compile(r"</?\s*patient_record\s*>", re.IGNORECASE)


def data(text: object, limit: int = DATA_LIMIT) -> str:
    """Patient free text as inert data: one line, no fence markers, bounded, JSON-quoted."""
    flat = " ".join(FENCE.sub(" ", str(text)).split())
    if len(flat) > limit:
        flat = flat[: limit - 3].rstrip() + "..."
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


class PromptBook:
    """One prompt version: `render("email.j2", ...)` reads `prompts/draft/<version>/email.j2`."""

    def __init__(self, prompts_dir: Path, version: str, family: str = "draft") -> None:
        self.root = prompts_dir / family / version
        if not self.root.is_dir():
            raise ConfigurationError(f"no prompt version {version!r}: {self.root} does not exist")
        self.version = f"{family}/{version}"
        self.env = SandboxedEnvironment(loader=FileSystemLoader(str(self.root)),
                                        undefined=StrictUndefined, autoescape=False,
                                        trim_blocks=True, lstrip_blocks=True)
        self.env.filters["data"] = data
        self.env.filters["money"] = money

    def render(self, name: str, **context: object) -> str:
        try:
            return self.env.get_template(name).render(**context).strip()
        except TemplateError as exc:
            raise ConfigurationError(f"prompt {self.version}/{name}: {exc}") from exc
