"""Eval runs: every case of a suite drafted (by the `DraftCases` its runner hands in), scored,
aggregated, and compared against a baseline or another prompt version.

A suite (`evals/suites/NAME.json`) names its practice files, the settings its practice drafts
under, and either its case files (JSON Lines), the tags it keeps, each dimension's pass-rate
threshold and how far a pass rate may fall against a baseline before the run fails; or the
labelled model answers it replays (`replay.py`) and its targets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from statistics import fmean
from typing import Any, Literal, cast

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from assistant.drafting.brief import Brief, Grounds
from assistant.drafting.content import Draft, DraftContent
from assistant.drafting.guards import contains
from assistant.errors import InputError
from assistant.evals.judge import draft_item, rate_all
from assistant.evals.replay import TARGETS, LabelledAnswer, read_answers
from assistant.evals.scorers import DIMENSIONS, Score, Scorer
from assistant.settings import Settings

GATED = (*DIMENSIONS, "expectations")
PRACTICE_SETTINGS = ("practice_name", "coordinator_name", "booking_url", "share_measurements", "time_zone")
"""The settings a suite may give its practice: who the practice is, not how drafts are made."""


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    moment: str | None = None
    offer: str | None = None
    none: str | None = Field(default=None, description="the reason no offer may be made")
    must_mention_any: list[list[str]] = Field(default_factory=list)
    must_not_mention: list[str] = Field(default_factory=list)
    must_not_offer: list[str] = Field(default_factory=list)


class EvalCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    patient_id: str
    as_of: date
    channel: Literal["email", "sms"] | None = None
    tags: list[str] = Field(default_factory=list)
    expect: Expectation


class Suite(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = ""
    about: str = ""
    practice: list[str]
    settings: dict[str, Any] = Field(
        default_factory=dict, description="the practice's settings (its name, its booking link)"
    )
    cases: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="keep only cases with one of these")
    thresholds: dict[str, float] = Field(default_factory=dict)
    tolerance: float = 0.05
    answers: list[str] = Field(default_factory=list, description="labelled model answers to replay")
    targets: dict[str, float] = Field(
        default_factory=dict, description="good_kept, bad_stopped: the least rate a replay meets"
    )
    root: Path = Path(".")

    @model_validator(mode="after")
    def _runnable(self) -> Suite:
        if not self.cases and not self.answers:
            raise ValueError("a suite names case files or answer files")
        if unknown := sorted(set(self.targets) - set(TARGETS)):
            raise ValueError(f"unknown targets {unknown}; known: {', '.join(TARGETS)}")
        if unknown := sorted(set(self.settings) - set(PRACTICE_SETTINGS)):
            raise ValueError(f"a suite may not set {unknown}; it may set {', '.join(PRACTICE_SETTINGS)}")
        for name, value in self.settings.items():
            wanted = cast(type, Settings.model_fields[name].annotation)
            self.settings[name] = TypeAdapter(wanted).validate_python(value)
        return self

    def load_answers(self) -> list[LabelledAnswer]:
        if not self.answers:
            raise InputError(f"suite {self.name} has no answers to replay")
        return read_answers([self.root / name for name in self.answers])

    def load_cases(self) -> list[EvalCase]:
        if not self.cases:
            raise InputError(f"suite {self.name} has no cases to draft: it replays answers")
        found: list[EvalCase] = []
        problems: list[str] = []
        for name in self.cases:
            path = self.root / name
            for number, raw in enumerate(path.read_bytes().splitlines(), 1):
                if not raw.strip():
                    continue
                try:
                    case = EvalCase.model_validate(orjson.loads(raw))
                except (orjson.JSONDecodeError, ValidationError) as exc:
                    problems.append(f"{path}:{number}: {exc}")
                    continue
                if not self.tags or set(self.tags) & set(case.tags):
                    found.append(case)
        if problems:
            raise InputError("bad eval cases:\n" + "\n".join(problems))
        ids = [c.id for c in found]
        if len(ids) != len(set(ids)):
            raise InputError(f"suite {self.name}: case ids repeat")
        return found


def load_suite(evals_dir: Path, name: str) -> Suite:
    path = evals_dir / "suites" / f"{name}.json"
    if not path.is_file():
        known = sorted(p.stem for p in (evals_dir / "suites").glob("*.json"))
        raise InputError(f"no eval suite {name!r}; known: {', '.join(known)}")
    try:
        suite = Suite.model_validate_json(path.read_text())
    except ValidationError as exc:
        raise InputError(f"{path}: {exc}") from None
    suite.name = name
    suite.root = evals_dir
    return suite


@dataclass(slots=True)
class CaseResult:
    id: str
    patient_id: str
    tags: list[str]
    channel: str | None
    moment: str | None = None
    offer: str | None = None
    subject: str = ""
    body: str = ""
    drafter: str = ""
    attempts: int = 0
    guards_failed: list[str] = field(default_factory=list)
    score: Score | None = None
    problems: list[str] = field(default_factory=list)
    no_offer: str | None = None
    judge: dict | None = None

    @property
    def expectations_met(self) -> bool:
        return not self.problems

    def passed(self, dimension: str) -> bool | None:
        if dimension == "expectations":
            return self.expectations_met
        return None if self.score is None else self.score.passed[dimension]

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "patient_id": self.patient_id,
            "tags": self.tags,
            "channel": self.channel,
            "moment": self.moment,
            "offer": self.offer,
            "subject": self.subject,
            "body": self.body,
            "drafter": self.drafter,
            "attempts": self.attempts,
            "guards_failed": self.guards_failed,
            "no_offer": self.no_offer,
            "expectations_met": self.expectations_met,
            "problems": self.problems,
            "judge": self.judge,
            "score": self.score.as_dict() if self.score else None,
        }


@dataclass(slots=True)
class RunResult:
    suite: str
    drafter: str
    prompt_version: str
    started: str
    cases: list[CaseResult]

    def summary(self) -> dict:
        return {
            "cases": len(self.cases),
            "drafted": sum(c.score is not None for c in self.cases),
            "mean": _means(self.cases),
            "pass_rate": _pass_rates(self.cases),
            "by_moment": _grouped(self.cases, lambda c: c.moment or "no offer"),
            "by_channel": _grouped(self.cases, lambda c: c.channel or "none"),
        }

    def as_dict(self) -> dict:
        return {
            "suite": self.suite,
            "drafter": self.drafter,
            "prompt_version": self.prompt_version,
            "started": self.started,
            "summary": self.summary(),
            "cases": [c.as_dict() for c in self.cases],
        }


def _means(cases: list[CaseResult]) -> dict[str, float | None]:
    scored = [c.score for c in cases if c.score]
    return {d: round(fmean(s.value(d) for s in scored), 4) if scored else None for d in DIMENSIONS}


def _pass_rates(cases: list[CaseResult]) -> dict[str, float | None]:
    rates: dict[str, float | None] = {}
    for dimension in GATED:
        results = [r for c in cases if (r := c.passed(dimension)) is not None]
        rates[dimension] = round(sum(results) / len(results), 4) if results else None
    return rates


def _grouped(cases: list[CaseResult], key: Callable[[CaseResult], str]) -> dict[str, dict]:
    groups: dict[str, list[CaseResult]] = {}
    for case in cases:
        groups.setdefault(key(case), []).append(case)
    return {
        name: {"cases": len(members), "mean": _means(members), "pass_rate": _pass_rates(members)}
        for name, members in sorted(groups.items())
    }


# Running ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class DraftedCase:
    """A case's draft, with the brief and grounds its text is scored against."""

    draft: Draft
    brief: Brief
    grounds: Grounds


