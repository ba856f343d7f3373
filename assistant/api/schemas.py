"""What the API reads and what it answers, as pydantic models, so /openapi.json describes the
real bodies. The answers model the dicts the review desk already builds (`Draft.review_view`,
`listing`, the queue, `ImportReport.as_dict`, ...): `extra="allow"` keeps any key a view gains
before its model does, so a body is never cut short by its schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from assistant.domain.days import SPAN, utc_within, within
from assistant.domain.review import Role
from assistant.drafting.content import GuardResult, ReviewNote, SourceRef, Usage

Channel = Literal["email", "sms"]
SUBJECT_LIMIT = 300
TEXT_LIMIT = 10_000
"""The longest subject and message a person may write: the guards' time grows with the text."""


def _day(value: date) -> date:
    if not within(value):
        raise ValueError(f"must be a date {SPAN}")
    return value


def _time(value: datetime) -> datetime:
    if utc_within(value) is None:
        raise ValueError(f"must be a time {SPAN}")
    return value


Day = Annotated[date, AfterValidator(_day)]
"""A date in a body or a query: 422 outside the days a practice's records may name."""
Time = Annotated[datetime, AfterValidator(_time)]
DAY_DEFAULT_TODAY = f"a date {SPAN}; default: today"


# Bodies ----------------------------------------------------------------------------------


class Login(BaseModel):
    user_id: str
    password: str


class NewDraft(BaseModel):
    patient_id: str
    as_of: Day | None = Field(default=None, description=DAY_DEFAULT_TODAY)
    channel: Channel | None = None


class Week(BaseModel):
    as_of: Day | None = Field(default=None, description=DAY_DEFAULT_TODAY)
    limit: int | None = Field(default=None, ge=0)


class Edit(BaseModel):
    version: int = Field(description="the version you opened; a stale one is refused (409)")
    subject: str | None = Field(default=None, max_length=SUBJECT_LIMIT)
    body: str | None = Field(default=None, max_length=TEXT_LIMIT)


class Check(BaseModel):
    subject: str = Field(default="", max_length=SUBJECT_LIMIT)
    body: str = Field(max_length=TEXT_LIMIT)


class Step(BaseModel):
    version: int | None = Field(default=None, description="when given, must be current")
    comment: str = ""


class Decision(BaseModel):
    version: int = Field(description="the version you were shown; a stale one is refused (409)")
    comment: str = ""


class Rejection(BaseModel):
    version: int = Field(description="the version you were shown; a stale one is refused (409)")
    comment: str = Field(min_length=1, description="what to change")


class OutcomeBody(BaseModel):
    outcome: Literal["accepted", "declined"]
    version: int | None = None


class OutcomeCorrection(BaseModel):
    outcome: Literal["accepted", "declined"] | None = Field(
        description="the patient's answer as it really was; null: not known (undoes the outcome)"
    )
    version: int | None = Field(default=None, description="when given, must be current")


class TestSend(BaseModel):
    to: str = Field(max_length=320, description="your own email address, or phone for an SMS draft")


class Reply(BaseModel):
    patient_id: str
    channel: Channel
    text: str
    at: Time | None = Field(default=None, description=f"a time {SPAN}; default: now")


class NewUser(BaseModel):
    user_id: str
    role: Role
    password: str
    name: str = ""


class PasswordChange(BaseModel):
    current_password: str
    new_password: str = Field(description="at least 8 characters")


class PasswordSet(BaseModel):
    password: str = Field(description="at least 8 characters")


class NewToken(BaseModel):
    """When the token stops working: after a number of days, at a time, or (neither) never."""

    expires_in_days: float | None = Field(default=None, gt=0, le=36500)
    expires_at: datetime | None = Field(default=None, description="without a zone: the practice's time")

    @model_validator(mode="after")
    def _one_expiry(self) -> NewToken:
        if self.expires_in_days is not None and self.expires_at is not None:
            raise ValueError("give expires_in_days or expires_at, not both")
        return self


# Answers ---------------------------------------------------------------------------------


class View(BaseModel):
    model_config = ConfigDict(extra="allow")


class Error(View):
    """Every 4xx and 5xx answer."""

    error: str = Field(description="what went wrong, for a person")
    status: int = Field(description="the HTTP status, repeated")


class Health(View):
    status: Literal["ok"]


class UserView(View):
    id: str
    name: str
    role: Role
    active: bool


class Session(View):
    token: str
    token_type: Literal["bearer"]
    user: UserView
    expires_in_hours: float


class LoggedOut(View):
    logged_out: str = Field(description="the user whose session ended")


class PasswordChanged(View):
    password_changed: str = Field(description="the user whose password changed; their other sessions ended")


class TokenView(View):
    """A token as an admin sees it: never the token itself."""

    kind: Literal["api", "session"]
    created_at: datetime
    expires_at: datetime | None = Field(description="null: until it is replaced or revoked")
    last_used_at: datetime | None = Field(description="to the minute; null: never used")


