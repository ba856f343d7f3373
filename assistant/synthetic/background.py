"""A year of plain history: who a background patient is, and the visits, follow-ups and past
offers that come before any scenario's recent events.

Background events end ``p.bg_end`` days before as_of (at least ``BACKGROUND_END_DAYS``), so
history alone never makes a patient ready or blocked.
"""

from __future__ import annotations

import random

from assistant.synthetic.chart import BACKGROUND_END_DAYS, Chart, pick
from assistant.synthetic.menu import (
    AES_CUM,
    AES_NAMES,
    AREA,
    INJECTABLE_LIKE,
    MEMBERSHIPS,
    MOMENT_MULT,
    OFFER_BASE,
    OFFER_MOMENTS,
    SEG_OFFERS,
    WELL_CUM,
    WELL_NAMES,
)
from assistant.synthetic.vocabulary import (
    CANCEL_REASONS,
    COMPLAINTS,
    CONSULT_NOTES,
    GOALS,
    REFERRED,
    RESULT_NOTES,
    TEEN_GOALS,
)

_FALLBACK = {
    "aesthetics": ("hydrafacial", "chemical_peel", "botox", "microneedling"),
    "weight": ("glp1_program", "weight_maintenance", "iv_therapy"),
    "wellness": ("hormone_optimization", "iv_therapy", "hydrafacial"),
}
_ANCHOR: list = []  # marker in a group list: the next group is an episode's visit


def background_profile(p: Chart) -> None:
    """Segment, consent, age, flags, goals, span of history and memberships of a plain patient."""
    rng = p.rng
    r = rng.random()
    p.seg = "aesthetics" if r < 0.55 else ("weight" if r < 0.85 else "wellness")
    p.consent = rng.random() < 0.92
    r = rng.random()
    if r < 0.01:
        p.age = rng.randint(16, 17)
        p.seg = "aesthetics"
    elif p.seg == "wellness":
        p.age = rng.randint(35, 75)
    else:
        p.age = rng.randint(19, 72)
    flags = []
    if 18 <= p.age < 45 and p.seg != "weight":
        r = rng.random()
        if r < 0.025:
            flags.append("pregnant")
        elif r < 0.04:
            flags.append("breastfeeding")
    if rng.random() < 0.03:
        flags.append("allergy_lidocaine")
    p.flags = flags
    n_goals = rng.choice((0, 1, 1, 2))
    pool = GOALS[p.seg]
    p.goals = [pool[rng.randrange(len(pool))] for _ in range(n_goals)]
    if len(p.goals) == 2 and p.goals[0] == p.goals[1]:
        p.goals.pop()
    p.start_d = rng.randint(60, 362) if rng.random() < 0.25 else rng.randint(150, 362)
    p.bg_end = BACKGROUND_END_DAYS
    if rng.random() < 0.2:  # lapsed patient
        p.bg_end = min(p.start_d - 20, rng.randint(60, 200))
        p.bg_end = max(BACKGROUND_END_DAYS, p.bg_end)
    p.memberships = _memberships(p)
    if p.age < 18:
        p.goals = [rng.choice(TEEN_GOALS)]


def _memberships(p: Chart) -> list[str]:
    """The memberships a plain patient holds (and a weight patient's starting weight and loss)."""
    rng = p.rng
    m: list[str] = []
    r = rng.random()
    if p.seg == "aesthetics":
        if r < 0.15 and p.age >= 18:
            m.append("skincare_membership")
        if rng.random() < 0.05 and p.age >= 18:
            m.append("vip_membership")
        if p.age < 18:
            p.only = frozenset({"hydrafacial", "chemical_peel", "product_kit"})
            p.offers = False
    elif p.seg == "weight":
        p.w0 = float(rng.randint(165, 300))
        p.loss = rng.uniform(0.03, 0.2)
        if p.bg_end == BACKGROUND_END_DAYS:
            m.append("glp1_program" if r < 0.75 else "weight_maintenance")
    else:
        if r < 0.7:
            m.append("hormone_optimization")
        if rng.random() < 0.1:
            m.append("longevity_protocol")
    return m


