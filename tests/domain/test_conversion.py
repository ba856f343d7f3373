"""Ranking learns from outcomes: a hierarchical model whose sparse cells borrow strength from
their parents, credible intervals, evidence in words, and exploration with a logged record."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.domain import exploration
from assistant.domain.conversion import HierarchicalModel, Trial, trials_from
from assistant.domain.moments import Moment
from assistant.domain.records import Service
from assistant.domain.rules import Rules
from assistant.domain.segments import Profile, Segmentation
from tests.builders import AS_OF, offer, outcome, patient

R = Moment.RESULTS_VISIBLE
WEIGHT = Profile("weight", "returning", "35-49", 400.0)
SKIN = Profile("aesthetics", "returning", "35-49", 400.0)
LABELS = {"weight": "weight-loss", "aesthetics": "aesthetics"}


def service(service_id: str, price: float = 250) -> Service:
    return Service(service_id, service_id.replace("_", " ").title(), "", price, "visit")


def _history(service_id: str, accepted: int, declined: int, start: int = 0):
    offers, outcomes = [], []
    for i in range(accepted + declined):
        pid = f"q{start + i}"
        offers.append(offer(service_id, "2026-06-01", R, patient_id=pid))
        outcomes.append(outcome(service_id, "2026-06-03", i < accepted, patient_id=pid))
    return offers, outcomes


def trials(service_id: str, profile: Profile, accepted: int, declined: int, band="usual"):
    return [Trial(service_id, R, i < accepted, profile, band) for i in range(accepted + declined)]


def test_no_outcomes_means_the_prior_rate_with_a_wide_interval():
    estimate = HierarchicalModel([], Rules()).estimate(service("x"), Moment.BOOKING, WEIGHT, "usual")
    assert abs(estimate.p - 0.15) < 1e-9 and estimate.trials == 0
    assert estimate.low < 0.05 and estimate.high > 0.35
    assert "no outcomes yet" in estimate.evidence(Moment.BOOKING)


def test_cheaper_offer_that_converts_wins_after_enough_outcomes():
    cheap = _history("cheap", 10, 20)
    dear = _history("dear", 0, 30, start=100)
    model = HierarchicalModel(trials_from(cheap[0] + dear[0], cheap[1] + dear[1], AS_OF, Rules()), Rules())
    p_cheap = model.estimate(service("cheap", 250), R, Profile(), None)
    p_dear = model.estimate(service("dear", 750), R, Profile(), None)
    assert 250 * p_cheap.p > 750 * p_dear.p
    assert "accepted Cheap 10 of 30 times; 95% interval" in p_cheap.evidence(R)


def test_small_samples_stay_near_the_practice_rate():
    offers, outcomes = _history("lucky", 1, 0)
    model = HierarchicalModel(trials_from(offers, outcomes, AS_OF, Rules()), Rules())
    assert model.estimate(service("lucky"), R, Profile(), None).p < 0.35


def test_a_segment_learns_its_own_rate_and_a_sparse_one_borrows_from_its_parent():
    data = trials("kit", WEIGHT, 12, 29) + trials("kit", SKIN, 2, 38)
    model = HierarchicalModel(data, Rules(), LABELS)
    weight = model.estimate(service("kit"), R, WEIGHT, "usual")
    skin = model.estimate(service("kit"), R, SKIN, "usual")
    wellness = model.estimate(service("kit"), R, Profile("wellness", "new", "50+", None), "first purchase")
    assert weight.p > 0.2 > 0.1 > skin.p
    assert skin.p < wellness.p < weight.p  # no data: the offer x moment rate, between the two
    assert weight.low < weight.p < weight.high
    assert weight.evidence(R).startswith(
        "weight-loss patients at first results visible accepted Kit 12 of 41 times; 95% interval"
    )


def test_outcomes_make_the_interval_narrower():
    few = HierarchicalModel(trials("kit", WEIGHT, 2, 8), Rules()).estimate(service("kit"), R, WEIGHT, "usual")
    many = HierarchicalModel(trials("kit", WEIGHT, 20, 80), Rules()).estimate(
        service("kit"), R, WEIGHT, "usual"
    )
    assert many.high - many.low < few.high - few.low


def test_unanswered_offers_count_as_declined_only_after_a_while():
    old = [offer("kit", "2026-09-01", patient_id="a")]
    new = [offer("kit", "2026-11-20", patient_id="b")]
    found = trials_from(old + new, [], AS_OF, Rules())
    assert [(t.service_id, t.accepted) for t in found] == [("kit", False)]


def test_outcomes_after_the_scan_date_are_not_known_yet():
    offers, outcomes = _history("kit", 5, 0)
    assert trials_from(offers, outcomes, offers[0].at.date().replace(month=5), Rules()) == []


def test_segments_and_price_bands_are_derived():
    segmentation = Segmentation.from_config({"lines": {"weight": ["weight"]}, "age_edges": [35, 50]})
    older = patient(birth_date=date(1960, 1, 1), segment=None)
    assert segmentation.age_band(older, AS_OF) == "50+"
    assert segmentation.record_profile(patient(segment="Weight"), AS_OF).line == "weight"
    assert segmentation.price_band(750, Profile(usual_spend=399)) == "above usual spend"
    assert segmentation.price_band(149, Profile(usual_spend=399)) == "below usual spend"
    assert segmentation.price_band(149, Profile()) == "first purchase"


def test_exploration_only_reorders_offers_whose_evidence_differs():
    same = [exploration.Option(750, 1.5, 8.5), exploration.Option(250, 1.5, 8.5)]
    assert exploration.choose(same, 0.001) == exploration.choose(same, 0.999) == 0
    assert exploration.probabilities(same) == [1.0, 0.0]
    known, unknown = exploration.Option(250, 30, 70), exploration.Option(300, 1.5, 8.5)
    low = exploration.choose([known, unknown], 0.02)
    high = exploration.choose([known, unknown], 0.98)
    chances = exploration.probabilities([known, unknown])
    assert (low, high) == (0, 1)  # the offer with thin evidence wins when u is high
    assert 0 < chances[1] < 0.5 and abs(sum(chances) - 1) < 1e-9


def test_a_clearly_worse_offer_is_never_explored():
    clear = [exploration.Option(250, 11.6, 28.4), exploration.Option(750, 1.6, 38.4)]
    for u in (0.001, 0.5, 0.999):
        assert exploration.choose(clear, u, floor=0.05) == 0
    assert exploration.probabilities(clear, floor=0.05) == [1.0, 0.0]


def test_the_weekly_draw_is_repeatable_and_changes_by_week():
    a = exploration.patient_draw("p1", date(2026, 11, 24))
    assert a == exploration.patient_draw("p1", date(2026, 11, 25))  # same ISO week
    assert a != exploration.patient_draw("p1", date(2026, 12, 1))
    assert 0 < a < 1


def test_the_logged_probabilities_are_how_often_each_offer_is_chosen():
    import random

    rng = random.Random(3)
    for _ in range(20):
        options = [
            exploration.Option(rng.choice([99, 149, 250, 750]), rng.uniform(0.5, 30), rng.uniform(5, 90))
            for _ in range(rng.randint(2, 4))
        ]
        chances = exploration.probabilities(options, floor=0.05)
        picks = [exploration.choose(options, float(u), floor=0.05) for u in exploration.GRID]
        observed = [picks.count(i) / len(picks) for i in range(len(options))]
        assert observed == pytest.approx(chances, abs=1e-9)
