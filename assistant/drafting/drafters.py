"""Who writes a draft: the template drafter (always there, offline), a model behind the `Drafter`
interface, and the guarded loop that checks, re-asks and falls back."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Protocol

from assistant.drafting.brief import Brief, Grounds
from assistant.drafting.content import Attempt, DraftContent, Fact, GuardResult, Usage
from assistant.drafting.guards import Guards, discreet
from assistant.drafting.prompts import PromptBook

GOAL_MAX_CHARS = 80
SECOND_PERSON = {
    "i am": "you are",
    "i was": "you were",
    "i": "you",
    "i'm": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "my": "your",
    "me": "you",
    "mine": "yours",
    "myself": "yourself",
}
FIRST_PERSON = re.compile(r"\b(?:i am|i was|i'm|i've|i'd|i'll|i|my|me|mine|myself)\b", re.IGNORECASE)


@dataclass(slots=True)
class Written:
    """What one drafter call produced: content, or why there is none."""

    content: DraftContent | None
    usage: Usage = field(default_factory=Usage)
    error: str | None = None
    transport_failed: bool = False
    raw: str = ""


class Drafter(Protocol):
    name: str

    def write(
        self, brief: Brief, feedback: list[GuardResult] | None = None, previous: Written | None = None
    ) -> Written: ...


class TemplateDrafter:
    """Writes calm, specific drafts from the brief with the Jinja2 templates in `prompts/`.
    Patient free text is repeated only where it is a short goal that no guard objects to, said
    in the second person; an SMS names no sensitive care and no measured change."""

    name = "template"

    def __init__(self, prompts: PromptBook, guards: Guards) -> None:
        self.prompts = prompts
        self.guards = guards

    def write(
        self, brief: Brief, feedback: list[GuardResult] | None = None, previous: Written | None = None
    ) -> Written:
        policy = self.guards.policy
        goals = (second_person(g) for g in brief.goals if self._safe(g))
        goal = next((g for g in goals if discreet(g, brief, policy)), "")
        shown = self._discreet(brief) if brief.channel == "sms" else brief
        context = {"b": shown, "why": why_clause(shown.offer.why), "opt_out": policy.limits["sms_opt_out"]}
        if brief.channel == "sms":
            body, subject = self._sms(context, goal), ""
        else:
            body = _tidy(self.prompts.render("template/email.j2", goal=goal, **context))
            subject = _tidy(self.prompts.render("template/subject.j2", goal=goal, **context))
        facts = [Fact(text=brief.signal, source=brief.signal_source)]
        facts += [Fact(text=p.text[:160], source=p.id) for p in brief.offer.passages[:1]]
        return Written(DraftContent(subject=subject, body=body, facts=facts))

    def _sms(self, context: dict, goal: str) -> str:
        """The fullest text that fits: the offer's detail goes first, then the moment's opening
        (the goal stays), and last the goal."""
        limit = self.guards.policy.limits["sms_max_chars"]
        body = ""
        for wanted, detail, opening in (
            (goal, True, True),
            (goal, False, True),
            (goal, False, False),
            ("", False, True),
        ):
            body = _tidy(
                self.prompts.render("template/sms.j2", goal=wanted, detail=detail, opening=opening, **context)
            )
            if len(body) <= limit:
                break
        return body

    def _safe(self, text: str) -> bool:
        return len(text) <= GOAL_MAX_CHARS and "\n" not in text and self.guards.harmless(text)

    def _discreet(self, brief: Brief) -> Brief:
        """The brief as an SMS may tell it, on a lock screen: no sensitive care by name (a
        sensitive offer by its kind alone, "our program"), no measured change."""
        hidden = set(brief.sensitive)
        offer, policy = brief.offer, self.guards.policy
        offer = replace(
            offer,
            name=offer.kind if offer.sensitive else offer.name,
            why=offer.why if not offer.sensitive and discreet(offer.why, brief, policy) else "",
            summary=offer.summary if not offer.sensitive and discreet(offer.summary, brief, policy) else "",
        )
        return replace(
            brief,
            offer=offer,
            treatments=[t for t in brief.treatments if t not in hidden],
            booked="visit" if brief.booked in hidden else brief.booked,
            change="",
        )


def second_person(text: str) -> str:
    """The patient's own words said back to them: "lose 50 pounds before my surgery" becomes
    "lose 50 pounds before your surgery"."""
    return FIRST_PERSON.sub(lambda m: SECOND_PERSON[m.group().lower()], text)


def why_clause(why: str) -> str:
    """The menu's reason as a clause after the offer's name: a verb phrase ("protects your
    results") reads ": it protects your results", a noun phrase (priority booking) ", with ..."."""
    why = why.strip().rstrip(".")
    if not why:
        return ""
    first = why.split()[0].lower()
    if first.endswith("s") and not first.endswith("ss"):
        return f": it {why}"
    return f", with {why}"


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass(slots=True)
class Drafted:
    """The guarded loop's answer: the accepted attempt (or the last one) and every attempt made."""

    final: Attempt
    attempts: list[Attempt]

    @property
    def usage(self) -> Usage:
        total = Usage()
        for attempt in self.attempts:
            total = total + attempt.usage
        return total


class GuardedDrafter:
    """Asks the model, checks every answer, re-asks with the failures as feedback, and falls
    back to the template drafter when the model cannot produce a draft that passes."""

    def __init__(
        self, guards: Guards, fallback: TemplateDrafter, model: Drafter | None = None, reasks: int = 2
    ) -> None:
        self.guards = guards
        self.fallback = fallback
        self.model = model
        self.reasks = reasks

    def draft(self, brief: Brief, grounds: Grounds) -> Drafted:
        attempts: list[Attempt] = []
        if self.model is not None:
            previous: Written | None = None
            feedback: list[GuardResult] | None = None
            for _ in range(1 + self.reasks):
                written, attempt = self._try(
                    self.model, brief, grounds, len(attempts) + 1, feedback, previous
                )
                attempts.append(attempt)
                if attempt.passed:
                    return Drafted(attempt, attempts)
                if written.transport_failed:
                    break
                feedback = [g for g in attempt.guards if not g.passed]
                previous = written
        _, attempt = self._try(self.fallback, brief, grounds, len(attempts) + 1, None, None)
        attempts.append(attempt)
        return Drafted(attempt, attempts)

    def _try(
        self,
        drafter: Drafter,
        brief: Brief,
        grounds: Grounds,
        number: int,
        feedback: list[GuardResult] | None,
        previous: Written | None,
    ) -> tuple[Written, Attempt]:
        started = time.perf_counter()
        written = drafter.write(brief, feedback, previous)
        guards = self.guards.check(written.content, brief, grounds, written.error)
        attempt = Attempt(
            number=number,
            drafter=drafter.name,
            content=written.content,
            error=written.error,
            guards=guards,
            usage=written.usage,
            seconds=round(time.perf_counter() - started, 3),
        )
        return written, attempt