def budget(rng: random.Random, events_per_patient: float | None) -> int:
    """How many history events a patient gets: 10-25, or about ``events_per_patient``."""
    if events_per_patient is None:
        return rng.randint(10, 25)
    e = max(1.0, float(events_per_patient))
    lo = max(1, int(e * 0.5))
    hi = max(lo, round(2 * e - lo))
    return rng.randint(lo, hi)


def background(p: Chart, k: int) -> None:
    """Append about k events of plain history between p.start_d and p.bg_end days ago."""
    groups: list[list] = []
    main = _opening(p, groups)
    _episodes(p, k - sum(len(g) for g in groups), groups)
    n = _materialise(p, groups, k)
    _pad(p, k - n, main)


def _opening(p: Chart, groups: list[list]) -> str:
    """The consultation, the first visit (baseline weight) and the memberships started; returns
    the service the patient came for."""
    rng = p.rng
    start = p.start_d
    main = {"weight": "glp1_program", "wellness": "hormone_optimization"}.get(p.seg)
    if main is None:
        main = visit_service(p, start) or "hydrafacial"
        if main == "member_facial":
            main = "hydrafacial"
    if main in p.avoid:
        main = "hydrafacial" if "hydrafacial" not in p.avoid else "chemical_peel"
    if rng.random() < 0.6 or p.seg != "aesthetics":
        notes = CONSULT_NOTES.get(main)
        if notes:
            groups.append(
                [
                    (
                        min(365, start + rng.randint(0, 7)),
                        "consultation",
                        {"service_id": main, "note": pick(rng, notes), "goals": p.goals[:1]},
                    )
                ]
            )
    first: list[tuple] = [(start, "visit", main, False)]
    if p.seg == "weight":
        first.append((start, "baseline", None))
    groups.append(first)
    for m in p.memberships:
        _membership_start(p, m, groups)
    return main


def _membership_start(p: Chart, m: str, groups: list[list]) -> None:
    rng = p.rng
    start, end = p.start_d, p.bg_end
    if m in ("glp1_program", "hormone_optimization"):
        md = start
    elif m == "weight_maintenance":
        md = max(end, int(start * 0.45))
    else:
        md = rng.randint(end, start) if start > end else start
        if m == "skincare_membership":
            md = max(md, min(start, 60))
    groups.append([(md, "membership_started", {"service_id": m})])
    if (
        m in ("skincare_membership", "vip_membership", "longevity_protocol")
        and rng.random() < 0.3
        and md - 40 >= end + 20
    ):
        rd = rng.randint(end + 20, md - 20)
        groups.append(
            [
                (
                    rd,
                    "membership_renewal_due",
                    {"service_id": m, "due_date": p.days.day(rd - rng.randint(7, 14))},
                )
            ]
        )


def _episodes(p: Chart, budget_left: int, groups: list[list]) -> None:
    """Visits spread evenly over the span, as many as the budget left is likely to hold."""
    rng = p.rng
    start, end = p.start_d, p.bg_end
    est = {"weight": 3.0, "wellness": 2.3}.get(p.seg, 2.3)
    v = max(0, round(budget_left / est))
    if not v or start - end <= 3:
        return
    spacing = (start - end) / (v + 0.5)
    for j in range(v):
        d = int(start - (j + 1) * spacing + rng.uniform(-0.3, 0.3) * spacing)
        d = max(end, min(start - 1, d))
        _episode(p, d, groups)


def _materialise(p: Chart, groups: list[list], k: int) -> int:
    """Emit whole groups while they fit in k events; returns how many were emitted."""
    n = 0
    skipping = False  # inside an episode whose visit did not fit
    anchor = False
    for g in groups:
        if g is _ANCHOR:
            anchor, skipping = True, False
            continue
        if skipping:
            continue
        if n + len(g) > k:
            skipping = anchor
            anchor = False
            continue
        anchor = False
        n += len(g)
        for item in g:
            _emit(p, item)
    return n


