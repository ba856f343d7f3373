"""Prompt files in `prompts/`, versioned by name (`draft/v1/...`), rendered in a sandboxed Jinja2
environment with StrictUndefined: a missing fact is an error, never a silent blank."""

from __future__ import annotations

import json
import re
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from assistant.drafting.brief import money
from assistant.drafting.wording import article, pick, sentence
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
    """One prompt version: `render("email.j2", ...)` reads `prompts/draft/<version>/email.j2`.

    A version may hold only the files it changes: its `version.json` names the version it
    `extends`, and every other file comes from there."""

    def __init__(self, prompts_dir: Path, version: str, family: str = "draft") -> None:
        self.root = prompts_dir / family / version
        self.version = f"{family}/{version}"
        self.env = SandboxedEnvironment(
            loader=FileSystemLoader([str(p) for p in _lineage(prompts_dir / family, version)]),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["data"] = data
        self.env.filters["money"] = money
        self.env.filters["sentence"] = sentence
        self.env.filters["article"] = article
        self.env.globals["pick"] = pick

    def render(self, name: str, **context: object) -> str:
        try:
            return self.env.get_template(name).render(**context).strip()
        except TemplateError as exc:
            raise ConfigurationError(f"prompt {self.version}/{name}: {exc}") from exc


def _lineage(family: Path, version: str) -> list[Path]:
    """The version's folder, then the folders of the versions it extends."""
    folders: list[Path] = []
    while version:
        folder = family / version
        if not folder.is_dir():
            raise ConfigurationError(f"no prompt version {version!r}: {folder} does not exist")
        if folder in folders:
            raise ConfigurationError(f"prompt version {version!r} extends itself")
        folders.append(folder)
        about = folder / "version.json"
        version = json.loads(about.read_text()).get("extends", "") if about.is_file() else ""
    return folders
