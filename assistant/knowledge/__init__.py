"""The practice knowledge shipped in `knowledge/`: the default menu, the feedback and guard
lexicons, how replies are read for consent, the segment rules, and the service pages that
ground drafted messages.

A folder's files are read through its one `Knowledge` (`Knowledge.at(folder)`): each file once
per process, and again only when its modification time or size changes, so a scan, an
evaluation or a drafting pays for a stat, not a parse, and an edited file is still picked up.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import orjson

from assistant.domain.consent import Replies
from assistant.domain.contract import ContractError, parse_service
from assistant.domain.history import Menu, Sentiment
from assistant.domain.records import Service
from assistant.domain.segments import Segmentation
from assistant.errors import ConfigurationError

Stamp = tuple[tuple[str, int, int], ...]


class Knowledge:
    """One knowledge folder's files, each parsed once and parsed again when it changes."""

    _opened: ClassVar[dict[Path, Knowledge]] = {}

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._loaded: dict[str, tuple[Stamp, Any]] = {}

    @classmethod
    def at(cls, folder: Path) -> Knowledge:
        """The process's one `Knowledge` for this folder, however its path is spelled."""
        key = folder.resolve()
        found = cls._opened.get(key)
        if found is None:
            found = cls._opened[key] = cls(folder)
        return found

    @property
    def default_menu(self) -> Menu:
        """The BRIEF's default menu, used until a practice imports its own."""
        return self._file("menu.jsonl", lambda path: Menu(_read_menu(path)))

    @property
    def sentiment(self) -> Sentiment:
        return self._file("sentiment.json", _read_sentiment)

    @property
    def guard_lexicon(self) -> dict:
        return self._file("guards.json", _read_guard_lexicon)

    @property
    def replies(self) -> Replies:
        """How a patient's reply is read: consent keywords and refusals (knowledge/consent.json)."""
        return self._file("consent.json", _read_replies)

    @property
    def segmentation(self) -> Segmentation:
        """How segments and price bands are derived (knowledge/segments.json)."""
        return self._file("segments.json", _read_segmentation)

    @property
    def service_pages(self) -> dict[str, list[Passage]]:
        """`services/<id>.md`, split at `## ` headings; keyed by service id."""
        paths = sorted((self.folder / "services").glob("*.md"))
        return self._cached("services", paths, lambda: _read_pages(paths))

    def said_about(self, service: Service, menu: Menu) -> list[str]:
        """What the practice says about a service, the only text a claim about it may rest on:
        its menu entry, its page's sections (not what must not be claimed) and the reasons the
        menu gives for offering it after another service."""
        page = [p.text for p in self.service_pages.get(service.id, []) if not p.is_restriction]
        reasons = [step.why for s in menu for step in s.next_steps if step.to == service.id and step.why]
        return [f"{service.name}. {service.description}".strip(), *page, *reasons]

    def _file(self, name: str, read: Callable[[Path], Any]) -> Any:
        path = self.folder / name
        return self._cached(name, [path], lambda: read(path))

    def _cached(self, key: str, paths: Sequence[Path], read: Callable[[], Any]) -> Any:
        """The value kept for `key` while its files' stamp holds; else read (and kept) anew.
        A file that cannot be stat'ed is read, so its reader raises the error it always did."""
        stamp = _stamp(paths)
        kept = self._loaded.get(key)
        if stamp is not None and kept is not None and kept[0] == stamp:
            return kept[1]
        value = read()
        if stamp is not None:
            self._loaded[key] = (stamp, value)
        return value


def _stamp(paths: Sequence[Path]) -> Stamp | None:
    try:
        return tuple((p.name, (s := os.stat(p)).st_mtime_ns, s.st_size) for p in paths)
    except OSError:
        return None


def _read_menu(path: Path) -> list[Service]:
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


def _read_sentiment(path: Path) -> Sentiment:
    try:
        words = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigurationError(f"cannot read the feedback lexicon {path}: {exc}") from exc
    return Sentiment(words.get("positive", []), words.get("negative", []))


def _read_guard_lexicon(path: Path) -> dict:
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigurationError(f"cannot read the guard lexicon {path}: {exc}") from exc


def _read_replies(path: Path) -> Replies:
    try:
        words = orjson.loads(path.read_bytes())
        return Replies(
            words["opt_out"],
            words["opt_out_all"],
            words["opt_in"],
            words["help"],
            words["refusals"],
            words.get("declines", []),
        )
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, re.error) as exc:
        raise ConfigurationError(f"cannot read the consent keywords {path}: {exc}") from exc


def _read_segmentation(path: Path) -> Segmentation:
    try:
        return Segmentation.from_config(orjson.loads(path.read_bytes()))
    except (OSError, orjson.JSONDecodeError, KeyError, ValueError) as exc:
        raise ConfigurationError(f"cannot read the segment rules {path}: {exc}") from exc


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


def _read_pages(paths: Sequence[Path]) -> dict[str, list[Passage]]:
    return {path.stem: _sections(path.stem, path.read_text(encoding="utf-8")) for path in paths}


def _sections(service_id: str, text: str) -> list[Passage]:
    passages = []
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = block.partition("\n")
        body = " ".join(body.split())
        if body:
            slug = re.sub(r"[^a-z0-9]+", "-", heading.strip().lower()).strip("-")
            passages.append(Passage(f"knowledge:{service_id}#{slug}", service_id, heading.strip(), body))
    return passages


def menu_passage(service: Service) -> Passage:
    """A service with no page of its own is grounded by its menu description."""
    return Passage(
        f"menu:{service.id}", service.id, "Menu description", f"{service.name}: {service.description}".strip()
    )
