"""The scenarios: patients whose recent events make one moment (ready) or one moment plus one
blocker (the ``sup_`` ones), each registered with the answer a correct scan gives with the
default menu.

A scenario is a function that sets the chart up and writes its recent events; ``@scenario``
registers it, under its own name and with its docstring as its description, in ``SCENARIOS``.
The order of registration is the order in which patients cycle through them, so a new scenario
goes at the end (anywhere else, every later patient of the demo changes).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from assistant.domain.eligibility import Reason
from assistant.domain.moments import Moment
from assistant.synthetic.chart import Chart, pick
from assistant.synthetic.vocabulary import (
    COMPLAINTS,
    CONSULT_NOTES,
    GOAL_TO,
    GOALS,
    MAINT_FROM,
    REFERRED,
    RESULT_NOTES,
    TEEN_CONSULT,
    TEEN_GOALS,
)

SCENARIO_BG_END_DAYS = 43  # scenario patients: background stops before the scenario's window
RECENT_SHARE_LARGE = 0.15  # share of scenario patients beyond the demo block
DEMO_ROUNDS = 4  # the demo block: every scenario this many times

Write = Callable[[Chart], None]


@dataclass(frozen=True, slots=True)
class Expect:
    """What the scan answers for the scenario's patient: the moment it detects, and either the
    offer the practice's rules put first (exploration may show another) or the reason nothing
    is offered."""

    moment: Moment | None
    offer: str | None = None
    reason: Reason | None = None

    def __post_init__(self) -> None:
        if (self.offer is None) == (self.reason is None):
            raise ValueError("a scenario expects either an offer or a reason, not both or neither")


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    about: str
    expect: Expect
    write: Write


SCENARIOS: dict[str, Scenario] = {}  # filled by @scenario, in the order patients get them


def scenario(expect: Expect) -> Callable[[Write], Write]:
    def register(write: Write) -> Write:
        name = write.__name__
        if name in SCENARIOS:
            raise ValueError(f"scenario {name} is registered twice")
        SCENARIOS[name] = Scenario(name, inspect.getdoc(write) or "", expect, write)
        return write

    return register


def _setup(
    p: Chart,
    seg: str,
    memberships: tuple[str, ...] = (),
    avoid: tuple[str, ...] = (),
    age: tuple[int, int] = (26, 62),
) -> None:
    """A consenting adult of the segment with one goal, holding ``memberships``, whose history
    avoids ``avoid`` and stops before the scenario's window."""
    rng = p.rng
    p.seg = seg
    p.memberships = list(memberships)
    p.flags = []
    p.consent = True
    p.avoid = frozenset(avoid)
    p.member_offers = False
    p.bg_end = SCENARIO_BG_END_DAYS
    p.start_d = rng.randint(150, 362)
    p.goals = [pick(rng, GOALS[seg])]
    p.age = rng.randint(*age)
    if seg == "weight":
        p.w0 = float(rng.randint(175, 285))
        p.loss = rng.uniform(0.04, 0.14)


def _peak_botox(p: Chart) -> int:
    """Botox visit 15-30 days ago, result 2-10 days ago, feedback 9-10 after it; returns the
    visit's day."""
    rng = p.rng
    v = rng.randint(15, 30)
    p.visit(v, "botox")
    r = rng.randint(2, 10)
    p.add(r, rng.randrange(16), "result_observed", service_id="botox", note=pick(rng, RESULT_NOTES["botox"]))
    p.feedback(rng.randint(1, r), rng.choice((9, 10, 10)), "injectables")
    return v


def _booked(p: Chart, service: str) -> None:
    rng = p.rng
    _setup(p, "aesthetics", avoid=(service, "hydrafacial"))
    d = rng.randint(1, 10)
    p.add(
        d,
        p.slot(),
        "appointment_booked",
        service_id=service,
        scheduled_for=p.days.at(-rng.randint(2, 14), rng.randrange(30)),
    )


def _glp1_consultation(p: Chart) -> None:
    rng = p.rng
    p.add(
        rng.randint(1, 10),
        p.slot(),
        "consultation",
        service_id="glp1_program",
        note=pick(rng, CONSULT_NOTES["glp1_program"]),
        goals=list(p.goals),
    )


def _hormone_holder(p: Chart) -> None:
    _setup(p, "wellness", memberships=("hormone_optimization",), avoid=("longevity_protocol",), age=(38, 68))


