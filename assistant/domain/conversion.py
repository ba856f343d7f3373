"""How likely an offer is to be accepted, learned from the practice's own outcomes.

Hierarchical Beta-binomial over nested cells: the practice, the offer, (offer, moment),
(offer, moment, line of care), and the finest (offer, moment, line, new or returning, age band,
price band). The practice starts from `prior_rate`, each offer from the practice-wide rate, and
each cell below an offer from its parent's rate outside the cell, every prior worth
`prior_strength` pseudo-outcomes. A sparse cell
stays close to its parent; a well-observed one follows its own record. Every estimate carries
its posterior Beta, so it has a credible interval and can be sampled for exploration.

What ranks offers is a main-effects reading of the same outcomes (`Factors`): an offer's rate
in the patient's line of care, times how the moment shifts acceptance across all offers, times
how the price band shifts it within that line across all offers. Where the cells above split a
practice's few hundred outcomes over offer x moment x line x band, the factors pool the moment
and the price band across offers, so a line's price sensitivity, seen on any offer, reaches
every offer of that line. The counts, intervals and evidence shown stay the cells' own.
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
    weight: float = 1.0
    """How much of a trial it is: an offer still waiting for its answer counts as part of a no
    (see `waiting_trials`)."""


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


def waiting_trials(
    offers: Iterable[OfferMade],
    outcomes: Iterable[Outcome],
    as_of: date,
    rules: Rules,
    context: Context | None = None,
) -> list[Trial]:
    """The offers still waiting for an answer, each as a part of a no: the share of the
    no-answer wait gone by (an offer made 10 of 30 days ago counts a third). An acceptance comes
    back within days, a silent no only after `no_answer_days`; counting only the answers back
    would read the offers made lately as better than they are, so the model would keep making
    them. Partial nos make the waiting offers' acceptances weigh what they should."""
    offers = list(offers)
    pairs, _ = answered(offers, outcomes, as_of, rules.no_answer_days)
    done = {id(offer) for offer, _ in pairs}
    found = []
    for offer in offers:
        age = (as_of - offer.at.date()).days
        if id(offer) in done or age < 0 or offer.moment is None:
            continue
        profile, band = context(offer) if context else (Profile(), None)
        weight = min(age / rules.no_answer_days, 1.0)
        if weight > 0:
            found.append(Trial(offer.service_id, offer.moment, False, profile, band, weight))
    return found


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


FIT_ROUNDS = 6
"""Rounds of iterative proportional fitting: the factors settle within a few."""
FACTOR_ACCEPTANCES = 3.0
"""Pseudo-acceptances behind a moment's or a price band's factor of 1 (no shift): a factor moves
once a few acceptances show it."""

LINE_STRENGTH = 1.0
"""An offer's rate in a line of care starts from the offer's rate elsewhere, worth this share
of `prior_strength` pseudo-outcomes."""


