"""The weekly answer for one patient: the best eligible (moment, offer), or why there is none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Protocol

from assistant.domain import exploration
from assistant.domain.conversion import AcceptanceModel, Estimate
from assistant.domain.eligibility import Block, Eligibility, Reason
from assistant.domain.history import History, Menu, Sentiment
from assistant.domain.moments import Moment
from assistant.domain.records import Patient, Service
from assistant.domain.rules import Rules
from assistant.domain.segments import Profile, Segmentation
from assistant.domain.signals import MomentDetector, Signal, quote

CHOSEN_BY_PERSON = "coordinator's choice"
"""The policy of an offer a coordinator switched a draft to: no choice probability is logged."""


class GoalMatcher(Protocol):
    """Scores how well each text serves a goal in the patient's own words (higher is better)."""

    def similarities(self, goal: str, texts: Sequence[str]) -> list[float]: ...


@dataclass(slots=True)
class Candidate:
    service: Service
    signal: Signal
    why: str
    estimate: Estimate | None = None
    goal_match: float | None = None
    block: Block | None = None
    band: str | None = None

    @property
    def moment(self) -> Moment:
        return self.signal.moment

    @property
    def expected_value(self) -> float:
        return self.service.price * self.estimate.p if self.estimate else 0.0

    @property
    def estimated(self) -> Estimate:
        """The model's estimate, which the engine sets before it ranks or chooses."""
        if self.estimate is None:
            raise ValueError(f"{self.service.id} has not been estimated yet")
        return self.estimate

    def match_text(self) -> str:
        return f"{self.service.name}. {self.service.description} {self.why}".strip()


class Decision:
    """How the offer was chosen among the eligible ones, logged when it is presented so that
    past decisions can be evaluated offline (inverse propensity). The choice probabilities are
    worked out when first asked for: most scans never need them."""

    def __init__(
        self,
        policy: str,
        chosen: int,
        rule_choice: str,
        profile: Profile,
        band: str | None,
        options: list[dict],
        choices: list[exploration.Option],
        floor: float,
        exploring: bool,
    ) -> None:
        self.policy = policy
        self.chosen = chosen
        self.rule_choice = rule_choice
        self.profile = profile
        self.band = band
        self._options = options
        self._choices = choices
        self._floor = floor
        self._exploring = exploring

    @cached_property
    def chances(self) -> list[float]:
        if not self._exploring:
            return [1.0 if i == self.chosen else 0.0 for i in range(len(self._choices))]
        return exploration.probabilities(self._choices, self._floor)

    @property
    def propensity(self) -> float:
        return max(self.chances[self.chosen], 1 / len(exploration.GRID))

    @property
    def options(self) -> list[dict]:
        return [{**o, "probability": round(c, 6)} for o, c in zip(self._options, self.chances, strict=True)]

    def as_dict(self) -> dict:
        return {
            "policy": self.policy,
            "propensity": round(self.propensity, 6),
            "rule_choice": self.rule_choice,
            "profile": self.profile.as_dict(),
            "band": self.band,
            "options": self.options,
        }


class PersonsChoice(Decision):
    """An offer a coordinator chose among the eligible ones: its profile and band are logged
    (what the model learns from), but no choice probability, which nobody knows."""

    @property
    def propensity(self) -> float:
        return 0.0

    @property
    def options(self) -> list[dict]:
        return []

    def as_dict(self) -> dict:
        return {**super().as_dict(), "propensity": None}


@dataclass(slots=True)
class ReadyOffer:
    patient: Patient
    moment: Moment
    service: Service
    channel: str
    estimate: Estimate
    signal: Signal
    reasons: list[str] = field(default_factory=list)
    why: str = ""
    decision: Decision | None = None

    @property
    def expected_value(self) -> float:
        return self.service.price * self.estimate.p


@dataclass(frozen=True, slots=True)
class Suppression:
    patient_id: str
    moment: Moment | None
    reason: Reason
    detail: str