def _summary(p: Chart, service: str) -> None:
    rng = p.rng
    _setup(p, "aesthetics", avoid=("product_kit",))
    d = rng.randint(1, 5)
    p.visit(d, service)
    if d >= 2 and rng.random() < 0.6:
        p.add(d - 1, p.slot(), "summary_sent", service_id=service)


def _glp1_goal(p: Chart, target: str, new_goal: str) -> None:
    """A GLP-1 holder whose goal changed 1-10 days ago to one of GOAL_TO[new_goal]."""
    rng = p.rng
    _setup(p, "weight", memberships=("glp1_program",), avoid=(target,))
    p.loss = rng.uniform(0.1, 0.22) if new_goal != "energy" else rng.uniform(0.06, 0.18)
    p.visit(rng.randint(15, 35), "glp1_program")
    p.add(
        rng.randint(1, 10),
        p.slot(),
        "goal_changed",
        **{"from": p.goals[0], "to": pick(rng, GOAL_TO[new_goal])},
    )


def _maintenance_goal(p: Chart, target: str, new_goal: str) -> None:
    """A weight_maintenance holder whose goal changed 1-10 days ago to one of GOAL_TO[new_goal]."""
    rng = p.rng
    _setup(p, "weight", memberships=("weight_maintenance",), avoid=(target,))
    p.start_d = rng.randint(240, 362)
    p.loss = rng.uniform(0.12, 0.22)
    p.visit(rng.randint(15, 35), "weight_maintenance")
    p.add(
        rng.randint(1, 10),
        p.slot(),
        "goal_changed",
        **{"from": pick(rng, MAINT_FROM), "to": pick(rng, GOAL_TO[new_goal])},
    )


def _flagged_glp1_consultation(p: Chart, flag: str) -> None:
    _setup(p, "weight", age=(24, 42))
    p.history = False
    p.flags = [flag]
    _glp1_consultation(p)


def _botox_visit(p: Chart) -> int:
    """An aesthetics patient (no skincare_membership) with a Botox visit 15-30 days ago."""
    _setup(p, "aesthetics", avoid=("skincare_membership",))
    v = p.rng.randint(15, 30)
    p.visit(v, "botox")
    return v


# --------------------------------------------------------------------------------------------
# Ready: one moment each
# --------------------------------------------------------------------------------------------
@scenario(Expect(Moment.BOOKING, offer="hydrafacial"))
def booking_botox(p: Chart) -> None:
    """Returning aesthetics patient (no prior Botox) booked Botox 1-10 days ago for 2-14 days
    ahead."""
    _booked(p, "botox")


@scenario(Expect(Moment.BOOKING, offer="hydrafacial"))
def booking_filler(p: Chart) -> None:
    """Returning aesthetics patient (no prior filler) booked filler 1-10 days ago for 2-14 days
    ahead."""
    _booked(p, "filler")


@scenario(Expect(Moment.INTAKE, offer="skincare_membership"))
def intake_botox(p: Chart) -> None:
    """New patient, first Botox consultation 1-10 days ago, no visits."""
    rng = p.rng
    _setup(p, "aesthetics", age=(24, 55))
    p.history = False
    p.goals = [
        pick(rng, ("smooth crow's feet", "softer frown lines", "look less tired", "smoother forehead"))
    ]
    p.add(
        rng.randint(1, 10),
        p.slot(),
        "consultation",
        service_id="botox",
        note=pick(rng, CONSULT_NOTES["botox"]),
        goals=list(p.goals),
    )


@scenario(Expect(Moment.INTAKE, offer="glp1_program"))
def intake_glp1(p: Chart) -> None:
    """New patient, GLP-1 consultation 1-10 days ago, no visits."""
    _setup(p, "weight", age=(28, 64))
    p.history = False
    _glp1_consultation(p)


@scenario(Expect(Moment.RESULTS_VISIBLE, offer="skincare_membership"))
def results_botox(p: Chart) -> None:
    """New patient's first treatment: a consult, Botox 15-30 days ago, result_observed 2-10 days
    ago, feedback 9-10."""
    rng = p.rng
    _setup(p, "aesthetics", avoid=("botox", "skincare_membership"), age=(26, 58))
    p.history = False
    p.goals = [pick(rng, ("softer frown lines", "smoother forehead", "look less tired"))]
    v = _peak_botox(p)
    p.add(
        v + rng.randint(3, 14),
        p.slot(),
        "consultation",
        service_id="botox",
        note=pick(rng, CONSULT_NOTES["botox"]),
        goals=list(p.goals),
    )


