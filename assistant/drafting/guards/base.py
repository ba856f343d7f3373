"""What every guard shares: the draft it reads, what it finds, and the result a person sees."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from assistant.domain.names import OtherPatient
from assistant.drafting.brief import Brief, Grounds
from assistant.drafting.content import DraftContent, GuardResult
from assistant.drafting.guards.lexicon import Policy, normalise


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a guard noticed. A blocking finding fails the guard; a soft one only lowers
    the eval score of the same dimension (one implementation, two uses)."""

    kind: str
    text: str
    blocking: bool = True
    phrases: tuple[str, ...] = ()
    """The words of the draft it is about, where there are some to point at."""


class Directory(Protocol):
    """Finds the practice's other patients among the words and ids a draft mentions."""

    def other_patients(self, patient_id: str, names: set[str], ids: set[str]) -> list[OtherPatient]:
        """Every patient but `patient_id` whose first name, last name or id has one of these
        keys (`domain.names.fold`: case, accents and look-alike letters folded)."""
        ...


class Meaning(Protocol):
    """How close in meaning texts are to references (the practice's sentences): one row per text,
    one similarity per reference, 1 for the same meaning. Asked once per draft, with all of its
    claims; references repeat across drafts, so an implementation may keep theirs."""

    def similarities(self, texts: Sequence[str], references: Sequence[str]) -> list[list[float]]: ...


@dataclass(frozen=True, slots=True)
class Checked:
    """A draft as the guards read it: its content (None when the drafter gave none), the brief it
    was written from, the grounds it must trace to, and why its structured output failed."""

    content: DraftContent | None
    brief: Brief
    grounds: Grounds
    error: str | None = None

    @property
    def message(self) -> DraftContent:
        """The content, for guards that only run when there is a message (`needs_message`)."""
        if self.content is None:
            raise ValueError("this draft has no message to check")
        return self.content

    @property
    def text(self) -> str:
        """Subject and body together, with plain quotes."""
        return normalise(f"{self.message.subject}\n{self.message.body}")

    @property
    def body(self) -> str:
        return self.message.body


class Guard(ABC):
    """One named check of a draft. A guard that `blocks` stops a failing draft from going to a
    provider: the law and other patients' privacy are not a matter of taste; the others are shown
    to the provider as warnings. `dimension` is the eval score its findings lower, if any."""

    name: ClassVar[str]
    blocks: ClassVar[bool] = False
    dimension: ClassVar[str | None] = None
    needs_message: ClassVar[bool] = True
    """False for a guard that also has something to say about a draft with no message."""
    passing: ClassVar[str]
    """What a passing result says."""

    def __init__(
        self, policy: Policy, directory: Directory | None = None, meaning: Meaning | None = None
    ) -> None:
        self.policy = policy
        self.directory = directory
        self.meaning = meaning

    @abstractmethod
    def check(self, draft: Checked) -> list[Finding]:
        """Everything this guard notices, blocking or soft."""

    def ok(self, draft: Checked) -> str:
        return self.passing

    def result(self, draft: Checked) -> GuardResult:
        found = [f for f in self.check(draft) if f.blocking]
        problems = list(dict.fromkeys(f.text for f in found))
        if problems:
            phrases = list(dict.fromkeys(p for f in found for p in f.phrases if p))
            return GuardResult(
                name=self.name, passed=False, detail="; ".join(problems), blocks=self.blocks, phrases=phrases
            )
        return GuardResult(name=self.name, passed=True, detail=self.ok(draft), blocks=self.blocks)

    def unchecked(self) -> GuardResult:
        """The result when there is no message to check: a fail, since nothing passed."""
        return GuardResult(name=self.name, passed=False, detail="no message to check", blocks=self.blocks)
