"""Labelled model answers replayed through the real drafting chain: how many good answers the
guards keep on the first attempt, how many bad ones they stop, and which guard does what.

An answers file holds one JSON object a line: {"id", "patient_id", "as_of", "channel" (email,
sms or null for the preferred one), "offer"? (the offer id it was written for: checked when
given), "label": "good" | "bad", "defect"? (a bad answer's defect class), "guard"? (the guard
expected to stop it), "note"?, "answer": {"subject", "body", "facts": [{"text", "source"}]}},
the answer exactly as a model would give it to our prompt (sources by the prompt's labels, R1,
K1).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from statistics import fmean, median
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from assistant.drafting.content import Attempt, GuardResult
from assistant.drafting.guards import GUARDS
from assistant.errors import InputError

TARGETS = {"good_kept": "good", "bad_stopped": "bad"}
"""Each target a suite may set, and the label of the answers it is the rate of."""


class AnswerFact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    source: str


class ModelAnswer(BaseModel):
    """What the model says: the drafter's JSON, before any parsing."""

    model_config = ConfigDict(extra="forbid")
    subject: str = ""
    body: str
    facts: list[AnswerFact] = Field(default_factory=list)


class LabelledAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    patient_id: str = Field(min_length=1)
    as_of: date
    channel: Literal["email", "sms"] | None = None
    offer: str | None = Field(default=None, description="the offer id the answer was written for")
    label: Literal["good", "bad"]
    defect: str | None = Field(default=None, description="a bad answer's defect class")
    guard: str | None = Field(default=None, description="the guard expected to stop a bad answer")
    note: str | None = None
    answer: ModelAnswer
    _where: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _labelled(self) -> LabelledAnswer:
        if self.label == "bad" and not self.defect:
            raise ValueError("a bad answer names its defect class")
        if self.label == "good" and (self.defect or self.guard):
            raise ValueError("a good answer has no defect and no guard to stop it")
        known = [g.name for g in GUARDS]
        if self.guard is not None and self.guard not in known:
            raise ValueError(f"unknown guard {self.guard!r}; known: {', '.join(known)}")
        return self

    @property
    def where(self) -> str:
        """The file and line it came from."""
        return self._where

    @property
    def text(self) -> str:
        """The answer as the model's reply: a JSON string."""
        return json.dumps(self.answer.model_dump(), ensure_ascii=False)


def read_answers(paths: Sequence[Path]) -> list[LabelledAnswer]:
    """Every answer of these files, in order. A bad line is named by file and number, with
    why, and none is replayed until every line is good."""
    found: list[LabelledAnswer] = []
    problems: list[str] = []
    for path in paths:
        if not path.is_file():
            problems.append(f"{path}: no such file")
            continue
        for number, raw in enumerate(path.read_bytes().splitlines(), 1):
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            try:
                answer = LabelledAnswer.model_validate(orjson.loads(raw))
            except orjson.JSONDecodeError as exc:
                problems.append(f"{where}: not a JSON object ({exc})")
                continue
            except ValidationError as exc:
                problems.append(f"{where}: {_reasons(exc)}")
                continue
            answer._where = where
            found.append(answer)
    seen: dict[str, str] = {}
    for answer in found:
        if answer.id in seen:
            problems.append(f"{answer.where}: the id {answer.id!r} repeats {seen[answer.id]}")
        seen.setdefault(answer.id, answer.where)
    if problems:
        raise InputError("bad answer lines:\n" + "\n".join(problems))
    if not found:
        raise InputError("no answers to replay in " + ", ".join(map(str, paths)))
    return found


def _reasons(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg'].removeprefix('Value error, ')}"
        for e in exc.errors()[:3]
    )


