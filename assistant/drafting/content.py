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


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(prompt_tokens=self.prompt_tokens + other.prompt_tokens,
                     completion_tokens=self.completion_tokens + other.completion_tokens)


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

    @property
    def passed(self) -> bool:
        return all(g.passed for g in self.guards)

    def summary(self) -> dict:
        """The JSON the `draft` command prints."""
        return {"id": self.id, "patient_id": self.patient_id, "moment": self.moment,
                "offer": self.offer, "channel": self.channel, "subject": self.subject,
                "body": self.body, "drafter": self.drafter,
                "guards": [g.model_dump() for g in self.guards],
                "sources": [s.model_dump() for s in self.sources],
                "attempts": len(self.attempts),
                "usage": self.usage.model_dump()}
