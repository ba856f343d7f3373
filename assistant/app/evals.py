"""What QA runs: score arbitrary messages, run a suite against a practice made of its files,
replay labelled model answers through the guards, compare prompt versions, calibrate the scorers
(and the optional LLM judge) against labelled messages."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.app.drafting import Drafting, open_drafting
from assistant.app.practice import Practice
from assistant.domain.engine import Suppression
from assistant.drafting.content import Draft
from assistant.drafting.guards import Guards, Policy
from assistant.errors import ConfigurationError, NotFound
from assistant.evals.calibration import auc, cohen_kappa
from assistant.evals.chat_server import MODEL, ScriptedChatServer
from assistant.evals.judge import message_item, open_judge, rate_all
from assistant.evals.messages import (
    ScoredMessage,
    brief_and_grounds,
    content_of,
    read_messages,
)
from assistant.evals.replay import LabelledAnswer, Replayed, ReplayResult, Skipped, read_answers
from assistant.evals.report import render_report
from assistant.evals.runs import (
    CaseOutcome,
    Comparison,
    DraftedCase,
    EvalCase,
    RunResult,
    Suite,
    compare,
    gate,
    load_suite,
    run_cases,
)
from assistant.evals.scorers import Score, Scorer, Scoring
from assistant.knowledge import Knowledge
from assistant.semantic import Embedder, MiniLMMeaning
from assistant.settings import Settings

Progress = Callable[[int, int], None] | None
LABELS = {"tone": ("pushy", False), "specificity": ("specific", True)}
"""Which label each calibrated score predicts, and the label value a high score means."""
JUDGE_THRESHOLD = 0.75
"""A judge rating of 4 or 5 (of 5) counts as calm, or as specific."""


@dataclass(slots=True)
class Agreement:
    """How well one rater's scores agree with a person's labels."""

    rater: str
    dimension: str
    label: str
    n: int
    auc: float | None
    kappa: float | None
    threshold: float

    def as_dict(self) -> dict:
        return {
            "rater": self.rater,
            "dimension": self.dimension,
            "label": self.label,
            "n": self.n,
            "auc": None if self.auc is None else round(self.auc, 4),
            "kappa": None if self.kappa is None else round(self.kappa, 4),
            "threshold": self.threshold,
        }


@dataclass(slots=True)
class EvalOutcome:
    run: dict
    failures: list[str]
    comparison: Comparison | None
    suite: Suite


class Evals:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        knowledge = Knowledge.at(self.settings.knowledge_dir)
        lexicon = knowledge.guard_lexicon
        self.policy = Policy.from_lexicon(lexicon)
        self.scoring = Scoring.from_lexicon(lexicon)
        meaning = MiniLMMeaning(Embedder(self.settings.embedding_model_dir))
        self.scorer = Scorer(Guards(self.policy, meaning=meaning), self.scoring)
        menu = knowledge.default_menu
        self.known = [(service, knowledge.said_about(service, menu)) for service in menu]
        """The default menu's services and what their pages say: a scored message's claims
        about one of them are checked against its pages."""

    # Arbitrary messages ---------------------------------------------------------------------

    def score_file(self, path: Path) -> tuple[list[tuple[ScoredMessage, Score]], list[tuple[int, str]]]:
        """Each good line's message and score; each bad line's number and reason."""
        scored, bad = [], []
        for number, item in read_messages(path):
            if isinstance(item, str):
                bad.append((number, item))
                continue
            brief, grounds = brief_and_grounds(item, self.policy, self.known)
            scored.append((item, self.scorer.score(item.id, content_of(item), brief, grounds)))
        return scored, bad

    # Suites -----------------------------------------------------------------------------------

    def suite(self, name: str) -> Suite:
        return load_suite(self.settings.evals_dir, name)

    def run(
        self,
        suite_name: str,
        *,
        drafter: str | None = None,
        prompt_version: str | None = None,
        baseline: dict | None = None,
        judge: bool = False,
        model_judge=None,
        on_progress: Progress = None,
    ) -> EvalOutcome:
        """Runs a suite; with `judge`, the configured LLM judge (or `model_judge`) also rates
        every draft."""
        suite = self.suite(suite_name)
        settings = self._settings(drafter, prompt_version)
        rater: AbstractContextManager[Any]
        if not judge:
            rater = nullcontext(None)
        else:
            rater = nullcontext(model_judge) if model_judge else open_judge(settings)
        with rater as active:
            result = run_suite(suite, settings, judge=active, on_progress=on_progress)
        run = result.as_dict()
        comparison = compare(baseline, run, suite.tolerance) if baseline else None
        return EvalOutcome(run, gate(run, suite, comparison), comparison, suite)

    def compare_versions(
        self, suite_name: str, a: str, b: str, *, drafter: str | None = None, on_progress: Progress = None
    ) -> tuple[EvalOutcome, EvalOutcome]:
        """Both prompt versions on the same cases; the second is compared with the first."""
        first = self.run(suite_name, drafter=drafter, prompt_version=a, on_progress=on_progress)
        second = self.run(
            suite_name, drafter=drafter, prompt_version=b, baseline=first.run, on_progress=on_progress
        )
        return first, second

    def replay(
        self, suite_name: str = "strong", answers: Sequence[Path] = (), on_progress: Progress = None
    ) -> ReplayResult:
        """The suite's labelled answers (or those of `answers`, against the suite's practice),
        each served as the model's first answer and checked by the guards."""
        suite = self.suite(suite_name)
        labelled = read_answers(answers) if answers else suite.load_answers()
        return replay_suite(suite, labelled, self.settings, on_progress)

    def report(self, outcome: EvalOutcome) -> str:
        return render_report(
            self.settings.evals_dir,
            outcome.run,
            outcome.suite.thresholds,
            outcome.failures,
            outcome.comparison.as_dict() if outcome.comparison else None,
        )

    def _settings(self, drafter: str | None, prompt_version: str | None) -> Settings:
        update: dict = {}
        if drafter is not None:
            update["llm"] = drafter
        if prompt_version is not None:
            update["prompt_version"] = prompt_version
        return self.settings.model_copy(update=update)

    # Calibration ------------------------------------------------------------------------------

    def calibrate(
        self, paths: Sequence[Path], judge: bool = True, model_judge=None
    ) -> tuple[list[Agreement], list[tuple[int, str]]]:
        """Each scorer's AUC and Cohen's kappa (at its pass threshold) against the labels; the
        LLM judge's too when `judge` is on and a model is configured (or `model_judge` given)."""
        scored: list[tuple[ScoredMessage, Score]] = []
        bad: list[tuple[int, str]] = []
        for path in paths:
            found, rejected = self.score_file(path)
            scored += found
            bad += [(n, f"{path.name}: {why}") for n, why in rejected]
        agreements = [
            self._agreement(
                "scorer",
                d,
                [s.value(d) for _, s in scored],
                [m for m, _ in scored],
                self.scoring.thresholds[d],
            )
            for d in LABELS
        ]
        if not judge or (model_judge is None and self.settings.backend == "none"):
            return agreements, bad
        with nullcontext(model_judge) if model_judge else open_judge(self.settings) as rater:
            ratings = rate_all(rater, [message_item(m) for m, _ in scored], self.settings.draft_concurrency)
        rated = [(m, r) for (m, _), r in zip(scored, ratings, strict=True) if "error" not in r]
        agreements += [
            self._agreement(
                f"judge:{rater.name}", d, [r[d] for _, r in rated], [m for m, _ in rated], JUDGE_THRESHOLD
            )
            for d in LABELS
        ]
        return agreements, bad

    @staticmethod
    def _agreement(
        rater: str, dimension: str, scores: list[float], messages: list[ScoredMessage], threshold: float
    ) -> Agreement:
        label, high_means = LABELS[dimension]
        pairs = [
            (s, m.labels[label] == high_means)
            for s, m in zip(scores, messages, strict=True)
            if isinstance(m.labels.get(label), bool)
        ]
        values = [s for s, _ in pairs]
        truth = [t for _, t in pairs]
        return Agreement(
            rater,
            dimension,
            label,
            len(pairs),
            auc(values, truth),
            cohen_kappa([v >= threshold for v in values], truth),
            threshold,
        )


