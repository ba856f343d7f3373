"""The vector store: Chroma, embedded under CROSSSELL_HOME or a server at CROSSSELL_CHROMA_URL.

Two collections: `patient_history` (each patient's notes, comments, goals and results, with
patient id, event id, date and kind) and `knowledge` (the service pages, a passage per section).
Both are indexed incrementally by content hash, and patient history only for the patients being
drafted, so a large practice never embeds everyone first. A history query is always filtered to
one patient, and results are checked again on the way out.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlparse

from numpy.typing import NDArray

from assistant import private
from assistant.drafting.brief import Source
from assistant.errors import ConfigurationError
from assistant.knowledge import Passage
from assistant.semantic import Embedder
from assistant.settings import Settings

Vector = Sequence[float] | NDArray[Any]
"""A query's embedding, as the embedder gives it."""
HISTORY = "patient_history"
KNOWLEDGE = "knowledge"
BATCH = 2000
log = logging.getLogger(__name__)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _chroma_embedding_function(embedder: Embedder) -> Any:
    """Chroma's default embedding function downloads a model; ours is the offline MiniLM."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class MiniLMEmbeddings(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            self.embedder = embedder

        def __call__(self, input: Documents) -> Embeddings:
            return [v for v in self.embedder.encode(list(input))]

        @staticmethod
        def name() -> str:
            return "crosssell-minilm"

        def get_config(self) -> dict[str, Any]:
            return {}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddings:
            return MiniLMEmbeddings()

    return MiniLMEmbeddings()


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigurationError(
                f"CROSSSELL_CHROMA_URL must be http(s)://host:port, got {settings.chroma_url!r}"
            )
        return chromadb.HttpClient(
            host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https", settings=chroma
        )
    private.folder(settings.chroma_dir)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma)


class Library:
    """Patient history and knowledge passages, indexed and searched by meaning."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.embedder = embedder
        try:
            client = self._client = _client(settings)
            function = _chroma_embedding_function(embedder)
            space = {"hnsw:space": "cosine"}
            self.history = client.get_or_create_collection(
                HISTORY, embedding_function=function, metadata=space
            )
            self.knowledge = client.get_or_create_collection(
                KNOWLEDGE, embedding_function=function, metadata=space
            )
        except ConfigurationError:
            raise
        except Exception as exc:
            where = settings.chroma_url or settings.chroma_dir
            raise ConfigurationError(f"cannot open the vector store at {where}: {exc}") from exc

    def close(self) -> None:
        """Lets go of the store: an embedded store keeps one shared system per folder until
        its last client closes, and a folder replaced later (a new demo) must not meet it."""
        close = getattr(self._client, "close", None)
        if close is not None:
            close()

    # Indexing ---------------------------------------------------------------------------

    def index_history(self, by_patient: dict[str, list[Source]]) -> int:
        """Brings these patients' entries up to date; returns how many were (re)embedded."""
        wanted: dict[str, tuple[Source, str, str]] = {}
        for patient_id, sources in by_patient.items():
            for source in sources:
                wanted[f"{patient_id}|{source.id}"] = (source, patient_id, content_hash(source.text))
        stored = self._stored(self.history, {"patient_id": {"$in": list(by_patient)}} if by_patient else None)
        stale = [i for i in stored if i not in wanted]
        todo = [(key, *value) for key, value in wanted.items() if stored.get(key) != value[2]]
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            self.history.upsert(
                ids=[key for key, *_ in chunk],
                documents=[source.text for _, source, _, _ in chunk],
                embeddings=self.embedder.encode([source.text for _, source, _, _ in chunk]),
                metadatas=[
                    {
                        "patient_id": patient_id,
                        "source_id": source.id,
                        "kind": source.kind,
                        "date": source.on.isoformat() if source.on else "",
                        "hash": digest,
                    }
                    for _, source, patient_id, digest in chunk
                ],
            )
        if stale:
            self.history.delete(ids=stale)
        return len(todo)

    def index_knowledge(self, passages: Iterable[Passage]) -> int:
        wanted = {p.id: (p, content_hash(p.text)) for p in passages}
        stored = self._stored(self.knowledge, None)
        todo = [(p, digest) for key, (p, digest) in wanted.items() if stored.get(key) != digest]
        if todo:
            self.knowledge.upsert(
                ids=[p.id for p, _ in todo],
                documents=[p.text for p, _ in todo],
                embeddings=self.embedder.encode([p.text for p, _ in todo]),
                metadatas=[
                    {
                        "service_id": p.service_id,
                        "section": p.section,
                        "hash": digest,
                        "restriction": p.is_restriction,
                    }
                    for p, digest in todo
                ],
            )
        stale = [i for i in stored if i not in wanted]
        if stale:
            self.knowledge.delete(ids=stale)
        return len(todo)

    def _stored(self, collection: Any, where: dict | None) -> dict[str, str]:
        if where is None:
            found = collection.get(include=["metadatas"])
        else:
            found = collection.get(where=where, include=["metadatas"])
        return {i: (m or {}).get("hash", "") for i, m in zip(found["ids"], found["metadatas"], strict=True)}

    # Searching --------------------------------------------------------------------------

    def snippets(
        self, patient_id: str, query: str, limit: int = 4, vector: Vector | None = None
    ) -> list[Source]:
        """The patient's own entries closest to the query. Never another patient's."""
        found = self._nearest(self.history, {"patient_id": patient_id}, query, limit, vector)
        snippets = []
        for _, text, meta in found:
            if meta.get("patient_id") != patient_id:
                log.error("vector store returned another patient's text; dropped")
                continue
            snippets.append(
                Source(
                    meta["source_id"],
                    meta["kind"],
                    date.fromisoformat(meta["date"]) if meta["date"] else None,
                    text,
                )
            )
        return snippets

    def passages(
        self, service_id: str, query: str, limit: int = 2, vector: Vector | None = None
    ) -> list[Source]:
        """The offer's own knowledge passages closest to the query (never its restrictions)."""
        where = {"$and": [{"service_id": service_id}, {"restriction": False}]}
        found = self._nearest(self.knowledge, where, query, limit, vector)
        return [
            Source(i, "knowledge", None, text)
            for i, text, meta in found
            if meta.get("service_id") == service_id
        ]

    def _nearest(
        self, collection: Any, where: dict, query: str, limit: int, vector: Vector | None
    ) -> list[tuple[str, str, dict]]:
        """(id, text, metadata) of the entries matching `where` closest to the query."""
        count = len(collection.get(where=where, include=[])["ids"])
        if count == 0:
            return []
        wanted = self.embedder.encode([query])[0] if vector is None else vector
        found = collection.query(
            query_embeddings=[wanted],
            n_results=min(limit, count),
            where=where,
            include=["documents", "metadatas"],
        )
        return list(zip(found["ids"][0], found["documents"][0], found["metadatas"][0], strict=True))