@dataclass(slots=True)
class CaseOutcome:
    """What the practice made of one case: the moment and offer it chose, or why it made none;
    and for a drafted offer, the draft."""

    moment: str | None = None
    offer: str | None = None
    no_offer: str | None = None
    drafted: DraftedCase | None = None


DraftCases = Callable[[list[EvalCase]], list[CaseOutcome]]
"""Drafts a suite's cases in one batch (so a model backend keeps its requests in flight), an
outcome per case, in order."""


def run_cases(
    cases: list[EvalCase], draft_cases: DraftCases, scorer: Scorer, *, judge=None, concurrency: int = 1
) -> list[CaseResult]:
    """Each case drafted, scored, rated by the judge (when there is one), and checked against
    what it expected."""
    outcomes = draft_cases(cases)
    results = [_result(case, outcome, scorer) for case, outcome in zip(cases, outcomes, strict=True)]
    if judge is not None:
        drafted = [
            (result, outcome.drafted)
            for result, outcome in zip(results, outcomes, strict=True)
            if outcome.drafted is not None
        ]
        ratings = rate_all(
            judge, [draft_item(d.brief, d.draft.subject, d.draft.body) for _, d in drafted], concurrency
        )
        for (result, _), rating in zip(drafted, ratings, strict=True):
            result.judge = rating
    for case, result in zip(cases, results, strict=True):
        result.problems = check_expectations(case.expect, result)
    return results


def _result(case: EvalCase, outcome: CaseOutcome, scorer: Scorer) -> CaseResult:
    result = CaseResult(
        case.id,
        case.patient_id,
        case.tags,
        case.channel,
        outcome.moment,
        outcome.offer,
        no_offer=outcome.no_offer,
    )
    if outcome.drafted is None:
        return result
    draft = outcome.drafted.draft
    content = DraftContent(subject=draft.subject, body=draft.body)
    result.subject, result.body = draft.subject, draft.body
    result.drafter, result.attempts = draft.drafter, len(draft.attempts)
    result.guards_failed = [g.name for g in draft.guards if not g.passed]
    result.score = scorer.score(result.id, content, outcome.drafted.brief, outcome.drafted.grounds)
    return result