class TokenIssued(View):
    user: str
    token: str = Field(description="the API token, shown this once")
    expires_at: datetime | None


class Rejected(View):
    line: int
    reason: str
    message: str


class PatientChanged(View):
    fields: list[str] = Field(description="the fields of the record that changed (all it holds, if new)")
    events: int = Field(description="how many of the patient's events were added or changed")


class ImportSummary(View):
    """`ImportReport.as_dict()`: what the push stored, which lines it refused, and which
    patients it changed."""

    lines: int
    added: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    rejected: int
    rejected_by_reason: dict[str, int]
    rejections: list[Rejected]
    changed: dict[str, PatientChanged] = Field(description="by patient id")


class ImportRefused(ImportSummary, Error):
    """A push of which no line could be stored: the error and the whole report."""


class RowProblem(View):
    """A row of the export refused (or noted), by its row number and column, never its value."""

    row: int = Field(description="as the spreadsheet shows it: the header is row 1")
    column: str | None = Field(description="the export's header, or null for the whole row")
    reason: str


class MergedRow(View):
    row: int
    into_row: int = Field(description="the row of the same person it was merged into")


class ServiceMatched(View):
    name: str = Field(description="the export's name for the service")
    service_id: str
    how: str = Field(description="name, alias or meaning")
    confidence: float
    rows: int


class NearestService(View):
    service_id: str
    confidence: float


class ServiceSuggested(View):
    """A service name the menu does not know: its rows were refused."""

    name: str
    rows: int
    closest: NearestService | None = Field(description="the nearest service, a hint for an alias")
    entry: dict[str, Any] | None = Field(
        description="a menu line in the import contract to add it; null for a name that is no service"
    )
    note: str = Field("", description='why there is no menu line ("not a treatment: left off the menu")')


class SheetImported(View):
    """`SheetImport.as_dict()`: what an export did or, in a dry run, would do. Every key is
    always there: a dry run's `added`, `updated` and `changed` are null, as are a real run's
    `would_add`, `would_update` and `samples`."""

    file: str
    mapping: str = Field(description="the preset's or the mapping's name")
    dry_run: bool
    columns: dict[str, list[str]] = Field(description="by contract field: the export's headers that fill it")
    missing_columns: list[str] = Field(description="mapped fields none of whose headers is in the export")
    records: int = Field(description="contract records the rows became")
    rejected: int
    rejections: list[RowProblem]
    merged: list[MergedRow]
    skipped: dict[str, int]
    unmatched_services: dict[str, int] = Field(description="by name: the rows naming it")
    service_matches: list[ServiceMatched]
    suggested_services: list[ServiceSuggested]
    notes: list[RowProblem]
    consent_on_file: int = Field(description="new patients given consent on the owner's word")
    would_add: dict[str, int] | None = Field(default=None, description="a dry run's, by table")
    would_update: dict[str, int] | None = Field(default=None, description="a dry run's, by table")
    samples: list[dict[str, Any]] | None = Field(
        default=None, description="a dry run's first records as they would be stored"
    )
    added: dict[str, int] | None = Field(default=None, description="by table")
    updated: dict[str, int] | None = Field(default=None, description="by table")
    unchanged: dict[str, int] = Field(description="by table")
    changed: dict[str, PatientChanged] | None = Field(default=None, description="by patient id")


class ReplyRecorded(View):
    patient_id: str
    recorded: Literal["opted_out", "opted_in", "help", "declined", "feedback"]


class DraftRow(View):
    """A draft in a list (`listing`): enough to choose it, none of its text."""

    id: str
    patient_id: str
    first_name: str
    as_of: str
    moment: str
    offer: str
    offer_name: str
    price: float
    channel: str
    status: str
    version: int
    drafter: str
    failed_guards: list[str]
    created_at: str
    submitted_by: str | None = Field(default=None, description="who last submitted it with a note")
    submitted_at: str | None = None
    submit_note: str | None = Field(default=None, description="the last submission note to the provider")
    rejected_by: str | None = Field(default=None, description="the provider who last rejected it")
    rejected_at: str | None = None
    rejection_comment: str | None = Field(default=None, description="what the provider asked to change")


class DeliveryView(View):
    """A sent draft's message: queued -> sending -> delivered | failed."""

    message_id: str
    state: Literal["queued", "sending", "delivered", "failed"]
    attempts: int
    next_attempt_at: str | None
    delivered_at: str | None
    error: str | None
    carrier: str | None = None
    """The SMS provider's last report on the message (Twilio's status callback)."""
    said: str = Field(default="", description="where the message is, in words a person reads")


