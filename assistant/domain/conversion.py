"""How likely an offer is to be accepted, learned from the practice's own outcomes.

Beta-binomial: each (offer, moment) starts from the practice-wide acceptance rate worth
`prior_strength` pseudo-outcomes, and its own outcomes move it from there. Small samples stay
close to the practice's rate; after enough outcomes the offer's own record dominates, so a
cheaper offer that converts far better overtakes a dearer one that rarely does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from assistant.domain.moments import Moment
from assistant.domain.records import OfferMade, Outcome, Patient
from assistant.domain.rules import Rules


@dataclass(frozen=True, slots=True)
class Estimate:
    p: float
    accepted: int
    trials: int
    practice_rate: float

    def evidence(self, moment: Moment) -> str:
        if self.trials == 0:
            return (f"no outcomes yet at {moment.label}; using the practice-wide rate "
                    f"({self.practice_rate:.0%})")
        return (f"accepted {self.accepted} of {self.trials} times at this moment "
                f"(estimate {self.p:.0%}, practice-wide {self.practice_rate:.0%})")


class AcceptanceModel(Protocol):
    def estimate(self, service_id: str, moment: Moment, patient: Patient) -> Estimate: ...


@dataclass(frozen=True, slots=True)
class Trial:
    """One offer whose answer is known: accepted, declined, or unanswered for too long."""

    service_id: str
    moment: Moment | None
    accepted: bool


def trials_from(offers: Iterable[OfferMade], outcomes: Iterable[Outcome], as_of: date,
                rules: Rules) -> list[Trial]:
    """Pairs each offer with the first answer the patient gave to that service after it."""
    answers: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.at.date() <= as_of:
            answers[(outcome.patient_id, outcome.service_id)].append(outcome)
    for found in answers.values():
        found.sort(key=lambda o: o.at)
    made: dict[tuple[str, str], list[OfferMade]] = defaultdict(list)
    for offer in offers:
        if offer.at.date() <= as_of:
            made[(offer.patient_id, offer.service_id)].append(offer)
    silence = timedelta(days=rules.no_answer_days)
    trials: list[Trial] = []
    for key, presented in made.items():
        presented.sort(key=lambda o: o.at)
        replies = answers.pop(key, [])
        for i, offer in enumerate(presented):
            until = presented[i + 1].at if i + 1 < len(presented) else None
            reply = next((r for r in replies if r.at >= offer.at and (until is None or r.at < until)),
                         None)
            if reply is not None:
                replies.remove(reply)
                trials.append(Trial(offer.service_id, offer.moment, reply.accepted))
            elif as_of - offer.at.date() > silence:
                trials.append(Trial(offer.service_id, offer.moment, False))
        trials.extend(Trial(r.service_id, None, r.accepted) for r in replies)
    for unprompted in answers.values():
        trials.extend(Trial(r.service_id, None, r.accepted) for r in unprompted)
    return trials


class BetaBinomialModel:
    """Acceptance per (offer, moment), shrunk toward the practice-wide rate."""

    def __init__(self, trials: Iterable[Trial], rules: Rules) -> None:
        self.rules = rules
        self._counts: dict[tuple[str, Moment | None], list[int]] = defaultdict(lambda: [0, 0])
        accepted = total = 0
        for trial in trials:
            cell = self._counts[(trial.service_id, trial.moment)]
            cell[0] += trial.accepted
            cell[1] += 1
            accepted += trial.accepted
            total += 1
        k = rules.prior_strength
        self.practice_rate = (accepted + rules.prior_rate * k) / (total + k)
        self.accepted, self.total = accepted, total

    def estimate(self, service_id: str, moment: Moment, patient: Patient) -> Estimate:
        accepted, trials = self._counts.get((service_id, moment), (0, 0))
        k = self.rules.prior_strength
        p = (accepted + self.practice_rate * k) / (trials + k)
        return Estimate(p=p, accepted=accepted, trials=trials, practice_rate=self.practice_rate)