# What each answer came to -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Replayed:
    """One answer's first attempt: whether every guard passed it, and the guards that failed."""

    answer: LabelledAnswer
    kept: bool
    failed: list[GuardResult]
    seconds: float

    @classmethod
    def of(cls, answer: LabelledAnswer, first: Attempt, seconds: float) -> Replayed:
        return cls(answer, first.passed, [g for g in first.guards if not g.passed], seconds)

    @property
    def right(self) -> bool:
        """A good answer kept, or a bad one stopped."""
        return self.kept == (self.answer.label == "good")

    def failed_by(self, guard: str) -> bool:
        return any(g.name == guard for g in self.failed)

    def as_dict(self) -> dict:
        a = self.answer
        return {
            "id": a.id,
            "where": a.where,
            "patient_id": a.patient_id,
            "label": a.label,
            "defect": a.defect,
            "guard": a.guard,
            "kept": self.kept,
            "failed": [{"name": g.name, "detail": g.detail} for g in self.failed],
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class Skipped:
    """An answer that could not be replayed: its patient gets no offer, or not on its channel."""

    answer: LabelledAnswer
    reason: str

    def as_dict(self) -> dict:
        return {"id": self.answer.id, "where": self.answer.where, "reason": self.reason}


@dataclass(slots=True)
class ReplayResult:
    suite: str
    prompt_version: str
    started: str
    targets: dict[str, float]
    replayed: list[Replayed]
    skipped: list[Skipped]

    def _labelled(self, label: str) -> list[Replayed]:
        return [r for r in self.replayed if r.answer.label == label]

    def rates(self) -> dict[str, dict]:
        """Good answers kept and bad ones stopped: how many, and the rate."""
        good, bad = self._labelled("good"), self._labelled("bad")
        return {
            "good": {"n": len(good), "kept": sum(r.kept for r in good), "rate": _rate(good)},
            "bad": {"n": len(bad), "stopped": sum(not r.kept for r in bad), "rate": _rate(bad)},
        }

    def per_guard(self) -> dict[str, dict]:
        """Per guard: the good answers it failed (false alarms), the bad ones it failed, and of
        the bad ones it was expected to stop, how many it did."""
        good, bad = self._labelled("good"), self._labelled("bad")
        table = {}
        for name in [g.name for g in GUARDS]:
            expected = [r for r in bad if r.answer.guard == name]
            table[name] = {
                "false_alarms": sum(r.failed_by(name) for r in good),
                "stopped": sum(r.failed_by(name) for r in bad),
                "expected": len(expected),
                "expected_stopped": sum(r.failed_by(name) for r in expected),
            }
        return table

    def per_defect(self) -> dict[str, dict]:
        groups: dict[str, list[Replayed]] = {}
        for r in self._labelled("bad"):
            groups.setdefault(r.answer.defect or "", []).append(r)
        return {
            defect: {
                "n": len(members),
                "stopped": sum(not r.kept for r in members),
                "rate": _rate(members),
            }
            for defect, members in sorted(groups.items())
        }

    def misses(self) -> list[dict]:
        """Good answers thrown away (with what each guard said) and bad ones kept."""
        return [
            {
                "id": r.answer.id,
                "label": r.answer.label,
                "defect": r.answer.defect,
                "guard": r.answer.guard,
                "guards": [{"name": g.name, "detail": g.detail} for g in r.failed],
                "note": r.answer.note,
            }
            for r in self.replayed
            if not r.right
        ]

    def timing(self) -> dict:
        """Seconds per answer (retrieval, brief, the call, the guards, the template's fallback);
        the first answer also loads the embedding model and indexes the knowledge pages."""
        seconds = [r.seconds for r in self.replayed]
        return {
            "answers": len(seconds),
            "seconds": round(sum(seconds), 3),
            "per_answer": round(fmean(seconds), 4) if seconds else None,
            "median": round(median(seconds), 4) if seconds else None,
            "slowest": round(max(seconds), 3) if seconds else None,
        }

    def target_results(self) -> dict[str, dict]:
        """Each target with its rate; `met` is None where no answer has its label."""
        rates = self.rates()
        found = {}
        for name, wanted in self.targets.items():
            rate = rates[TARGETS[name]]["rate"]
            found[name] = {"target": wanted, "rate": rate, "met": None if rate is None else rate >= wanted}
        return found

    @property
    def targets_met(self) -> bool:
        return all(t["met"] is not False for t in self.target_results().values())

    def as_dict(self) -> dict:
        return {
            "suite": self.suite,
            "prompt_version": self.prompt_version,
            "started": self.started,
            **self.rates(),
            "guards": self.per_guard(),
            "defects": self.per_defect(),
            "misses": self.misses(),
            "timing": self.timing(),
            "targets": self.target_results(),
            "targets_met": self.targets_met,
            "skipped": [s.as_dict() for s in self.skipped],
            "answers": [r.as_dict() for r in self.replayed],
        }


def _rate(members: list[Replayed]) -> float | None:
    """The share answered right: good ones kept, bad ones stopped."""
    return round(sum(r.right for r in members) / len(members), 4) if members else None