class DraftView(View):
    """An opened draft (`Draft.review_view`): its text, guards, sources and review trail."""

    id: str
    patient_id: str
    moment: str
    offer: str
    channel: str
    subject: str
    body: str
    drafter: str
    guards: list[GuardResult]
    sources: list[SourceRef]
    attempts: int = Field(description="how many tries the drafters took")
    usage: Usage
    status: str
    version: int
    as_of: str
    offer_name: str
    price: float
    prompt_version: str
    created_at: str
    notes: list[ReviewNote]
    edited_by: str | None
    approved_by: str | None
    approved_version: int | None = None
    sent_at: str | None
    sent_via: str | None
    delivery: DeliveryView | None = Field(
        default=None, description="the message in the outbox, once the draft was sent"
    )


class ReadyPatient(View):
    """One patient ready this week: what to offer, why, and their draft for the day, if any."""

    patient_id: str
    name: str
    moment: str
    offer: str
    offer_name: str
    price: float
    p_accept: float
    expected_value: float
    evidence: str
    reasons: list[str]
    channel: str
    signal: str
    interval: list[float]
    chosen_by: str | None
    probability_chosen: float | None
    this_week: bool = Field(
        description="one of this week's top patients (the rule weekly_capacity); false: also ready"
    )
    draft: DraftRow | None


class Queue(View):
    as_of: str
    total_ready: int
    capacity: int = Field(description="how many patients a week the practice offers to (weekly_capacity)")
    offered_this_week: int = Field(
        default=0, description="patients offered earlier this week (Monday on): their places are taken"
    )
    ready: list[ReadyPatient]


class NotDrafted(View):
    patient_id: str
    reason: str


class HeldOut(View):
    patient_id: str
    offer: str
    moment: str


class WeekDrafted(View):
    as_of: str
    ready: int
    drafts: list[DraftView]
    not_drafted: list[NotDrafted]
    already_open: list[DraftView] = Field(
        default_factory=list, description="ready patients' open drafts, kept (one offer at a time)"
    )
    held_out: list[HeldOut] = Field(
        default_factory=list, description="ready patients drawn for this week's control group: no draft"
    )


class HistoryEvent(View):
    """One event of the patient's record, as the reviewer sees it beside the draft."""

    id: str
    date: str
    kind: str
    service: str | None
    text: str
    sentence: str = ""
    """The event in the practice's words ("Weighed 280 lb on 12 Sep"), the patient's own words
    quoted as written."""


class LearningReport(View):
    """What `learn report` prints; the nested tables are kept as they are."""

    as_of: str
    outcomes: int
    practice_rate: float
    by_moment: dict[str, Any]
    by_segment: dict[str, Any]
    by_offer: list[dict[str, Any]]
    off_policy: dict[str, Any]
    lift: dict[str, Any] = Field(
        default_factory=dict, description="conversion and revenue per ready patient, offered vs held out"
    )
    min_outcomes: int = Field(
        default=0, description="answered offers an offer needs to be named a top or bottom converter"
    )
    measured: dict[str, Any] = Field(
        default_factory=dict,
        description="received, not projected: revenue from accepted offers, offers made and acceptance "
        "(95% interval), over the year to date and the last 12 months",
    )


class Diagnostic(View):
    """The article's revenue diagnostic; the nested figures are kept as they are."""

    as_of: str
    window: str
    touchpoints_in_use: int
    touchpoints_possible: int
    touchpoints: list[dict[str, Any]]
    revenue: dict[str, Any]
    cancellation: dict[str, Any]
    what_if: dict[str, Any]


class UserAdded(View):
    user: UserView
    token: str = Field(description="their API token, shown this once")


class AuditEntryView(View):
    id: int
    at: str
    actor: str
    action: str
    draft_id: str | None
    patient_id: str | None
    detail: dict[str, Any]


# Error answers, for `responses=` ---------------------------------------------------------

MEANINGS = {
    401: "no valid token (with WWW-Authenticate: Bearer)",
    403: "your role may not do this",
    404: "no such draft, patient, user or path",
    405: "the path does not take this method",
    409: "the draft's state or version does not allow this, or the patient is not eligible",
    413: "the upload is over the size limit",
    422: "a bad body or parameter",
    429: "too many failed logins: try again after Retry-After seconds",
    500: "an unexpected failure",
    503: "the database or the vector store cannot be reached, or the service is not configured for this",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting `{"error", "status"}` for each status."""
    return {status: {"model": Error, "description": MEANINGS[status]} for status in statuses}


SIGNED_IN = errors(401, 403, 404, 409, 422, 500, 503)
"""What any route behind a token can answer besides its success."""


class MessagePreview(View):
    """A draft as its patient would receive it (`Review.preview`): composed by the senders."""

    channel: Channel
    to: str = Field(description="the patient's address, masked")
    sender: str = Field(description="the From line (empty for an SMS)")
    reply_to: str
    subject: str
    text: str = Field(description="the plain text as it arrives, footer and unsubscribe line included")
    encoding: str | None = Field(default=None, description="an SMS's encoding: GSM-7 or UCS-2")
    units: int | None = None
    segments: int | None = Field(default=None, description="how many SMS segments it goes as")


class TestSentView(View):
    channel: Channel
    to: str = Field(description="where the test went, masked")
    via: str