# Running a suite against a practice ----------------------------------------------------------


@contextmanager
def eval_practice(suite: Suite, settings: Settings, matcher=None) -> Iterator[Practice]:
    """The suite's practice files imported into a fresh home that lasts for the block, under
    the suite's settings: its own SQLite file and embedded vector store, whatever servers are
    configured (a suite's patients never reach a real practice's)."""
    with tempfile.TemporaryDirectory(prefix="crosssell-eval-") as home:
        update = {**suite.settings, "home": Path(home), "database_url": None, "chroma_url": None}
        practice = Practice(settings.model_copy(update=update), matcher=matcher)
        for name in suite.practice:
            report = practice.import_file(suite.root / name)
            if report.rejected:
                raise ConfigurationError(f"eval practice {name} breaks the contract: {report.rejected[0]}")
        yield practice


def run_suite(
    suite: Suite, settings: Settings, *, matcher=None, judge=None, on_progress: Progress = None
) -> RunResult:
    """Drafts and scores every case with the settings' backend and prompt version."""
    cases = suite.load_cases()
    with eval_practice(suite, settings, matcher) as practice, open_drafting(practice) as drafting:

        def draft(batch: list[EvalCase]) -> list[CaseOutcome]:
            return draft_cases(batch, practice, drafting, on_progress)

        scorer = Scorer(drafting.guards, Scoring.from_lexicon(practice.knowledge.guard_lexicon))
        results = run_cases(
            cases, draft, scorer, judge=judge, concurrency=practice.settings.draft_concurrency
        )
        name = drafting.model.name if drafting.model is not None else "template"
        return RunResult(suite.name, name, drafting.prompts.version, practice.clock.stamp(), results)


