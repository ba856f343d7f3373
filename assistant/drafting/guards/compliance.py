"""The compliance guard: no guaranteed outcomes, claims only where the offer's own pages support
them, and each channel's rules (SMS length and opt-out; email length and a next step)."""

from __future__ import annotations

import re

from assistant.drafting.brief import Grounds, aliases, short_name
from assistant.drafting.guards.base import Checked, Directory, Finding, Guard, Meaning
from assistant.drafting.guards.claims import Claims, Said
from assistant.drafting.guards.lexicon import Policy, contains

NEXT_STEP = re.compile(r"\b(reply|book|call|schedule|let us know|get in touch|ask us|visit)\b", re.IGNORECASE)


class Compliance(Guard):
    name = "compliance"
    blocks = True
    dimension = "compliance"

    def __init__(
        self, policy: Policy, directory: Directory | None = None, meaning: Meaning | None = None
    ) -> None:
        super().__init__(policy, directory, meaning)
        self.claims = Claims(policy.claims, policy.stopwords, meaning)

    def ok(self, draft: Checked) -> str:
        return (
            "SMS length and opt-out" if draft.brief.channel == "sms" else "email length"
        ) + ", no guarantees, claims only from the knowledge pages"

    def check(self, draft: Checked) -> list[Finding]:
        text = draft.text
        problems = [
            Finding("guarantee", f"guaranteed outcome: '{said}'", phrases=(said,))
            for _, said, _ in self.policy.guarantees.find(text, negatable=True)
        ]
        for _, said, _ in self.policy.medical_claims.find(text):
            if not contains(draft.grounds.authorised, said):
                problems.append(
                    Finding(
                        "medical_claim",
                        f"medical claim beyond the knowledge pages: '{said}'",
                        phrases=(said,),
                    )
                )
        problems += self._unsupported(draft)
        body = draft.body.strip()
        return problems + (self._sms(body) if draft.brief.channel == "sms" else self._email(body))

    def _unsupported(self, draft: Checked) -> list[Finding]:
        """Claims the offer's own pages do not support; a claim that names one of the patient's
        services may also rest on its page (their Botox results, on the Botox page). The
        patient's record and names may cover a claim's ordinary words, never its effects."""
        brief, grounds = draft.brief, draft.grounds
        context = (
            grounds.record,
            brief.first_name,
            brief.practice,
            brief.coordinator,
            brief.signal,
            brief.change,
            *brief.treatments,
            *brief.goals,
        )
        return [
            Finding(
                "claim",
                f"claim not in the practice's pages for {u.about}: '{u.sentence}' ({u.reason})",
                phrases=(u.sentence,),
            )
            for u in self.claims.check(
                draft.text, _offer(draft), _services(grounds), context, frozenset(grounds.numbers)
            )
        ]

    def _sms(self, body: str) -> list[Finding]:
        limits = self.policy.limits
        problems = []
        if len(body) > limits["sms_max_chars"]:
            problems.append(
                Finding("length", f"SMS is {len(body)} characters (at most {limits['sms_max_chars']})")
            )
        if limits["sms_opt_out"].lower() not in body.lower():
            problems.append(Finding("opt_out", f'SMS lacks "{limits["sms_opt_out"]}"'))
        return problems

    def _email(self, body: str) -> list[Finding]:
        limits = self.policy.limits
        problems = []
        words = len(body.split())
        if words > limits["email_max_words"]:
            problems.append(
                Finding("length", f"email is {words} words (at most {limits['email_max_words']})")
            )
        if not NEXT_STEP.search(body):
            problems.append(Finding("next_step", "no clear next step (reply or book a time)"))
        return problems


def _offer(draft: Checked) -> Said:
    """What the drafter was told about the offer (its reason, summary and passages) and all that
    the practice's pages say about it."""
    offer, grounds = draft.brief.offer, draft.grounds
    texts = (
        offer.why,
        offer.summary,
        *(p.text for p in offer.passages),
        *grounds.pages.get(grounds.offer.id, []),
    )
    names = (*aliases(grounds.offer), offer.name)
    return Said(short_name(grounds.offer), names, tuple(dict.fromkeys(t for t in texts if t)))


def _services(grounds: Grounds) -> list[Said]:
    """What the pages say about the patient's own services."""
    return [
        Said(short_name(service), tuple(aliases(service)), tuple(said))
        for service_id, said in grounds.pages.items()
        if service_id != grounds.offer.id and (service := grounds.menu.get(service_id))
    ]
