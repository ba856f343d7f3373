"""The practice knowledge shipped in `knowledge/`: the default menu, the feedback and guard
lexicons, and the service pages that ground drafted messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import orjson

from assistant.domain.contract import ContractError, parse_service
from assistant.domain.history import Sentiment
from assistant.domain.records import Service
from assistant.domain.segments import Segmentation
from assistant.errors import ConfigurationError


def default_menu(knowledge_dir: Path) -> list[Service]:
    """The BRIEF's default menu, used until a practice imports its own."""
    path = knowledge_dir / "menu.jsonl"
    services = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the default menu {path}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            services.append(parse_service(orjson.loads(line)))
        except (orjson.JSONDecodeError, ContractError) as exc:
            raise ConfigurationError(f"{path} line {number}: {exc}") from exc
    return services


def sentiment(knowledge_dir: Path) -> Sentiment:
    path = knowledge_dir / "sentiment.json"
    try:
        words = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigurationError(f"cannot read the feedback lexicon {path}: {exc}") from exc
    return Sentiment(words.get("positive", []), words.get("negative", []))


MUST_NOT_CLAIM = "what we must not claim"


@dataclass(frozen=True, slots=True)
class Passage:
    """One section of a service page: the unit the knowledge collection stores and cites."""

    id: str
    service_id: str
    section: str
    text: str

    @property
    def is_restriction(self) -> bool:
        return self.section.lower() == MUST_NOT_CLAIM


def service_pages(knowledge_dir: Path) -> dict[str, list[Passage]]:
    """`services/<id>.md`, split at `## ` headings; keyed by service id."""
    pages: dict[str, list[Passage]] = {}
    for path in sorted((knowledge_dir / "services").glob("*.md")):
        pages[path.stem] = _sections(path.stem, path.read_text(encoding="utf-8"))
    return pages


def _sections(service_id: str, text: str) -> list[Passage]:
    passages = []
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = block.partition("\n")
        body = " ".join(body.split())
        if body:
            slug = re.sub(r"[^a-z0-9]+", "-", heading.strip().lower()).strip("-")
            passages.append(Passage(f"knowledge:{service_id}#{slug}", service_id,
                                    heading.strip(), body))
    return passages


def menu_passage(service: Service) -> Passage:
    """A service with no page of its own is grounded by its menu description."""
    return Passage(f"menu:{service.id}", service.id, "Menu description",
                   f"{service.name}: {service.description}".strip())


def guard_lexicon(knowledge_dir: Path) -> dict:
    path = knowledge_dir / "guards.json"
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigurationError(f"cannot read the guard lexicon {path}: {exc}") from exc


def segmentation(knowledge_dir: Path) -> Segmentation:
    """How segments and price bands are derived (knowledge/segments.json)."""
    path = knowledge_dir / "segments.json"
    try:
        return Segmentation.from_config(orjson.loads(path.read_bytes()))
    except (OSError, orjson.JSONDecodeError, KeyError, ValueError) as exc:
        raise ConfigurationError(f"cannot read the segment rules {path}: {exc}") from exc
