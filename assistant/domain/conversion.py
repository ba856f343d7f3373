"""How likely an offer is to be accepted, learned from the practice's own outcomes.

Hierarchical Beta-binomial over nested cells: the practice, the offer, (offer, moment),
(offer, moment, line of care), and the finest (offer, moment, line, new or returning, age band,
price band). The practice starts from `prior_rate`, each offer from the practice-wide rate, and
each cell below an offer from its parent's rate outside the cell, every prior worth
`prior_strength` pseudo-outcomes. A sparse cell
stays close to its parent; a well-observed one follows its own record. Every estimate carries
its posterior Beta, so it has a credible interval and can be sampled for exploration.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from scipy.special import betaincinv

from assistant.domain.moments import Moment
from assistant.domain.records import OfferMade, Outcome, Service
from assistant.domain.rules import Rules
from assistant.domain.segments import UNKNOWN, Profile


@dataclass(frozen=True, slots=True)
class Estimate:
    """The posterior acceptance rate of one offer in one cell, and the evidence behind it."""

    p: float
    accepted: int
    trials: int
    practice_rate: float
    alpha: float = 1.0
    beta: float = 1.0
    low: float = 0.0
    high: float = 1.0
    text: str = ""

    def evidence(self, moment: Moment | None = None) -> str:
        if self.text:
            return self.text
        where = moment.at if moment else "yet"
        return f"no outcomes {where}; using the practice-wide rate ({self.practice_rate:.0%})"


class AcceptanceModel(Protocol):
    def estimate(self, service: Service, moment: Moment, profile: Profile, band: str | None) -> Estimate: ...


@dataclass(frozen=True, slots=True)
class Trial:
    """One offer whose answer is known: accepted, declined, or unanswered for too long."""

    service_id: str
    moment: Moment | None
    accepted: bool
    profile: Profile = field(default_factory=Profile)
    band: str | None = None


Context = Callable[[OfferMade | Outcome], tuple[Profile, str | None]]


def answered(
    offers: Iterable[OfferMade], outcomes: Iterable[Outcome], as_of: date, no_answer_days: int
) -> tuple[list[tuple[OfferMade, bool]], list[Outcome]]:
    """Each offer whose answer is known by `as_of`, with that answer: the patient's first
    answer about that service after the offer and before the next offer of it, or a no once
    the offer has gone unanswered for `no_answer_days`. Also the answers no offer asked for."""
    replies: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.at.date() <= as_of:
            replies[(outcome.patient_id, outcome.service_id)].append(outcome)
    for found in replies.values():
        found.sort(key=lambda o: o.at)
    made: dict[tuple[str, str], list[OfferMade]] = defaultdict(list)
    for offer in offers:
        if offer.at.date() <= as_of:
            made[(offer.patient_id, offer.service_id)].append(offer)
    silence = timedelta(days=no_answer_days)
    pairs: list[tuple[OfferMade, bool]] = []
    unprompted: list[Outcome] = []
    for key, presented in made.items():
        presented.sort(key=lambda o: o.at)
        left = replies.pop(key, [])
        for i, offer in enumerate(presented):
            until = presented[i + 1].at if i + 1 < len(presented) else None
            reply = next((r for r in left if r.at >= offer.at and (until is None or r.at < until)), None)
            if reply is not None:
                left.remove(reply)
                pairs.append((offer, reply.accepted))
            elif as_of - offer.at.date() > silence:
                pairs.append((offer, False))
        unprompted += left
    for rest in replies.values():
        unprompted += rest
    return pairs, unprompted


def trials_from(
    offers: Iterable[OfferMade],
    outcomes: Iterable[Outcome],
    as_of: date,
    rules: Rules,
    context: Context | None = None,
) -> list[Trial]:
    """One trial per answered offer, and one per answer no offer asked for (no moment).
    `context` gives the patient's profile and the offer's price band when it was made."""

    def trial(made: OfferMade | Outcome, moment: Moment | None, accepted: bool) -> Trial:
        profile, band = context(made) if context else (Profile(), None)
        return Trial(made.service_id, moment, accepted, profile, band)

    pairs, unprompted = answered(offers, outcomes, as_of, rules.no_answer_days)
    return [trial(offer, offer.moment, accepted) for offer, accepted in pairs] + [
        trial(reply, None, reply.accepted) for reply in unprompted
    ]


def cell_keys(service_id: str, moment: Moment | None, profile: Profile, band: str | None) -> list[tuple]:
    """The cells a trial counts in, coarsest first; the path stops where a facet is unknown."""
    keys: list[tuple] = [(), (service_id,)]
    if moment is None:
        return keys
    keys.append((service_id, moment))
    if profile.line == UNKNOWN:
        return keys
    keys.append((service_id, moment, profile.line))
    if profile.tenure is None or band is None:
        return keys
    keys.append((service_id, moment, profile.line, profile.tenure, profile.age_band, band))
    return keys


class HierarchicalModel:
    """Acceptance per (offer, moment, segment, price band), each cell shrunk toward its parent."""

    def __init__(self, trials: Iterable[Trial], rules: Rules, labels: dict[str, str] | None = None) -> None:
        self.rules = rules
        self.labels = labels or {}
        self.counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        for t in trials:
            for key in cell_keys(t.service_id, t.moment, t.profile, t.band):
                cell = self.counts[key]
                cell[0] += t.accepted
                cell[1] += 1
        accepted, total = self.counts.get((), (0, 0))
        k = rules.prior_strength
        self.practice_rate = (accepted + rules.prior_rate * k) / (total + k)
        self.accepted, self.total = accepted, total

    def estimate(self, service: Service, moment: Moment, profile: Profile, band: str | None) -> Estimate:
        """The finest cell's posterior. An offer's prior is the practice-wide rate; below the
        offer, each cell's prior is its parent's rate from the outcomes outside the cell, so no
        outcome is counted twice on the way down."""
        k = self.rules.prior_strength
        path = cell_keys(service.id, moment, profile, band)
        counts = [tuple(self.counts.get(key, (0, 0))) for key in path] + [(0, 0)]
        prior = self.rules.prior_rate
        posterior = (prior * k, (1 - prior) * k)
        basis: tuple | None = None
        for level, key in enumerate(path):
            accepted, trials = counts[level]
            posterior = (accepted + k * prior, trials - accepted + k * (1 - prior))
            if trials and level > 0:
                basis = (key, accepted, trials, *posterior)
            if level == 0:
                prior = posterior[0] / (posterior[0] + posterior[1])
                continue
            inner_accepted, inner_trials = counts[level + 1]
            prior = (accepted - inner_accepted + k * prior) / (trials - inner_trials + k)
        mean = posterior[0] / (posterior[0] + posterior[1])
        # Sampling reads the posterior of the deepest cell with outcomes (the finest cell's own
        # once it has any): an empty sub-cell adds no uncertainty the evidence does not have.
        alpha, beta = (basis[3], basis[4]) if basis and counts[len(path) - 1][1] == 0 else posterior
        shown = (basis[3], basis[4]) if basis else posterior
        low = float(betaincinv(shown[0], shown[1], 0.025))
        high = float(betaincinv(shown[0], shown[1], 0.975))
        accepted, trials = (basis[1], basis[2]) if basis else (0, 0)
        text = self._evidence(service, moment, profile, basis, mean, low, high)
        return Estimate(mean, accepted, trials, self.practice_rate, alpha, beta, low, high, text)

    def _evidence(
        self,
        service: Service,
        moment: Moment,
        profile: Profile,
        basis: tuple | None,
        mean: float,
        low: float,
        high: float,
    ) -> str:
        """'weight-loss patients at first results visible accepted Body contouring 12 of 41
        times; 95% interval 17-44%' (the interval of the cell the counts come from)."""
        interval = f"95% interval {low:.0%}-{high:.0%}"
        if basis is None:
            return (
                f"no outcomes yet for {service.name} {moment.at}; using the "
                f"practice-wide rate ({self.practice_rate:.0%}), {interval}"
            )
        key, accepted, trials = basis[:3]
        who = profile.describe(self.labels) if len(key) >= 3 else "patients"
        where = f" {moment.at}" if len(key) >= 2 else " at any moment"
        return (
            f"{who}{where} accepted {service.name} {accepted} of {trials} times; "
            f"{interval} (estimate for this patient {mean:.0%})"
        )

    def cells(self) -> dict[tuple, tuple[int, int]]:
        """Every observed cell's (accepted, trials), for reports."""
        return {key: (a, n) for key, (a, n) in self.counts.items()}