@scenario(Expect(Moment.RESULTS_VISIBLE, offer="body_contouring"))
def results_glp1(p: Chart) -> None:
    """GLP-1 holder, latest weight 1-10 days ago 5.5-12% below baseline, feedback 9-10."""
    rng = p.rng
    _setup(p, "weight", memberships=("glp1_program",), avoid=("body_contouring",))
    p.loss = rng.uniform(0.055, 0.12)
    p.start_d = rng.randint(150, 300)
    p.visit(rng.randint(15, 35), "glp1_program")
    m = rng.randint(1, 10)
    p.measurement(m, 20, round(p.w0 * (1.0 - p.loss), 1))
    lost = round(p.w0 * p.loss)
    p.feedback(
        rng.randint(1, m),
        rng.choice((9, 10)),
        "weight",
        pick(
            rng,
            (
                f"Down {lost} pounds, my jeans fit again.",
                f"{lost} pounds gone and I have energy again!",
                "I can't believe how much better I feel.",
            ),
        ),
    )


@scenario(Expect(Moment.RESULTS_VISIBLE, offer="longevity_protocol"))
def results_hormone(p: Chart) -> None:
    """Hormone holder, visit 15-30 days ago, feedback 10 1-10 days ago."""
    _hormone_holder(p)
    p.visit(p.rng.randint(15, 30), "hormone_optimization")
    p.feedback(p.rng.randint(1, 10), 10, "wellness")


@scenario(Expect(Moment.POST_TREATMENT_SUMMARY, offer="product_kit"))
def summary_hydrafacial(p: Chart) -> None:
    """HydraFacial visit 1-5 days ago (summary_sent next day sometimes)."""
    _summary(p, "hydrafacial")


@scenario(Expect(Moment.POST_TREATMENT_SUMMARY, offer="product_kit"))
def summary_peel(p: Chart) -> None:
    """Chemical peel visit 1-5 days ago (summary_sent next day sometimes)."""
    _summary(p, "chemical_peel")


@scenario(Expect(Moment.CHECK_IN, offer="product_kit"))
def checkin_peel(p: Chart) -> None:
    """Peel 21-35 days ago, check_in 9-10 positive 2-10 days ago."""
    rng = p.rng
    _setup(p, "aesthetics", avoid=("product_kit",))
    p.visit(rng.randint(21, 35), "chemical_peel")
    p.check_in(rng.randint(2, 10), rng.choice((9, 10)), "skin")


@scenario(Expect(Moment.CHECK_IN, offer="longevity_protocol"))
def checkin_hormone(p: Chart) -> None:
    """Hormone holder, visit 21-35 days ago, check_in 9-10 2-10 days ago."""
    rng = p.rng
    _hormone_holder(p)
    p.visit(rng.randint(21, 35), "hormone_optimization")
    p.check_in(rng.randint(2, 10), rng.choice((9, 10)), "wellness")


@scenario(Expect(Moment.REBOOKING_RENEWAL, offer="vip_membership"))
def renewal_skincare(p: Chart) -> None:
    """skincare_membership holder, renewal due in 5-20 days, recorded 1-10 days ago."""
    rng = p.rng
    _setup(p, "aesthetics", memberships=("skincare_membership",), avoid=("vip_membership",))
    p.start_d = rng.randint(200, 362)
    p.visit(rng.randint(20, 35), "hydrafacial", member=True)
    p.add(
        rng.randint(1, 10),
        p.slot(),
        "membership_renewal_due",
        service_id="skincare_membership",
        due_date=p.days.day(-rng.randint(5, 20)),
    )


@scenario(Expect(Moment.REFERRAL, offer="vip_membership"))
def referral_botox(p: Chart) -> None:
    """Returning Botox patient, referral_made 1-10 days ago."""
    rng = p.rng
    _setup(p, "aesthetics", avoid=("vip_membership",))
    p.start_d = rng.randint(180, 362)
    p.visit(rng.randint(100, 140), "botox")
    p.visit(rng.randint(15, 40), "botox")
    p.add(rng.randint(1, 10), p.slot(), "referral_made", referred_name=pick(rng, REFERRED))


@scenario(Expect(Moment.GOAL_CHANGE, offer="weight_maintenance"))
def goal_glp1_maintenance(p: Chart) -> None:
    """GLP-1 holder, goal_changed 1-10 days ago to keeping weight off."""
    _glp1_goal(p, "weight_maintenance", "maintenance")


