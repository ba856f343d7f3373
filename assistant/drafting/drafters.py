"""Who writes a draft: the template drafter (always there, offline), a model behind the `Drafter`
interface, and the guarded loop that checks, re-asks and falls back."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Protocol

from assistant.drafting.brief import Brief, Grounds
from assistant.drafting.content import Attempt, DraftContent, Fact, GuardResult, Usage
from assistant.drafting.guards import Guards
from assistant.drafting.prompts import PromptBook
from assistant.drafting.wording import Words, aim, words

GOAL_MAX_CHARS = 80


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
    """Writes calm, specific drafts from the brief with the Jinja2 templates in `prompts/`, in
    phrasings chosen per patient. Patient free text is repeated only where it is a short goal
    that no guard objects to, and then in the second person ("your goal of losing ...")."""

    name = "template"

    def __init__(self, prompts: PromptBook, guards: Guards) -> None:
        self.prompts = prompts
        self.guards = guards

    def write(
        self, brief: Brief, feedback: list[GuardResult] | None = None, previous: Written | None = None
    ) -> Written:
        goal = next((g for g in brief.goals if self._safe(g) and aim(g)), "")
        discreet = words(brief, goal, discreet=True)
        if brief.channel == "sms":
            body, subject = self._sms(brief, discreet), ""
        else:
            body = _tidy(self.prompts.render("template/email.j2", b=brief, w=words(brief, goal, False)))
            subject = _tidy(self.prompts.render("template/subject.j2", b=brief, w=discreet))
        facts = [Fact(text=brief.signal, source=brief.signal_source)]
        facts += [Fact(text=p.text[:160], source=p.id) for p in brief.offer.passages[:1]]
        return Written(DraftContent(subject=subject, body=body, facts=facts))

    def _sms(self, brief: Brief, full: Words) -> str:
        """The fullest text that fits: the offer's reason goes first, then the goal, and last the
        moment's opening (what prompted the message)."""
        limit = self.guards.policy.limits["sms_max_chars"]
        opt_out = self.guards.policy.limits["sms_opt_out"]
        no_goal = replace(full, goal="")
        body = ""
        for said, detail, opening in (
            (full, True, True),
            (full, False, True),
            (no_goal, False, True),
            (full, False, False),
            (no_goal, False, False),
        ):
            body = _tidy(
                self.prompts.render(
                    "template/sms.j2", b=brief, w=said, detail=detail, opening=opening, opt_out=opt_out
                )
            )
            if len(body) <= limit:
                break
        return body

    def _safe(self, text: str) -> bool:
        return len(text) <= GOAL_MAX_CHARS and "\n" not in text and self.guards.harmless(text)


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
