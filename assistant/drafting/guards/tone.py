"""The tone guard: calm, with no pressure, and easy to read."""

from __future__ import annotations

import re

import textstat

from assistant.drafting.guards.base import Checked, Finding, Guard
from assistant.drafting.guards.pressing import pressed

PRESSED = {
    "scarcity": ("urgency", "scarcity"),
    "deadline": ("urgency", "a deadline"),
    "prodding": ("urgency", "prodding to decide fast"),
    "obligation": ("pressure", "pressure"),
}
"""The finding kind (and so the eval weight) and the words a person reads, per kind of pressure."""


class Tone(Guard):
    name = "tone"
    dimension = "tone"

    def ok(self, draft: Checked) -> str:
        return f"calm, no pressure (reading grade {reading_grade(draft.body):.1f})"

    def check(self, draft: Checked) -> list[Finding]:
        text = draft.text
        problems = []
        listed: list[tuple[int, int]] = []
        for kind, label, phrases in (
            ("urgency", "false urgency", self.policy.urgency),
            ("guilt_fear", "guilt or fear", self.policy.guilt_fear),
            ("pressure", "pressure", self.policy.pressure),
        ):
            for _, said, at in phrases.find(text, negatable=True):
                problems.append(Finding(kind, f"{label}: '{said}'", phrases=(said,)))
                listed.append((at, at + len(said)))
        for piece in pressed(text, self.policy.pressing, draft.grounds.dates):
            if not any(piece.at < end and start < piece.at + len(piece.said) for start, end in listed):
                kind, label = PRESSED[piece.kind]
                problems.append(Finding(kind, f"{label}: '{piece.said}'", phrases=(piece.said,)))
        for _, said, _ in self.policy.salesy.find(text, negatable=True):
            problems.append(Finding("salesy", f"sales talk: '{said}'", blocking=False))
        problems += self._exclamations(text, draft.brief.channel)
        shouted = [
            w
            for w in re.findall(r"\b[A-Z][A-Z0-9+\-]{2,}\b", text)
            if w not in self.policy.acronyms and w.lower() not in draft.grounds.authorised.lower()
        ]
        if shouted:
            loud = tuple(sorted(set(shouted)))
            problems.append(Finding("shouting", "shouting in capitals: " + ", ".join(loud), phrases=loud))
        grade = reading_grade(draft.body)
        if grade > self.policy.limits["max_reading_grade"]:
            problems.append(
                Finding(
                    "reading_grade",
                    f"reading grade {grade:.1f} (at most {self.policy.limits['max_reading_grade']})",
                )
            )
        return problems

    def _exclamations(self, text: str, channel: str) -> list[Finding]:
        """Any exclamation mark is noted; more than the channel allows, or doubled, fails."""
        problems = []
        limit = self.policy.limits[f"max_exclamations_{channel}"]
        count = text.count("!")
        if count:
            over = count > limit
            problems.append(
                Finding(
                    "exclamations",
                    f"{count} exclamation mark"
                    f"{'s' if count > 1 else ''}" + (f" (at most {limit})" if over else ""),
                    blocking=over,
                )
            )
        if "!!" in text or "?!" in text:
            problems.append(Finding("exclamations", "repeated exclamation marks"))
        return problems


def reading_grade(text: str) -> float:
    return float(textstat.flesch_kincaid_grade(text)) if text.strip() else 0.0
