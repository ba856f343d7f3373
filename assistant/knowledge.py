"""The practice knowledge shipped in `knowledge/`: the default menu and the feedback lexicon."""

from __future__ import annotations

from pathlib import Path

import orjson

from assistant.domain.contract import ContractError, parse_service
from assistant.domain.history import Sentiment
from assistant.domain.records import Service
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
