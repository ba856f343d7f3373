"""The vector store: Chroma, embedded under CROSSSELL_HOME or a server at CROSSSELL_CHROMA_URL.

Two collections: `patient_history` (each patient's notes, comments, goals and results, with
patient id, event id, date and kind) and `knowledge` (the service pages, a passage per section).
Both are indexed incrementally by content hash, and patient history only for the patients being
drafted, so a large practice never embeds everyone first. A history query is always filtered to
one patient, and results are checked again on the way out.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlparse

from numpy.typing import NDArray

from assistant import private
from assistant.drafting.brief import Source
from assistant.errors import ConfigurationError
from assistant.knowledge import Passage
from assistant.semantic import Embedder
from assistant.settings import DEFAULT_PRACTICE, Settings

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


def _client(settings: Settings, server: Server | None) -> Any:
    """The embedded store under the home (the home's own practice: the collections earlier
    versions wrote stay where they were), or the practice's database on the Chroma server."""
    import chromadb

    if server is not None:
        return _server_client(settings, server)
    private.folder(settings.chroma_dir)
    chroma = chromadb.config.Settings(anonymized_telemetry=False)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma)


@dataclass(frozen=True, slots=True)
class Server:
    """Where a Chroma server is, from CROSSSELL_CHROMA_URL; `shown` is the URL as errors
    name it."""

    host: str
    port: int
    ssl: bool
    shown: str

    @classmethod
    def of(cls, url: str) -> Server:
        try:
            parts = urlparse(url)
            port = parts.port
        except ValueError:
            raise ConfigurationError("CROSSSELL_CHROMA_URL must be http(s)://host:port") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError("CROSSSELL_CHROMA_URL must be http(s)://host:port")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        shown = f"{parts.scheme}://{host}" + (f":{port}" if port else "")
        if parts.username or parts.password:
            raise ConfigurationError(
                f"CROSSSELL_CHROMA_URL ({shown}) carries credentials, which are never sent: "
                "give the server's token in CROSSSELL_CHROMA_TOKEN (or CROSSSELL_CHROMA_HEADERS)"
            )
        ssl = parts.scheme == "https"
        return cls(parts.hostname, port or (443 if ssl else 8000), ssl, shown)


def practice_database(settings: Settings) -> str:
    """The practice's own database on a Chroma server. The default practice keeps Chroma's
    default database, where a single practice's collections have always been."""
    from chromadb.config import DEFAULT_DATABASE

    if settings.practice_id == DEFAULT_PRACTICE:
        return DEFAULT_DATABASE
    return f"crosssell-{settings.practice_id}"


def _server_settings(settings: Settings, server: Server) -> Any:
    """chromadb's settings for the server: its token through chromadb's own token auth, and
    the extra headers. A fresh object each time: chromadb keeps and changes the one it is given."""
    from chromadb.config import Settings as ChromaSettings

    auth: dict[str, Any] = {}
    if settings.chroma_token is not None:
        auth = {
            "chroma_client_auth_provider": "chromadb.auth.token_authn.TokenAuthClientProvider",
            "chroma_client_auth_credentials": settings.chroma_token.get_secret_value(),
            "chroma_auth_token_transport_header": settings.chroma_token_header,
        }
    return ChromaSettings(
        anonymized_telemetry=False,
        chroma_api_impl="chromadb.api.fastapi.FastAPI",
        chroma_server_host=server.host,
        chroma_server_http_port=server.port,
        chroma_server_ssl_enabled=server.ssl,
        chroma_server_headers=_headers(settings),
        **auth,
    )


def _headers(settings: Settings) -> dict[str, str]:
    return {name: value.get_secret_value() for name, value in settings.chroma_headers.items()}


def _server_client(settings: Settings, server: Server) -> Any:
    """A client on the practice's database, made first if the server lacks it (or its tenant)."""
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.errors import NotFoundError

    tenant, database = settings.chroma_tenant, practice_database(settings)
    with _reaching(settings, server.shown):
        admin = chromadb.AdminClient(_server_settings(settings, server))
        _bounded(admin, settings.chroma_timeout)
        try:
            try:
                admin.get_tenant(tenant)
            except NotFoundError:
                _create(lambda: admin.create_tenant(tenant), lambda: admin.get_tenant(tenant))
            try:
                admin.get_database(database, tenant)
            except NotFoundError:
                _create(
                    lambda: admin.create_database(database, tenant),
                    lambda: admin.get_database(database, tenant),
                )
        finally:
            SharedSystemClient._release_system(getattr(admin, "_identifier", ""))
        client = chromadb.HttpClient(
            host=server.host,
            port=server.port,
            ssl=server.ssl,
            headers=_headers(settings),
            settings=_server_settings(settings, server),
            tenant=tenant,
            database=database,
        )
        return _bounded(client, settings.chroma_timeout)