def _pad(p: Chart, missing: int, main: str) -> None:
    """Fill the budget with single weights, feedback and check-ins."""
    rng = p.rng
    lo, hi = p.bg_end, max(p.bg_end, p.start_d - 1)
    for _ in range(missing):
        d = rng.randint(lo, hi)
        if p.seg == "weight" and rng.random() < 0.6:
            p.measurement(d, p.slot(), p.weight_at(d))
        elif rng.random() < 0.6:
            p.feedback(d, rng.choice((7, 8, 8, 9)), AREA.get(main, "skin"))
        else:
            p.check_in(d, rng.choice((7, 8, 9)), AREA.get(main, "skin"))


def visit_service(p: Chart, d: int) -> str:
    """The service of a visit d days ago by the segment's mix, or "" if the patient avoids all."""
    rng = p.rng
    seg = p.seg
    if seg == "weight":
        maint = "weight_maintenance" in p.memberships and d < p.start_d * 0.45
        r = rng.random()
        if r < 0.08 and d < p.start_d * 0.6:
            svc = "body_contouring"
        elif r < 0.13:
            svc = "iv_therapy"
        else:
            svc = "weight_maintenance" if maint else "glp1_program"
    elif seg == "wellness":
        svc = WELL_NAMES[_bisect(WELL_CUM, rng.randrange(WELL_CUM[-1]))]
    else:
        if "skincare_membership" in p.memberships and rng.random() < 0.45:
            return "member_facial"
        svc = AES_NAMES[_bisect(AES_CUM, rng.randrange(AES_CUM[-1]))]
    if svc in p.avoid or (p.only is not None and svc not in p.only):
        for alt in _FALLBACK[seg]:
            if alt not in p.avoid and (p.only is None or alt in p.only):
                return alt
        return ""
    return svc


def _bisect(cum: list[int], x: int) -> int:
    i = 0
    while cum[i] <= x:
        i += 1
    return i


def _episode(p: Chart, d: int, out: list) -> None:
    """One visit with its booking and follow-ups, as atomic groups appended to ``out``.

    The visit group is appended first and marked as the episode's anchor; the materialising loop
    drops the follow-ups of a visit it could not fit, so no summary or result lacks its visit.
    """
    rng = p.rng
    svc = visit_service(p, d)
    if not svc:
        return
    out.append(_ANCHOR)
    end = p.bg_end
    member = svc == "member_facial"
    if member:
        svc = "hydrafacial"
    area = AREA[svc]
    grp: list = [(d, "visit", svc, member)]
    if svc in ("glp1_program", "weight_maintenance"):
        grp.append((d, "measure", None))
    out.append(grp)
    if rng.random() < 0.25:
        b = min(365, d + rng.randint(3, 21))
        if rng.random() < 0.12:
            out.append(
                [(b, "appointment_cancelled", {"service_id": svc, "reason": pick(rng, CANCEL_REASONS)})]
            )
        out.append([(b, "booked", (svc, d))])
    if rng.random() < 0.35 and d - 1 >= end:
        out.append([(d - 1, "summary_sent", {"service_id": svc})])
    if svc in RESULT_NOTES and svc in INJECTABLE_LIKE and rng.random() < 0.3:
        d2 = d - rng.randint(7, 14)
        if d2 >= end:
            out.append([(d2, "result_observed", {"service_id": svc, "note": pick(rng, RESULT_NOTES[svc])})])
    if rng.random() < 0.3:
        d2 = d - rng.randint(1, 6)
        if d2 >= end:
            out.append([(d2, "fb", area)])
    if rng.random() < 0.12:
        d2 = d - rng.randint(14, 28)
        if d2 >= end:
            out.append([(d2, "ci", area)])
    if p.offers and rng.random() < 0.12:
        d2 = d - rng.randint(0, 10)
        if d2 >= end + 1:
            _offer_pair(p, d2, out)
    _life_event(p, svc, d, out)