def draft_cases(
    cases: list[EvalCase], practice: Practice, drafting: Drafting, on_progress: Progress = None
) -> list[CaseOutcome]:
    """The practice's answer for each case, and the offers' drafts, written in one batch."""
    outcomes: list[CaseOutcome] = []
    wanted = []
    for case in cases:
        history, answer = practice.evaluate(case.patient_id, case.as_of)
        if isinstance(answer, Suppression):
            outcomes.append(
                CaseOutcome(answer.moment.value if answer.moment else None, no_offer=answer.reason.value)
            )
            continue
        outcomes.append(CaseOutcome(answer.moment.value, answer.service.id))
        wanted.append((outcomes[-1], (history, answer, case.channel, case.as_of)))
    drafts = drafting.draft_many([item for _, item in wanted], on_progress, store=False)
    for (outcome, _), draft in zip(wanted, drafts, strict=True):
        if isinstance(draft, Draft):
            outcome.drafted = DraftedCase(draft, *drafting.grounds_for(draft))
        else:
            outcome.no_offer = draft
    return outcomes


# Replaying labelled answers -------------------------------------------------------------------


def replay_suite(
    suite: Suite, answers: list[LabelledAnswer], settings: Settings, on_progress: Progress = None
) -> ReplayResult:
    """Each answer served, one case at a time, by a scripted OpenAI-compatible server on
    loopback to the real chain (client, parsing, retrieval, brief, guards), with no re-ask: what
    counts is the guards' verdict on the first attempt."""
    with ScriptedChatServer() as server:
        replaying = settings.model_copy(
            update={
                "llm": "openai",
                "openai_base_url": server.base_url,
                "openai_api_key": None,
                "model": MODEL,
                "reasks": 0,
                "draft_concurrency": 1,
            }
        )
        with eval_practice(suite, replaying) as practice, open_drafting(practice) as drafting:
            replayed: list[Replayed] = []
            skipped: list[Skipped] = []
            for done, answer in enumerate(answers, 1):
                outcome = _replay(answer, server, practice, drafting)
                if isinstance(outcome, Skipped):
                    skipped.append(outcome)
                else:
                    replayed.append(outcome)
                if on_progress:
                    on_progress(done, len(answers))
            return ReplayResult(
                suite.name, drafting.prompts.version, practice.clock.stamp(), suite.targets, replayed, skipped
            )


def _replay(
    answer: LabelledAnswer, server: ScriptedChatServer, practice: Practice, drafting: Drafting
) -> Replayed | Skipped:
    try:
        history, offer = practice.evaluate(answer.patient_id, answer.as_of)
    except NotFound as exc:
        return Skipped(answer, str(exc))
    if isinstance(offer, Suppression):
        return Skipped(
            answer,
            f"{answer.patient_id} gets no offer as of {answer.as_of}: {offer.reason.value} ({offer.detail})",
        )
    if answer.offer is not None and answer.offer != offer.service.id:
        return Skipped(
            answer,
            f"written for {answer.offer}, but the practice offers {answer.patient_id} {offer.service.id}",
        )
    server.script(answer.text)
    started = time.perf_counter()
    draft = drafting.draft_many([(history, offer, answer.channel, answer.as_of)], store=False)[0]
    seconds = time.perf_counter() - started
    if not isinstance(draft, Draft):
        return Skipped(answer, draft)
    return Replayed.of(answer, draft.attempts[0], seconds)