class OfferEngine:
    """Moments, candidates, eligibility and ranking, for one patient at a time."""

    def __init__(
        self,
        menu: Menu,
        rules: Rules,
        sentiment: Sentiment,
        model: AcceptanceModel,
        matcher: GoalMatcher | None = None,
        segmentation: Segmentation | None = None,
    ) -> None:
        self.menu = menu
        self.rules = rules
        self.model = model
        self.matcher = matcher
        self.segmentation = segmentation or Segmentation({}, {})
        self.detector = MomentDetector(menu, rules, sentiment)
        self.eligibility = Eligibility(rules, sentiment)

    def evaluate(self, history: History, as_of: date) -> ReadyOffer | Suppression:
        ranked = self._ranked(history, as_of)
        if isinstance(ranked, Suppression):
            return ranked
        candidates, eligible, profile, rule_choice = ranked
        chosen, decision = self._choose(eligible, history.patient, as_of, profile, rule_choice)
        return self._ready(history, as_of, chosen, candidates, eligible[0], decision)

    def alternatives(self, history: History, as_of: date) -> list[ReadyOffer] | Suppression:
        """Every eligible offer for the patient at this moment, best expected value first, one
        per service, each with its own evidence: what a coordinator may switch a draft to. The
        decision each carries says a person chose it, with no choice probability, so the
        off-policy estimate leaves it out rather than credit the policy with it."""
        ranked = self._ranked(history, as_of)
        if isinstance(ranked, Suppression):
            return ranked
        candidates, eligible, profile, rule_choice = ranked
        found: list[ReadyOffer] = []
        seen: set[str] = set()
        for index, candidate in enumerate(eligible):
            if candidate.service.id in seen:
                continue
            seen.add(candidate.service.id)
            decision = PersonsChoice(
                CHOSEN_BY_PERSON, index, rule_choice.service.id, profile, candidate.band, [], [], 0.0, False
            )
            found.append(self._ready(history, as_of, candidate, candidates, eligible[0], decision))
        return found

    def _ranked(
        self, history: History, as_of: date
    ) -> tuple[list[Candidate], list[Candidate], Profile, Candidate] | Suppression:
        """The patient's candidates ranked, the eligible ones among them, the patient's profile
        and the rule's choice; or why the patient gets no offer."""
        patient = history.patient
        signals = self.detector.detect(history, as_of)
        moment = _strongest(signals)
        blocked = self.eligibility.patient_block(history, as_of)
        if blocked:
            return Suppression(patient.id, moment, blocked.reason, blocked.detail)
        if not signals:
            return Suppression(
                patient.id,
                None,
                Reason.NO_SIGNAL,
                f"nothing in the last {self.rules.signal_days} days signals a moment",
            )
        cooling = self.eligibility.cooldown(history, as_of)
        if cooling:
            return Suppression(patient.id, moment, cooling.reason, cooling.detail)
        candidates = self.candidates(history, signals)
        if not candidates:
            return Suppression(
                patient.id, moment, Reason.NO_CANDIDATE, "the menu has no next step for this moment"
            )
        profile = self.segmentation.profile(history, self.menu, as_of)
        for candidate in candidates:
            candidate.block = self.eligibility.offer_block(history, candidate.service, as_of)
            candidate.band = self.segmentation.price_band(candidate.service.price, profile)
            candidate.estimate = self.model.estimate(
                candidate.service, candidate.moment, profile, candidate.band
            )
        rule_choice = next((c for c in candidates if c.block is None), None)
        candidates.sort(key=_rank)
        eligible = [c for c in candidates if c.block is None]
        if not eligible or rule_choice is None:
            top = candidates[0]
            assert top.block is not None  # no eligible candidate: every one is blocked
            details = "; ".join(dict.fromkeys(c.block.detail for c in candidates if c.block))
            return Suppression(patient.id, top.moment, top.block.reason, details)
        return candidates, eligible, profile, rule_choice

    def _ready(
        self,
        history: History,
        as_of: date,
        chosen: Candidate,
        candidates: list[Candidate],
        top: Candidate,
        decision: Decision,
    ) -> ReadyOffer:
        channel = self.eligibility.channel(history, as_of)
        assert isinstance(channel, str)  # patient_block has ruled out a Block
        return ReadyOffer(
            patient=history.patient,
            moment=chosen.moment,
            service=chosen.service,
            channel=channel,
            estimate=chosen.estimated,
            signal=chosen.signal,
            reasons=self._reasons(chosen, candidates, top, decision),
            why=chosen.why,
            decision=decision,
        )

    def _choose(
        self,
        eligible: list[Candidate],
        patient: Patient,
        as_of: date,
        profile: Profile,
        rule_choice: Candidate,
    ) -> tuple[Candidate, Decision]:
        """Thompson sampling over the eligible offers (or the best expected value when the
        practice turned exploration off), with each offer's probability of being chosen."""
        choices = [exploration.Option(c.service.price, c.estimated.alpha, c.estimated.beta) for c in eligible]
        explore = self.rules.explore
        index = (
            exploration.choose(choices, exploration.patient_draw(patient.id, as_of), self.rules.explore_floor)
            if explore
            else 0
        )
        options = [
            {
                "service_id": c.service.id,
                "moment": c.moment.value,
                "price": c.service.price,
                "band": c.band,
                "p": round(c.estimated.p, 6),
                "alpha": round(c.estimated.alpha, 6),
                "beta": round(c.estimated.beta, 6),
            }
            for c in eligible
        ]
        policy = "thompson (shared quantile)" if explore else "expected value"
        chosen = eligible[index]
        return chosen, Decision(
            policy,
            index,
            rule_choice.service.id,
            profile,
            chosen.band,
            options,
            choices,
            self.rules.explore_floor,
            explore,
        )

    def candidates(self, history: History, signals: list[Signal]) -> list[Candidate]:
        found: dict[tuple[str, Moment], Candidate] = {}

        def add(service: Service | None, signal: Signal, why: str) -> None:
            if service is not None:
                found.setdefault((service.id, signal.moment), Candidate(service, signal, why))

        for signal in sorted(signals, key=lambda s: s.on, reverse=True):
            for anchor_id in signal.anchors:
                anchor = self.menu.get(anchor_id)
                if anchor is None:
                    continue
                for step in anchor.next_steps:
                    if step.applies_at(signal.moment):
                        why = f"natural next step after {anchor.name}: {step.why}"
                        add(self.menu.get(step.to), signal, why)
            if signal.booked:
                booked = self.menu.name(signal.booked)
                for add_on in self.menu.add_ons_for(signal.booked):
                    add(add_on, signal, f"a good add-on to the booked {booked}")
            if signal.plan:
                add(self.menu.get(signal.plan), signal, "the plan the consultation was about")
            for service in self.menu.offered_at(signal.moment):
                add(service, signal, f"offered to every eligible patient {signal.moment.at}")
            if signal.goal and not any(k[1] is Moment.GOAL_CHANGE for k in found):
                for service in self.menu:
                    add(service, signal, "the menu's best match for the new goal")
        return self._serve_goal(list(found.values()), signals)

    def _serve_goal(self, candidates: list[Candidate], signals: list[Signal]) -> list[Candidate]:
        """At a goal change, only offers that serve the new goal in the patient's words compete."""
        goals = [s.goal for s in signals if s.goal]
        if not goals or not candidates or self.matcher is None:
            return candidates
        goal = (
            goals[-1]
            if len(goals) == 1
            else max((s for s in signals if s.goal), key=lambda s: s.on).goal or goals[-1]
        )
        scores = self.matcher.similarities(goal, [c.match_text() for c in candidates])
        best = max(scores)
        kept = []
        for candidate, score in zip(candidates, scores, strict=True):
            candidate.goal_match = score
            if score >= best - self.rules.goal_match_margin:
                kept.append(candidate)
        return kept

    def _reasons(
        self, best: Candidate, candidates: list[Candidate], top: Candidate, decision: Decision
    ) -> list[str]:
        signal = best.signal
        reasons = [signal.summary + (" (a satisfaction peak)" if signal.peak else "")]
        reasons.append(f"{best.service.name}: {best.why}")
        if best.goal_match is not None and signal.goal:
            reasons.append(f"Serves the new goal {quote(signal.goal)} (match {best.goal_match:.2f})")
        estimate = best.estimated
        evidence = estimate.evidence(best.moment)
        reasons.append(evidence[0].upper() + evidence[1:])
        reasons.append(
            f"Expected value ${best.service.price:,.0f} x {estimate.p:.0%} = ${best.expected_value:,.0f}"
        )
        if best is not top and isinstance(decision, PersonsChoice):
            reasons.append(
                f"Not the top offer: {top.service.name} has the higher expected value "
                f"(${top.expected_value:,.0f})"
            )
        elif best is not top:
            reasons.append(
                f"Chosen to keep learning: the evidence on it is thin, so it was "
                f"drawn with probability {decision.propensity:.0%} over "
                f"{top.service.name} (expected value ${top.expected_value:,.0f})"
            )
        passed_over = [c for c in candidates if c is not best and c.service.id != best.service.id]
        for other in passed_over[:3]:
            if other.block:
                reasons.append(
                    f"Not offered: {other.service.name} ({other.block.reason.value}: {other.block.detail})"
                )
            else:
                reasons.append(
                    f"Considered: {other.service.name} {other.moment.at} "
                    f"(expected value ${other.expected_value:,.0f})"
                )
        return reasons


def _rank(candidate: Candidate) -> tuple:
    """Highest expected value first; a satisfaction peak, then the newer signal, break ties."""
    return (
        -round(candidate.expected_value, 6),
        not candidate.signal.peak,
        -candidate.signal.on.toordinal(),
        candidate.service.id,
    )


def _strongest(signals: list[Signal]) -> Moment | None:
    if not signals:
        return None
    return max(signals, key=lambda s: (s.peak, s.on)).moment
