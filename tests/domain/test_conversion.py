"""Ranking learns from outcomes, with a prior that keeps small samples honest."""

from __future__ import annotations

from assistant.domain.conversion import BetaBinomialModel, trials_from
from assistant.domain.moments import Moment
from assistant.domain.rules import Rules
from tests.builders import AS_OF, offer, outcome, patient


def _history(service: str, accepted: int, declined: int, start: int = 0):
    offers, outcomes = [], []
    for i in range(accepted + declined):
        pid = f"q{start + i}"
        offers.append(offer(service, "2026-06-01", Moment.RESULTS_VISIBLE, patient_id=pid))
        outcomes.append(outcome(service, "2026-06-03", i < accepted, patient_id=pid))
    return offers, outcomes


def test_no_outcomes_means_the_prior_rate():
    model = BetaBinomialModel([], Rules())
    estimate = model.estimate("x", Moment.BOOKING, patient())
    assert estimate.p == 0.15 and estimate.trials == 0
    assert "no outcomes yet" in estimate.evidence(Moment.BOOKING)


def test_cheaper_offer_that_converts_wins_after_enough_outcomes():
    cheap = _history("cheap", 10, 20)
    dear = _history("dear", 0, 30, start=100)
    trials = trials_from(cheap[0] + dear[0], cheap[1] + dear[1], AS_OF, Rules())
    model = BetaBinomialModel(trials, Rules())
    p_cheap = model.estimate("cheap", Moment.RESULTS_VISIBLE, patient())
    p_dear = model.estimate("dear", Moment.RESULTS_VISIBLE, patient())
    assert 250 * p_cheap.p > 750 * p_dear.p
    assert p_cheap.evidence(Moment.RESULTS_VISIBLE).startswith("accepted 10 of 30 times")


def test_small_samples_stay_near_the_practice_rate():
    offers, outcomes = _history("lucky", 1, 0)
    model = BetaBinomialModel(trials_from(offers, outcomes, AS_OF, Rules()), Rules())
    assert model.estimate("lucky", Moment.RESULTS_VISIBLE, patient()).p < 0.35


def test_unanswered_offers_count_as_declined_only_after_a_while():
    old = [offer("kit", "2026-09-01", patient_id="a")]
    new = [offer("kit", "2026-11-20", patient_id="b")]
    trials = trials_from(old + new, [], AS_OF, Rules())
    assert [(t.service_id, t.accepted) for t in trials] == [("kit", False)]


def test_outcomes_after_the_scan_date_are_not_known_yet():
    offers, outcomes = _history("kit", 5, 0)
    trials = trials_from(offers, outcomes, offers[0].at.date().replace(month=5), Rules())
    assert trials == []