class Factors:
    """Acceptance as (offer x line) rate x moment factor x (line x price band) factor, each
    shrunk toward its parent (the offer, then the practice) or toward no shift, fitted by
    iterative proportional fitting (a Poisson main-effects model: right for rates well below 1)."""

    def __init__(self, trials: Iterable[Trial], prior_rate: float, strength: float) -> None:
        groups: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for t in trials:
            band = t.band if t.moment is not None and t.band is not None else None
            cell = groups[(t.service_id, t.profile.line, t.moment, band)]
            cell[0] += t.accepted * t.weight
            cell[1] += t.weight
        self.cells = [(key, a, n) for key, (a, n) in groups.items()]
        self.prior_rate, self.strength = prior_rate, strength
        self.practice = prior_rate
        self.offer: dict[str, float] = {}
        self.line: dict[tuple[str, str], float] = {}
        self.line_trials: dict[tuple[str, str], float] = defaultdict(float)
        self.moment: dict[Moment, float] = {}
        self.band: dict[tuple[str, str], float] = {}
        for (service_id, line, _, _), _, n in self.cells:
            self.line_trials[(service_id, line)] += n
        if self.cells:
            self._fit()

    def _shift(self, moment: Moment | None, line: str, band: str | None) -> float:
        m = self.moment.get(moment, 1.0) if moment is not None else 1.0
        return m * (self.band.get((line, band), 1.0) if band is not None else 1.0)

    def rate(self, service_id: str, line: str) -> float:
        """The offer's rate in the line, at no moment or band shift."""
        offer = self.offer.get(service_id, self.practice)
        return self.line.get((service_id, line), offer)

    def _fit(self) -> None:
        k = self.strength
        for _ in range(FIT_ROUNDS):
            # offers, then each offer in each line, against the exposure the shifts imply
            won: dict = defaultdict(float)
            exposure: dict = defaultdict(float)
            for (s, g, m, b), a, n in self.cells:
                e = n * self._shift(m, g, b)
                won[()] += a
                exposure[()] += e
                won[s] += a
                exposure[s] += e
                won[(s, g)] += a
                exposure[(s, g)] += e
            # an offer starts from the practice-wide rate; below it, each level's prior is its
            # parent's rate from the outcomes outside it, as in the cells
            self.practice = (won[()] + k * self.prior_rate) / (exposure[()] + k)
            outside = {s: self.practice for s in {c[0][0] for c in self.cells}}
            self.offer = {s: (won[s] + k * prior) / (exposure[s] + k) for s, prior in outside.items()}
            self.line = {}
            kl = k * LINE_STRENGTH
            for (s, g, _, _), _, _ in self.cells:
                prior = (won[s] - won[(s, g)] + k * outside[s]) / (exposure[s] - exposure[(s, g)] + k)
                self.line[(s, g)] = (won[(s, g)] + kl * prior) / (exposure[(s, g)] + kl)
            # moments across offers, then price bands within each line
            self.moment = self._facet(lambda g, m, b: m, lambda g, m, b: self._shift(None, g, b))
            self.band = self._facet(
                lambda g, m, b: (g, b) if b is not None else None, lambda g, m, b: self._shift(m, g, None)
            )

    def _facet(self, key_of: Callable[..., object], other: Callable[..., float]) -> dict:
        """Each key's shift: its acceptances over those the other factors expect, shrunk to 1."""
        won: dict = defaultdict(float)
        expected: dict = defaultdict(float)
        for (s, g, m, b), a, n in self.cells:
            key = key_of(g, m, b)
            if key is None:
                continue
            won[key] += a
            expected[key] += n * self.line[(s, g)] * other(g, m, b)
        kf = FACTOR_ACCEPTANCES
        found = {key: (won[key] + kf) / (expected[key] + kf) for key in won}
        # a shift is relative: the offers' rates carry the level, so the shifts average 1 over
        # the outcomes (within each line for price bands); one moment alone shifts nothing
        mass: dict = defaultdict(lambda: [0.0, 0.0])
        for (_, g, m, b), _, n in self.cells:
            key = key_of(g, m, b)
            if key is not None:
                group = mass[_group(key)]
                group[0] += n * found[key]
                group[1] += n
        return {key: value * mass[_group(key)][1] / mass[_group(key)][0] for key, value in found.items()}

    def p(self, service_id: str, moment: Moment, line: str, band: str | None) -> float:
        return min(max(self.rate(service_id, line) * self._shift(moment, line, band), 1e-4), 0.95)

    def trials(self, service_id: str, line: str) -> float:
        return self.line_trials.get((service_id, line), 0.0)


def _group(key: object) -> object:
    """The shifts a key is averaged with: a line's price bands together, all moments together."""
    return key[0] if isinstance(key, tuple) else None


class HierarchicalModel:
    """Acceptance per (offer, moment, segment, price band), each cell shrunk toward its parent."""

    def __init__(
        self,
        trials: Iterable[Trial],
        rules: Rules,
        labels: dict[str, str] | None = None,
        waiting: Iterable[Trial] = (),
    ) -> None:
        """`waiting`: the offers still waiting for an answer (`waiting_trials`), which the
        ranking counts as part of a no; the cells (what reports show) count answers only."""
        trials = list(trials)
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
        self.factors = Factors([*trials, *waiting], rules.prior_rate, k)

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
        # The rate ranked and sampled is the factors'; its posterior is worth the offer's
        # outcomes in the line plus the prior's pseudo-outcomes.
        mean = self.factors.p(service.id, moment, profile.line, band)
        weight = self.factors.trials(service.id, profile.line) + k
        alpha, beta = mean * weight, (1 - mean) * weight
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