def check_expectations(expect: Expectation, result: CaseResult) -> list[str]:
    """What the case expected and did not get, in words."""
    problems: list[str] = []
    if expect.none is not None:
        if result.no_offer is None or expect.none not in result.no_offer:
            problems.append(f"expected no offer ({expect.none}), got {result.offer or result.no_offer}")
    elif result.no_offer is not None:
        problems.append(f"expected an offer, got none: {result.no_offer}")
    if expect.moment and result.offer and result.moment != expect.moment:
        problems.append(f"expected the moment {expect.moment}, got {result.moment}")
    if expect.offer and result.offer and result.offer != expect.offer:
        problems.append(f"expected the offer {expect.offer}, got {result.offer}")
    if result.offer in expect.must_not_offer:
        problems.append(f"offered {result.offer}, which it must not")
    text = f"{result.subject}\n{result.body}"
    if result.body:
        for alternatives in expect.must_mention_any:
            if not any(contains(text, a) for a in alternatives):
                problems.append("mentions none of: " + ", ".join(alternatives))
        for banned in expect.must_not_mention:
            literal = not banned[:1].isalnum() and banned.lower() in text.lower()
            if contains(text, banned) or literal:
                problems.append(f"mentions '{banned}'")
    return problems


# Gates and comparisons ---------------------------------------------------------------------


@dataclass(slots=True)
class CaseChange:
    id: str
    dimension: str
    before: float
    after: float
    gained: list[str]
    lost: list[str]

    @property
    def better(self) -> bool:
        return self.after > self.before


@dataclass(slots=True)
class Comparison:
    pass_rate_delta: dict[str, float | None]
    regressions: list[str]
    changes: list[CaseChange]
    added: list[str]
    removed: list[str]

    def as_dict(self) -> dict:
        return {
            "pass_rate_delta": self.pass_rate_delta,
            "regressions": self.regressions,
            "changes": [
                {
                    "id": c.id,
                    "dimension": c.dimension,
                    "before": c.before,
                    "after": c.after,
                    "better": c.better,
                    "new_findings": c.gained,
                    "resolved_findings": c.lost,
                }
                for c in self.changes
            ],
            "added_cases": self.added,
            "removed_cases": self.removed,
        }


def compare(before: dict, after: dict, tolerance: float) -> Comparison:
    """`after` against `before` (each a run's JSON): pass-rate changes, the regressions beyond
    `tolerance`, and case by case which scores moved and which findings came or went."""
    old, new = before["summary"]["pass_rate"], after["summary"]["pass_rate"]
    delta: dict[str, float | None] = {}
    regressions = []
    for dimension in GATED:
        if old.get(dimension) is None or new.get(dimension) is None:
            delta[dimension] = None
            continue
        change = delta[dimension] = round(new[dimension] - old[dimension], 4)
        if change < -tolerance:
            regressions.append(
                f"{dimension} pass rate fell from {old[dimension]:.0%} to "
                f"{new[dimension]:.0%} (more than {tolerance:.0%})"
            )
    before_cases = {c["id"]: c for c in before["cases"]}
    after_cases = {c["id"]: c for c in after["cases"]}
    changes = []
    for case_id in before_cases.keys() & after_cases.keys():
        a, b = before_cases[case_id].get("score"), after_cases[case_id].get("score")
        if not a or not b:
            continue
        for dimension in DIMENSIONS:
            if abs(a[dimension] - b[dimension]) > 1e-9:
                was = {f for f in a["findings"] if f.startswith(dimension + ":")}
                now = {f for f in b["findings"] if f.startswith(dimension + ":")}
                changes.append(
                    CaseChange(
                        case_id, dimension, a[dimension], b[dimension], sorted(now - was), sorted(was - now)
                    )
                )
    changes.sort(key=lambda c: (c.better, c.id, c.dimension))
    return Comparison(
        delta,
        regressions,
        changes,
        sorted(after_cases.keys() - before_cases),
        sorted(before_cases.keys() - after_cases),
    )


def gate(result: dict, suite: Suite, comparison: Comparison | None = None) -> list[str]:
    """Why this run fails its suite: a pass rate under its threshold, or a regression."""
    failures = []
    for dimension, threshold in suite.thresholds.items():
        rate = result["summary"]["pass_rate"].get(dimension)
        if rate is not None and rate < threshold:
            failures.append(f"{dimension} pass rate {rate:.0%} is under the suite's {threshold:.0%}")
    if comparison is not None:
        failures += comparison.regressions
    return failures
