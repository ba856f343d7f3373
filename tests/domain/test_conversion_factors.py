"""The ranking pools what is common across offers: a line of care's price sensitivity and a
moment's pull, seen on some offers, reach the others; and offers still waiting for an answer
count as part of a no, so an offer made lately is not read as better than it is."""

from __future__ import annotations

from assistant.domain.conversion import HierarchicalModel, Trial, trials_from, waiting_trials
from assistant.domain.moments import Moment
from assistant.domain.records import Service
from assistant.domain.rules import Rules
from assistant.domain.segments import Profile
from tests.builders import AS_OF, offer, outcome

R, B = Moment.RESULTS_VISIBLE, Moment.BOOKING
SKIN = Profile("aesthetics", "returning", "35-49", 400.0)
ABOVE, BELOW = "above usual spend", "below usual spend"


def service(service_id: str, price: float = 250) -> Service:
    return Service(service_id, service_id.title(), "", price, "visit")


def trials(service_id: str, band: str, accepted: int, declined: int, moment: Moment = R) -> list[Trial]:
    return [Trial(service_id, moment, i < accepted, SKIN, band) for i in range(accepted + declined)]


def test_a_lines_price_sensitivity_seen_on_some_offers_reaches_another():
    # aesthetics patients take offers below their usual spend far more often than above it
    seen = [
        *trials("peel", BELOW, 12, 28),
        *trials("peel", ABOVE, 2, 38),
        *trials("facial", BELOW, 12, 28),
        *trials("facial", ABOVE, 2, 38),
        *trials("kit", BELOW, 3, 7),
        *trials("kit", ABOVE, 3, 7),
    ]
    model = HierarchicalModel(seen, Rules())
    below = model.estimate(service("kit"), R, SKIN, BELOW)
    above = model.estimate(service("kit"), R, SKIN, ABOVE)
    # kit's own record is even, but the line's price sensitivity moves its two bands apart
    assert below.p > 1.5 * above.p
    assert below.trials == above.trials == 10  # the counts shown stay the cells' own


def test_a_moments_pull_seen_on_some_offers_reaches_another():
    seen = [
        *trials("peel", BELOW, 15, 25, R),
        *trials("peel", BELOW, 3, 37, B),
        *trials("facial", BELOW, 15, 25, R),
        *trials("facial", BELOW, 3, 37, B),
        *trials("kit", BELOW, 2, 8, R),
        *trials("kit", BELOW, 2, 8, B),
    ]
    model = HierarchicalModel(seen, Rules())
    at_results = model.estimate(service("kit"), R, SKIN, BELOW)
    at_booking = model.estimate(service("kit"), B, SKIN, BELOW)
    assert at_results.p > 1.5 * at_booking.p  # kit's own record is even across the two moments


def test_offers_waiting_for_an_answer_count_as_part_of_a_no():
    rules = Rules()  # no_answer_days 30
    offers = [offer("kit", "2026-11-14", patient_id=f"w{i}") for i in range(20)]  # 10 days before AS_OF
    outcomes = [outcome("kit", "2026-11-16", True, patient_id=f"w{i}") for i in range(4)]
    waiting = waiting_trials(offers, outcomes, AS_OF, rules)
    assert len(waiting) == 16 and all(not t.accepted for t in waiting)
    assert {round(t.weight, 4) for t in waiting} == {round(10 / 30, 4)}
    answered = trials_from(offers, outcomes, AS_OF, rules)
    hasty = HierarchicalModel(answered, rules).estimate(service("kit"), R, Profile(), None)
    patient = HierarchicalModel(answered, rules, waiting=waiting).estimate(service("kit"), R, Profile(), None)
    # 4 yeses from 20 offers, 16 of them a third of the way through their wait: not 4 of 4
    assert patient.p < hasty.p
    assert patient.trials == hasty.trials == 4  # what reports count is answers only
