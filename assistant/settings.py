"""One typed settings object, read from the environment, with defaults that run offline."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """`CROSSSELL_*` variables; `CROSSSELL_DATABASE_URL` overrides the embedded SQLite file."""

    model_config = SettingsConfigDict(env_prefix="CROSSSELL_", extra="ignore")

    home: Path = Field(default_factory=lambda: Path.home() / ".crosssell")
    database_url: str | None = None
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    embedding_model_dir: Path | None = None
    import_batch_size: int = 20000
    import_workers: int = Field(default_factory=lambda: os.cpu_count() or 1)

    @cached_property
    def url(self) -> str:
        if self.database_url:
            return _normalise(self.database_url)
        return f"sqlite:///{self.home / 'crosssell.db'}"


def _normalise(url: str) -> str:
    """`postgresql://` means the maintained psycopg 3 driver."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