def _bounded(client: Any, seconds: float) -> Any:
    """The client with CROSSSELL_CHROMA_TIMEOUT on its requests: chromadb makes its HTTP
    session with none (`httpx.Client(timeout=None)`) and has no setting for one, so a server
    that accepts and never answers would hang the practice. The session is chromadb's
    `_server._session`; a chromadb without it gets a warning. The few requests `HttpClient`
    makes before it returns are not bounded: the admin client's, just before, were."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds)
    else:
        log.warning("cannot bound chromadb's requests: its HTTP session is not where it was")
    return client


def _create(create: Callable[[], object], get: Callable[[], object]) -> None:
    """Creates a tenant or database; one another worker made meanwhile is as good."""
    try:
        create()
    except Exception:
        get()


@contextmanager
def _reaching(settings: Settings, where: str, opening: bool = True) -> Iterator[None]:
    """Turns a vector store that cannot be reached, or refuses us, into our ConfigurationError
    naming the store; never with the token, the headers or credentials. While `opening`, any
    failure is one; later, only the store's own and its transport's (not a bug of ours)."""
    try:
        yield
    except ConfigurationError:
        raise
    except Exception as exc:
        if not (opening or _from_the_store(exc)):
            raise
        raise ConfigurationError(_unreachable(settings, where, exc)) from None


def _from_the_store(exc: Exception) -> bool:
    import httpx
    from chromadb.errors import ChromaError

    # chromadb raises a bare Exception with the body of an HTTP error it cannot name.
    return isinstance(exc, ChromaError | httpx.HTTPError) or type(exc) is Exception


def _unreachable(settings: Settings, where: str, exc: Exception) -> str:
    import httpx
    from chromadb.errors import AuthorizationError, ChromaAuthError

    text = str(exc)
    for secret in _secrets(settings):
        text = text.replace(secret, "***")
    refused = isinstance(exc, AuthorizationError | ChromaAuthError) or any(
        word in text for word in ("401", "403", "Unauthorized", "Forbidden", "Authorization header")
    )
    if settings.chroma_url and refused:
        return (
            f"the Chroma server at {where} refused us: check CROSSSELL_CHROMA_TOKEN, "
            "CROSSSELL_CHROMA_TOKEN_HEADER and CROSSSELL_CHROMA_HEADERS"
        )
    if settings.chroma_url and (isinstance(exc, httpx.TransportError) or "Could not connect" in text):
        why = f"{type(exc).__name__}: {text}"[:200] if isinstance(exc, httpx.TransportError) else "no answer"
        return f"cannot reach the Chroma server at {where} (CROSSSELL_CHROMA_URL; {why}): is it running?"
    return f"cannot open the vector store at {where}: {type(exc).__name__}: {text}"[:500]


def _secrets(settings: Settings) -> list[str]:
    found = [value for value in _headers(settings).values() if value]
    if settings.chroma_token is not None and settings.chroma_token.get_secret_value():
        found.append(settings.chroma_token.get_secret_value())
    return found


P = ParamSpec("P")
R = TypeVar("R")


def _reached(method: Callable[Concatenate[Library, P], R]) -> Callable[Concatenate[Library, P], R]:
    """The method's calls to the store, under `Library.reaching`."""

    @functools.wraps(method)
    def reached(self: Library, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.reaching():
            return method(self, *args, **kwargs)

    return reached


class Library:
    """Patient history and knowledge passages, indexed and searched by meaning."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.embedder = embedder
        self.settings = settings
        server = Server.of(settings.chroma_url) if settings.chroma_url else None
        self.where = server.shown if server else str(settings.chroma_dir)
        with self.reaching(opening=True):
            client = self._client = _client(settings, server)
            function = _chroma_embedding_function(embedder)
            space = {"hnsw:space": "cosine"}
            self.history = client.get_or_create_collection(
                HISTORY, embedding_function=function, metadata=space
            )
            self.knowledge = client.get_or_create_collection(
                KNOWLEDGE, embedding_function=function, metadata=space
            )

    def reaching(self, opening: bool = False) -> AbstractContextManager[None]:
        """Any call to the store: one that cannot be reached (or refuses us) is our
        ConfigurationError naming it, at start and midway alike."""
        return _reaching(self.settings, self.where, opening)

    def close(self) -> None:
        """Lets go of the store: an embedded store keeps one shared system per folder until
        its last client closes, and a folder replaced later (a new demo) must not meet it."""
        close = getattr(self._client, "close", None)
        if close is not None:
            close()

    # Indexing ---------------------------------------------------------------------------

    @_reached
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

    @_reached
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

    @_reached
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

    @_reached
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
