"""Deterministic, explainable scores for a message: tone, specificity, grounding, compliance.

Each score is 1 minus the weights of what the drafting guards found in that dimension (the
same code: every registered guard that names the dimension it feeds), so a draft that fails a
guard also scores low here, and the findings are the guards' own words. Weights and thresholds
live in `knowledge/guards.json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.drafting.brief import Brief, Grounds
from assistant.drafting.content import DraftContent
from assistant.drafting.guards import Checked, Finding, Guards

DIMENSIONS = ("tone", "specificity", "grounding", "compliance")


@dataclass(frozen=True, slots=True)
class Scoring:
    """Weights per finding kind, and each dimension's pass threshold."""

    weights: dict[str, dict[str, float]]
    thresholds: dict[str, float]

    @classmethod
    def from_lexicon(cls, lexicon: dict) -> Scoring:
        table = lexicon["scoring"]
        return cls({d: dict(table[d]) for d in DIMENSIONS}, dict(table["thresholds"]))

    def score(self, dimension: str, findings: list[Finding]) -> float:
        weights = self.weights[dimension]
        lost = sum(weights.get(f.kind, 0.25) for f in findings)
        return round(max(0.0, 1.0 - lost), 4)


@dataclass(slots=True)
class Score:
    """One message's scores and what lowered them."""

    id: str
    tone: float
    specificity: float
    grounding: float
    compliance: float
    compliance_passed: bool
    findings: list[str] = field(default_factory=list)
    passed: dict[str, bool] = field(default_factory=dict)

    def value(self, dimension: str) -> float:
        return float(getattr(self, dimension))

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "tone": self.tone,
            "specificity": self.specificity,
            "grounding": self.grounding,
            "compliance": self.compliance,
            "compliance_passed": self.compliance_passed,
            "passed": self.passed,
            "findings": self.findings,
        }


class Scorer:
    """Scores messages with the drafting guards' findings."""

    def __init__(self, guards: Guards, scoring: Scoring) -> None:
        self.guards = guards
        self.scoring = scoring

    def score(self, message_id: str, content: DraftContent, brief: Brief, grounds: Grounds) -> Score:
        draft = Checked(content, brief, grounds)
        found: dict[str, list[Finding]] = {d: [] for d in DIMENSIONS}
        for guard in self.guards:
            if guard.dimension in found:
                found[guard.dimension] += guard.check(draft)
        scores = {d: self.scoring.score(d, f) for d, f in found.items()}
        passed = {d: scores[d] >= self.scoring.thresholds[d] for d in DIMENSIONS}
        compliance_passed = not any(f.blocking for f in found["compliance"])
        passed["compliance"] = compliance_passed
        findings = [
            f"{d}: {f.text}" + ("" if f.blocking else " (soft)")
            for d in DIMENSIONS
            for f in _unique(found[d])
        ]
        return Score(
            message_id,
            scores["tone"],
            scores["specificity"],
            scores["grounding"],
            scores["compliance"],
            compliance_passed,
            findings,
            passed,
        )


def _unique(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))