@scenario(Expect(Moment.GOAL_CHANGE, offer="body_contouring"))
def goal_glp1_contouring(p: Chart) -> None:
    """GLP-1 holder, goal_changed 1-10 days ago to firming loose skin."""
    _glp1_goal(p, "body_contouring", "contouring")


@scenario(Expect(Moment.GOAL_CHANGE, offer="hormone_optimization"))
def goal_glp1_energy(p: Chart) -> None:
    """GLP-1 holder, goal_changed 1-10 days ago to energy / sleep."""
    _glp1_goal(p, "hormone_optimization", "energy")


@scenario(Expect(Moment.GOAL_CHANGE, offer="hydrafacial"))
def goal_maint_aesthetics(p: Chart) -> None:
    """weight_maintenance holder, goal_changed 1-10 days ago to aesthetics."""
    _maintenance_goal(p, "hydrafacial", "aesthetics")


@scenario(Expect(Moment.GOAL_CHANGE, offer="hormone_optimization"))
def goal_maint_hormones(p: Chart) -> None:
    """weight_maintenance holder, goal_changed 1-10 days ago to energy."""
    _maintenance_goal(p, "hormone_optimization", "energy")


# --------------------------------------------------------------------------------------------
# Blocked: a moment and one reason not to offer (or, for a pregnant booking, a narrower offer)
# --------------------------------------------------------------------------------------------
@scenario(Expect(Moment.RESULTS_VISIBLE, reason=Reason.NO_CONSENT))
def sup_no_consent(p: Chart) -> None:
    """Botox peak (result + feedback 9-10) but marketing_consent false."""
    _setup(p, "aesthetics", avoid=("skincare_membership",))
    p.consent = False
    _peak_botox(p)


@scenario(Expect(Moment.RESULTS_VISIBLE, reason=Reason.OPTED_OUT))
def sup_opted_out(p: Chart) -> None:
    """Botox visit, opted_out (all) after it, then feedback 9-10."""
    rng = p.rng
    _botox_visit(p)
    p.add(rng.randint(5, 12), p.slot(), "opted_out", channel="all")
    p.feedback(rng.randint(1, 4), rng.choice((9, 10)), "injectables")


@scenario(Expect(Moment.INTAKE, reason=Reason.CONTRAINDICATION))
def sup_pregnant_glp1(p: Chart) -> None:
    """Pregnant new patient, GLP-1 consultation 1-10 days ago (pregnancy excludes glp1_program,
    body_contouring and hormone_optimization)."""
    _flagged_glp1_consultation(p, "pregnant")


@scenario(Expect(Moment.INTAKE, reason=Reason.CONTRAINDICATION))
def sup_breastfeeding_glp1(p: Chart) -> None:
    """Breastfeeding new patient, GLP-1 consultation 1-10 days ago (breastfeeding excludes
    glp1_program, body_contouring and hormone_optimization)."""
    _flagged_glp1_consultation(p, "breastfeeding")


@scenario(Expect(Moment.BOOKING, offer="product_kit"))
def sup_pregnant_booking(p: Chart) -> None:
    """Pregnant patient booked a HydraFacial 1-10 days ago: offered product_kit, never botox,
    filler, glp1_program, body_contouring or chemical_peel."""
    rng = p.rng
    _setup(p, "aesthetics", avoid=("product_kit", "hydrafacial"), age=(24, 40))
    p.flags = ["pregnant"]
    p.add(
        rng.randint(1, 10),
        p.slot(),
        "appointment_booked",
        service_id="hydrafacial",
        scheduled_for=p.days.at(-rng.randint(2, 14), rng.randrange(30)),
    )


@scenario(Expect(Moment.INTAKE, reason=Reason.UNDER_AGE))
def sup_under_18(p: Chart) -> None:
    """16-17 year old with HydraFacial history and a Botox consultation 1-10 days ago
    (skincare_membership is 18+)."""
    rng = p.rng
    _setup(p, "aesthetics", age=(16, 17))
    p.goals = [pick(rng, TEEN_GOALS)]
    p.only = frozenset({"hydrafacial"})
    p.offers = False
    p.start_d = rng.randint(90, 300)
    p.add(
        rng.randint(1, 10),
        p.slot(),
        "consultation",
        service_id="botox",
        note=pick(rng, TEEN_CONSULT),
        goals=list(p.goals),
    )


