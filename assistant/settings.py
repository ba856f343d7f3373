"""One typed settings object, read from the environment, with defaults that run offline."""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from assistant.errors import ConfigurationError


def bundled(name: str) -> Path:
    """A data folder shipped inside the package: `knowledge`, `prompts`, `evals/data`, `ui`."""
    return Path(str(resources.files("assistant").joinpath(name)))


Backend = Literal["none", "openai", "local"]
"""Who writes the drafts: the templates only, an OpenAI-compatible server, the bundled model."""
DEFAULT_PRACTICE = "default"
PRACTICE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
"""A practice id: 1-32 lowercase letters, digits, `-` or `_`, starting with a letter or digit (it
names the practice's database on a shared Chroma server)."""
CHROMA_TENANT = re.compile(r"[A-Za-z0-9_-]{3,64}")
"""What a Chroma server accepts as a tenant name."""


class Settings(BaseSettings):
    """`CROSSSELL_*` variables; `CROSSSELL_DATABASE_URL` overrides the embedded SQLite file."""

    model_config = SettingsConfigDict(env_prefix="CROSSSELL_", extra="ignore")

    home: Path = Field(default_factory=lambda: Path.home() / ".crosssell")
    database_url: str | None = None
    database_timeout: float = Field(
        default=10.0,
        gt=0,
        description="seconds a PostgreSQL server has to accept a connection; past it, the database "
        "is reported as not reachable (libpq counts whole seconds, at least 2)",
    )
    knowledge_dir: Path = Field(default_factory=lambda: bundled("knowledge"))
    embedding_model_dir: Path | None = None
    import_batch_size: int = 20000
    import_max_line_bytes: int = Field(
        default=64 * 1024, gt=0, description="an import line longer than this is rejected unread"
    )
    max_price: float = Field(
        default=100_000.0,
        gt=0,
        description="the highest price or amount of money an import line may name; above it the line "
        "is rejected",
    )
    import_workers: int = Field(default_factory=lambda: os.cpu_count() or 1)
    time_zone: str = Field(
        default="UTC",
        description="the practice's IANA time zone: its 'today' and the day a scan or a send belongs to",
    )
    country: str = Field(
        default="US",
        pattern=r"^[A-Za-z]{2}$",
        description="the practice's country (ISO 3166 code): how a spreadsheet's phone numbers without "
        "a country code are read",
    )
    clock: str | None = Field(
        default=None,
        description="a fixed date or ISO 8601 time the "
        "product takes as now (demos and tests); unset: the wall clock",
    )

    # Drafting
    prompts_dir: Path = Field(default_factory=lambda: bundled("prompts"))
    evals_dir: Path = Field(default_factory=lambda: bundled("evals/data"))
    prompt_version: str = "v1"
    practice_name: str = Field(default="", description="the practice's name: drafts are signed with it")
    coordinator_name: str = Field(
        default="", description="the coordinator's first name, signed above the practice's name"
    )
    booking_url: str = Field(
        default="", description="the practice's booking link: the one link a draft may carry"
    )
    share_measurements: bool = Field(
        default=False,
        description="whether an email body may quote measurements (body weight, BMI, doses, lab values)",
    )
    chroma_url: str | None = Field(
        default=None,
        description="a Chroma server (http(s)://host:port) instead of the embedded store under the home",
    )
    practice_id: str = Field(
        default=DEFAULT_PRACTICE,
        description="which practice this is on a shared Chroma server: each has a Chroma database of its own",
    )
    chroma_tenant: str = Field(
        default="default_tenant", description="the Chroma server's tenant the practices' databases are in"
    )
    chroma_token: SecretStr | None = Field(
        default=None, description="the Chroma server's auth token, sent with every request"
    )
    chroma_token_header: Literal["Authorization", "X-Chroma-Token"] = Field(
        default="Authorization",
        description="how the token is sent: `Authorization: Bearer <token>` or `X-Chroma-Token: <token>`",
    )
    chroma_headers: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="extra headers for the Chroma server (a JSON object), e.g. a proxy's key",
    )
    chroma_timeout: float = Field(
        default=10.0,
        gt=0,
        description="seconds the Chroma server has to connect and to answer each request; past it, "
        "the server is reported as not reachable",
    )
    llm: Literal["auto", Backend] = "auto"
    model: str = "gpt-4o-mini"
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "CROSSSELL_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "CROSSSELL_OPENAI_BASE_URL")
    )
    json_mode: Literal["json_object", "json_schema", "schema_object", "off"] = "json_object"
    llm_timeout: float = 60.0
    llm_transport_retries: int = 3
    reasks: int = 2
    draft_concurrency: int = 8
    max_output_tokens: int = 400
    local_model_path: Path | None = None
    # The local server answers one request at a time, so a full batch queues behind it.
    local_timeout: float = 600.0
    local_threads: int = Field(default_factory=lambda: os.cpu_count() or 1)

    # Review and sending
    session_hours: float = 12.0
    login_max_failures: int = Field(
        default=5, ge=1, description="failed logins to one account within the window before it is locked"
    )
    login_max_failures_per_address: int = Field(
        default=20,
        ge=1,
        description="failed logins from one client address, to any accounts, before it is locked",
    )
    login_window_minutes: float = Field(default=15.0, gt=0, description="how long a failed login counts")
    login_lockout_minutes: float = Field(
        default=15.0, gt=0, description="how long logins are refused (even the right password) once locked"
    )
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    max_body_bytes: int = Field(
        default=5 * 2**20, gt=0, description="the largest request body the API reads (413 above it)"
    )
    max_upload_bytes: int = Field(
        default=20 * 2**20,
        gt=0,
        description="the largest booking-system export the API and the screen take (413 above it)",
    )
    ui_port: int = 8501
    email_sender: Literal["auto", "smtp", "outbox", "postmark"] = Field(
        default="auto",
        description="`auto` (SMTP when a host is set, else .eml files in the outbox), `smtp`, "
        "`outbox`, or `postmark` (an HTTP mail API: CROSSSELL_MAIL_API_*)",
    )
    mail_api_url: str = Field(
        default="https://api.postmarkapp.com",
        description="the mail API's address (Postmark's, or a compatible one; a test points it elsewhere)",
    )
    mail_api_token: SecretStr | None = Field(
        default=None, description="the mail API's server token (sent as X-Postmark-Server-Token)"
    )
    mail_api_stream: str = Field(
        default="broadcast", description="the message stream offers go out on (Postmark's broadcast stream)"
    )
    mail_api_timeout: float = Field(default=15.0, gt=0)
    mail_api_attempts: int = Field(
        default=3, ge=1, description="tries of one delivery on a 5xx, 429 or timeout before it fails"
    )
    mail_api_backoff_seconds: float = Field(
        default=1.0, ge=0, description="wait before the mail API's next try; doubles after each"
    )
    sms_sender: str = Field(
        default="outbox",
        description="`outbox` (a CSV file for the SMS provider's bulk upload), `twilio`, or "
        "`module:Class` of a Sender",
    )
    twilio_account_sid: str | None = Field(default=None, description="the Twilio account (AC...)")
    twilio_auth_token: SecretStr | None = Field(
        default=None, description="the account's auth token: signs Twilio's webhooks too"
    )
    twilio_messaging_service_sid: str | None = Field(
        default=None, description="the Messaging Service (MG...) SMS is sent through"
    )
    twilio_from: str | None = Field(
        default=None, description="the number SMS is sent from, without a Messaging Service"
    )
    twilio_api_base: str = Field(
        default="https://api.twilio.com", description="Twilio's REST API (a test points it elsewhere)"
    )
    twilio_timeout: float = 30.0
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = 30.0
    mail_from: str = "offers@practice.invalid"
    mail_reply_to: str = Field(
        default="", description="where a patient's reply to an email goes (default: From)"
    )
    practice_address: str = Field(
        default="",
        description="the practice's postal address, in every email's footer (CAN-SPAM); "
        "email over SMTP is refused without it",
    )
    public_url: str = Field(
        default="",
        description="the API's address as patients reach it (https://...): each email's "
        "unsubscribe link points there; email over SMTP is refused without it",
    )
    unsubscribe_secret: SecretStr | None = Field(
        default=None,
        description="the key that signs unsubscribe links; default: a key kept in the home folder "
        "(set it when several machines serve the API)",
    )
    # The outbox: a send enqueues, and a worker delivers with retries.
    deliver_on_send: bool = Field(
        default=True,
        description="try the first delivery at once, in the request (the worker retries); "
        "false when only `crosssell worker` delivers",
    )
    delivery_attempts: int = Field(default=5, ge=1, description="tries before a message fails for good")
    delivery_backoff_seconds: float = Field(
        default=60.0, ge=0, description="wait before the first retry; doubles after each failure"
    )
    delivery_lease_seconds: float = Field(
        default=300.0, gt=0, description="a message left `sending` this long is taken up again"
    )
    worker_poll_seconds: float = Field(default=5.0, gt=0, description="how often the worker looks")

    @field_validator("practice_id")
    @classmethod
    def _practice_id(cls, value: str) -> str:
        if not PRACTICE_ID.fullmatch(value):
            raise ValueError(
                "must be 1-32 lowercase letters, digits, '-' or '_', starting with a letter or digit"
            )
        return value

    @field_validator("chroma_tenant")
    @classmethod
    def _chroma_tenant(cls, value: str) -> str:
        if not CHROMA_TENANT.fullmatch(value):
            raise ValueError("must be 3-64 letters, digits, '-' or '_'")
        return value

    @property
    def outbox_dir(self) -> Path:
        return self.home / "outbox"

    @property
    def backend(self) -> str:
        """`auto` means the OpenAI-compatible backend when one is configured, else templates."""
        if self.llm != "auto":
            return self.llm
        return "openai" if self.openai_api_key or self.openai_base_url else "none"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def url(self) -> str:
        if self.database_url:
            return _normalise(self.database_url)
        return f"sqlite:///{self.home / 'crosssell.db'}"


def _normalise(url: str) -> str:
    """`postgresql://` means the maintained psycopg 3 driver."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def settings_error(exc: ValidationError | SettingsError) -> ConfigurationError:
    """What is wrong with the environment, by variable name; never the value given (it may be
    a token or a password)."""
    if isinstance(exc, SettingsError):
        field = re.search(r'field "(\w+)"', str(exc))
        name = f"CROSSSELL_{field.group(1).upper()}" if field else "a CROSSSELL_ setting"
        return ConfigurationError(f"{name} cannot be read: it must be valid JSON of the documented shape")
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        where = error["loc"][0] if error["loc"] else ""
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"CROSSSELL_{str(where).upper()}: {message}" if where else message)
    return ConfigurationError("; ".join(problems))
