"""What a drafter returns and what a stored draft records: attempts, guard results, sources."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Fact(BaseModel):
    """One fact the draft uses, with the id of the source it came from."""

    text: str = Field(description="the fact as used in the message")
    source: str = Field(description="the id of the source (an event id or a knowledge id)")


class DraftContent(BaseModel):
    """The structured output every drafter produces."""

    subject: str = Field(default="", description="email subject line; empty for SMS")
    body: str = Field(description="the message itself")
    facts: list[Fact] = Field(default_factory=list, description="facts used and their source ids")


class GuardResult(BaseModel):
    name: str
    passed: bool
    detail: str
    blocks: bool = Field(default=False, description="a failure stops the draft going to a provider")
    phrases: list[str] = Field(
        default_factory=list, description="the words of the text that failed it, as the guard read them"
    )


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class Attempt(BaseModel):
    """One try by one drafter: what it wrote (or the error), and what the guards found."""

    number: int
    drafter: str
    content: DraftContent | None = None
    error: str | None = None
    guards: list[GuardResult] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.content is not None and all(g.passed for g in self.guards)


class SourceRef(BaseModel):
    id: str
    kind: str
    date: str | None = None
    text: str


class ReviewNote(BaseModel):
    """A reviewer's comment on a draft (an approval note, a rejection's reason)."""

    at: str
    actor: str
    action: str
    comment: str


class Draft(BaseModel):
    """A drafted message for one patient at one moment, ready for a coordinator's review."""

    id: str = ""
    patient_id: str
    as_of: str
    moment: str
    offer: str
    offer_name: str
    price: float
    channel: str
    subject: str
    body: str
    drafter: str
    guards: list[GuardResult]
    sources: list[SourceRef]
    attempts: list[Attempt]
    usage: Usage
    prompt_version: str
    status: str = "drafted"
    created_at: str = ""
    version: int = 1
    brief: dict | None = Field(
        default=None, description="what the drafter was given; edits are checked against it"
    )
    notes: list[ReviewNote] = Field(default_factory=list)
    edited_by: str | None = None
    approved_by: str | None = None
    approved_version: int | None = Field(
        default=None, description="the version the provider approved (approval moves it one on)"
    )
    sent_at: str | None = None
    sent_via: str | None = None
    decision: dict | None = Field(
        default=None,
        description="how the offer was chosen (policy, propensity, options), logged with the presented offer",
    )
    delivery: dict | None = Field(
        default=None, exclude=True, description="its message's state in the outbox (not stored here)"
    )

    @property
    def passed(self) -> bool:
        return all(g.passed for g in self.guards)

    def summary(self) -> dict:
        """The JSON the `draft` command prints."""
        return {
            "id": self.id,
            "patient_id": self.patient_id,
            "moment": self.moment,
            "offer": self.offer,
            "channel": self.channel,
            "subject": self.subject,
            "body": self.body,
            "drafter": self.drafter,
            "guards": [g.model_dump() for g in self.guards],
            "sources": [s.model_dump() for s in self.sources],
            "attempts": len(self.attempts),
            "usage": self.usage.model_dump(),
        }

    def review_view(self) -> dict:
        """What a reviewer sees: the summary plus status, version and the review trail."""
        return {
            **self.summary(),
            "status": self.status,
            "version": self.version,
            "as_of": self.as_of,
            "offer_name": self.offer_name,
            "price": self.price,
            "prompt_version": self.prompt_version,
            "created_at": self.created_at,
            "notes": [n.model_dump() for n in self.notes],
            "edited_by": self.edited_by,
            "approved_by": self.approved_by,
            "approved_version": self.approved_version,
            "sent_at": self.sent_at,
            "sent_via": self.sent_via,
            "delivery": self.delivery,
        }