@scenario(Expect(Moment.RESULTS_VISIBLE, reason=Reason.COMPLAINT))
def sup_complaint(p: Chart) -> None:
    """Botox visit, result_observed, complaint 2-20 days ago."""
    rng = p.rng
    v = _botox_visit(p)
    p.add(
        rng.randint(2, 10),
        rng.randrange(16),
        "result_observed",
        service_id="botox",
        note=pick(rng, RESULT_NOTES["botox"]),
    )
    p.add(rng.randint(2, min(20, v - 1)), p.slot(), "complaint", note=pick(rng, COMPLAINTS))


@scenario(Expect(Moment.RESULTS_VISIBLE, reason=Reason.NEGATIVE))
def sup_negative_feedback(p: Chart) -> None:
    """Botox visit, result_observed, feedback 2-6 1-12 days ago."""
    rng = p.rng
    _setup(p, "aesthetics", avoid=("skincare_membership",))
    p.visit(rng.randint(16, 30), "botox")
    f = rng.randint(1, 12)
    p.add(
        rng.randint(f + 1, 14),
        rng.randrange(16),
        "result_observed",
        service_id="botox",
        note=pick(rng, RESULT_NOTES["botox"]),
    )
    p.feedback(f, rng.randint(2, 6), "injectables")


@scenario(Expect(Moment.RESULTS_VISIBLE, reason=Reason.COOLDOWN))
def sup_cooldown(p: Chart) -> None:
    """Botox visit, offer_presented 3-25 days ago, then feedback 9-10."""
    rng = p.rng
    v = _botox_visit(p)
    o = rng.randint(3, min(25, v - 1))
    p.add(
        o,
        p.slot(),
        "offer_presented",
        service_id="skincare_membership",
        moment=pick(rng, (Moment.RESULTS_VISIBLE, Moment.POST_TREATMENT_SUMMARY)).value,
        channel=p.channel,
    )
    p.feedback(rng.randint(1, min(o - 1, 10)), rng.choice((9, 10)), "injectables")


@scenario(Expect(Moment.RESULTS_VISIBLE, reason=Reason.DECLINED))
def sup_declined(p: Chart) -> None:
    """Botox-only patient who declined skincare_membership 31-80 days ago, then a Botox peak
    now."""
    rng = p.rng
    _setup(p, "aesthetics", avoid=("skincare_membership",))
    p.history = False
    x = rng.randint(31, 80)
    p.add(
        x + 1,
        p.slot(),
        "offer_presented",
        service_id="skincare_membership",
        moment=pick(rng, (Moment.CHECK_IN, Moment.POST_TREATMENT_SUMMARY)).value,
        channel=p.channel,
    )
    p.add(x, p.slot(), "offer_declined", service_id="skincare_membership")
    _peak_botox(p)


@scenario(Expect(Moment.RESULTS_VISIBLE, reason=Reason.HOLDS))
def sup_holds_membership(p: Chart) -> None:
    """Botox-only skincare_membership holder with a Botox peak."""
    _setup(p, "aesthetics", memberships=("skincare_membership",))
    p.history = False
    _peak_botox(p)


@scenario(Expect(Moment.POST_TREATMENT_SUMMARY, reason=Reason.NO_CANDIDATE))
def sup_no_candidate(p: Chart) -> None:
    """First purchase is a skin care kit, a few days ago: nothing on the menu follows it."""
    _setup(p, "aesthetics")
    p.history = False
    p.visit(p.rng.randint(2, 10), "product_kit")


@scenario(Expect(None, reason=Reason.NO_SIGNAL))
def sup_old_history(p: Chart) -> None:
    """History only, nothing in the last 60 days."""
    rng = p.rng
    _setup(p, pick(rng, ("aesthetics", "aesthetics", "weight", "wellness")))
    p.bg_end = rng.randint(60, 120)
    p.start_d = rng.randint(p.bg_end + 30, 362)


# --------------------------------------------------------------------------------------------
# Which patients carry which scenario
# --------------------------------------------------------------------------------------------
_CYCLE: tuple[Scenario, ...] = tuple(SCENARIOS.values())  # every @scenario above has run


def scenario_patient_count(n_patients: int) -> int:
    """How many of the first patients carry a scenario: the demo block, then 15% of the rest."""
    block = DEMO_ROUNDS * len(_CYCLE)
    return min(n_patients, block) + round(RECENT_SHARE_LARGE * max(0, n_patients - block))


def scenario_of(i: int, n_patients: int) -> Scenario | None:
    """The scenario of patient number ``i`` (1-based, id ``p{i:06d}``), or None (background)."""
    if 1 <= i <= scenario_patient_count(n_patients):
        return _CYCLE[(i - 1) % len(_CYCLE)]
    return None
