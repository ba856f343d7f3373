"""The compliance guard: no guaranteed outcomes, medical claims only from the knowledge pages,
and each channel's rules (SMS length and opt-out; email length and a next step)."""

from __future__ import annotations

import re

from assistant.drafting.guards.base import Checked, Finding, Guard
from assistant.drafting.guards.lexicon import contains

NEXT_STEP = re.compile(r"\b(reply|book|call|schedule|let us know|get in touch|ask us|visit)\b", re.IGNORECASE)


class Compliance(Guard):
    name = "compliance"
    blocks = True
    dimension = "compliance"

    def ok(self, draft: Checked) -> str:
        return (
            "SMS length and opt-out" if draft.brief.channel == "sms" else "email length"
        ) + ", no guarantees, claims only from the knowledge pages"

    def check(self, draft: Checked) -> list[Finding]:
        text = draft.text
        problems = [
            Finding("guarantee", f"guaranteed outcome: '{said}'")
            for _, said, _ in self.policy.guarantees.find(text, negatable=True)
        ]
        for _, said, _ in self.policy.medical_claims.find(text):
            if not contains(draft.grounds.authorised, said):
                problems.append(
                    Finding("medical_claim", f"medical claim beyond the knowledge pages: '{said}'")
                )
        body = draft.body.strip()
        return problems + (self._sms(body) if draft.brief.channel == "sms" else self._email(body))

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