def _life_event(p: Chart, svc: str, d: int, out: list) -> None:
    """Now and then after a visit: a referral, a goal change, a complaint or a GLP-1 milestone."""
    rng = p.rng
    r = rng.random()
    if r >= 0.07:
        return
    d2 = d - rng.randint(1, 20)
    if d2 < p.bg_end:
        return
    if r < 0.025:
        out.append([(d2, "referral_made", {"referred_name": pick(rng, REFERRED)})])
    elif r < 0.04 and p.goals:
        out.append([(d2, "goal_changed", {"from": p.goals[0], "to": pick(rng, GOALS[p.seg])})])
    elif r < 0.05:
        out.append([(d2, "complaint", {"note": pick(rng, COMPLAINTS)})])
    elif svc == "glp1_program":
        out.append(
            [
                (
                    d2,
                    "milestone",
                    {
                        "note": pick(
                            rng,
                            (
                                "Lost 10% of starting weight.",
                                "Off blood pressure medication per PCP.",
                                "First 20 pounds down.",
                            ),
                        )
                    },
                )
            ]
        )


def _offer_pair(p: Chart, d: int, out: list) -> None:
    """offer_presented at day d, its outcome 1-5 days later (and what an acceptance led to)."""
    rng = p.rng
    cands = [
        s
        for s in SEG_OFFERS[p.seg]
        if s not in p.avoid and s not in p.memberships and (p.member_offers or s not in MEMBERSHIPS)
    ]
    if not cands:
        return
    svc = pick(rng, cands)
    moment = pick(rng, OFFER_MOMENTS[svc])
    prob = min(0.4, OFFER_BASE[svc] * MOMENT_MULT[moment])
    d2 = d - rng.randint(1, 5)
    if d2 < p.bg_end:
        return
    channel = p.channel if rng.random() < 0.85 else ("sms" if p.channel == "email" else "email")
    grp = [(d, "offer_presented", {"service_id": svc, "moment": moment.value, "channel": channel})]
    if rng.random() < prob:
        grp.append((d2, "offer_accepted", {"service_id": svc}))
        if svc in MEMBERSHIPS:
            grp.append((d2, "membership_started", {"service_id": svc}))
        else:
            d3 = d2 - rng.randint(2, 14)
            if d3 >= p.bg_end:
                grp.append((d3, "visit", svc))
    else:
        grp.append((d2, "offer_declined", {"service_id": svc}))
    out.append(grp)


def _emit(p: Chart, item: tuple) -> None:
    """Write one planned item of a group as the chart's event(s)."""
    d, kind = item[0], item[1]
    rng = p.rng
    if kind == "visit":
        svc = item[2]
        member = item[3] if len(item) > 3 else False
        p.visit(d, svc, slot=rng.randrange(30), member=member)
    elif kind == "measure":
        p.measurement(d, 31, p.weight_at(d))
    elif kind == "baseline":
        p.measurement(d, 31, p.w0)
    elif kind == "booked":
        svc, vd = item[2]
        p.add(
            d, p.slot(), "appointment_booked", service_id=svc, scheduled_for=p.days.at(vd, rng.randrange(30))
        )
    elif kind == "fb":
        p.feedback(d, _bg_score(rng), item[2])
    elif kind == "ci":
        p.check_in(d, rng.choice((7, 8, 9, 9, 10)), item[2])
    else:
        fields = item[2]
        if kind == "membership_started" and fields["service_id"] not in p.memberships:
            p.memberships.append(fields["service_id"])  # an accepted membership offer
        p.add(d, p.slot(), kind, **fields)


def _bg_score(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.55:
        return 9 + (r < 0.3)
    if r < 0.88:
        return 7 + (r < 0.7)
    return rng.randint(2, 6)
