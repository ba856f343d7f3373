"""The brief's default menu as the generator needs it: ids and prices, which services are
memberships, and how often each offer is made and accepted at which moment."""

from __future__ import annotations

from assistant.domain.moments import Moment

PRICES: dict[str, int] = {
    "botox": 450,
    "filler": 750,
    "hydrafacial": 225,
    "chemical_peel": 200,
    "microneedling": 350,
    "laser_resurfacing": 900,
    "product_kit": 180,
    "skincare_membership": 149,
    "glp1_program": 399,
    "weight_maintenance": 199,
    "body_contouring": 750,
    "hormone_optimization": 250,
    "longevity_protocol": 300,
    "iv_therapy": 199,
    "vip_membership": 99,
}
SERVICE_IDS: tuple[str, ...] = tuple(PRICES)
MEMBERSHIPS = frozenset(
    {
        "skincare_membership",
        "vip_membership",
        "glp1_program",
        "weight_maintenance",
        "hormone_optimization",
        "longevity_protocol",
    }
)

# offers in the background history: base acceptance rate, the moment's multiplier, the moments
# each is made at, and which are made to which segment
OFFER_BASE: dict[str, float] = {
    "product_kit": 0.28,
    "skincare_membership": 0.24,
    "hydrafacial": 0.20,
    "iv_therapy": 0.18,
    "vip_membership": 0.18,
    "weight_maintenance": 0.20,
    "hormone_optimization": 0.14,
    "longevity_protocol": 0.12,
    "filler": 0.12,
    "botox": 0.15,
    "microneedling": 0.10,
    "laser_resurfacing": 0.07,
    "body_contouring": 0.08,
    "chemical_peel": 0.15,
    "glp1_program": 0.12,
}
MOMENT_MULT: dict[Moment, float] = {
    Moment.RESULTS_VISIBLE: 1.25,
    Moment.CHECK_IN: 1.15,
    Moment.BOOKING: 1.1,
    Moment.POST_TREATMENT_SUMMARY: 1.0,
    Moment.INTAKE: 0.85,
    Moment.REBOOKING_RENEWAL: 1.1,
    Moment.REFERRAL: 1.2,
    Moment.GOAL_CHANGE: 1.2,
}
OFFER_MOMENTS: dict[str, tuple[Moment, ...]] = {
    "product_kit": (Moment.POST_TREATMENT_SUMMARY, Moment.CHECK_IN, Moment.BOOKING),
    "skincare_membership": (Moment.RESULTS_VISIBLE, Moment.INTAKE, Moment.CHECK_IN, Moment.REBOOKING_RENEWAL),
    "hydrafacial": (Moment.BOOKING, Moment.GOAL_CHANGE),
    "body_contouring": (Moment.RESULTS_VISIBLE, Moment.GOAL_CHANGE, Moment.CHECK_IN),
    "weight_maintenance": (Moment.GOAL_CHANGE,),
    "hormone_optimization": (Moment.GOAL_CHANGE, Moment.CHECK_IN),
    "longevity_protocol": (Moment.CHECK_IN, Moment.RESULTS_VISIBLE, Moment.GOAL_CHANGE),
    "vip_membership": (Moment.REFERRAL, Moment.REBOOKING_RENEWAL),
    "filler": (Moment.RESULTS_VISIBLE, Moment.BOOKING),
    "botox": (Moment.INTAKE, Moment.BOOKING),
    "microneedling": (Moment.POST_TREATMENT_SUMMARY, Moment.CHECK_IN),
    "laser_resurfacing": (Moment.POST_TREATMENT_SUMMARY, Moment.CHECK_IN),
    "iv_therapy": (Moment.CHECK_IN, Moment.BOOKING),
    "chemical_peel": (Moment.POST_TREATMENT_SUMMARY,),
    "glp1_program": (Moment.INTAKE,),
}
SEG_OFFERS = {
    "aesthetics": (
        "skincare_membership",
        "product_kit",
        "hydrafacial",
        "filler",
        "microneedling",
        "laser_resurfacing",
        "vip_membership",
        "botox",
    ),
    "weight": ("body_contouring", "weight_maintenance", "hormone_optimization", "iv_therapy"),
    "wellness": ("longevity_protocol", "iv_therapy", "vip_membership", "hormone_optimization"),
}
AREA = {
    "botox": "injectables",
    "filler": "injectables",
    "hydrafacial": "skin",
    "chemical_peel": "skin",
    "microneedling": "skin",
    "laser_resurfacing": "skin",
    "product_kit": "skin",
    "skincare_membership": "skin",
    "glp1_program": "weight",
    "weight_maintenance": "weight",
    "body_contouring": "weight",
    "hormone_optimization": "wellness",
    "longevity_protocol": "wellness",
    "iv_therapy": "wellness",
    "vip_membership": "skin",
}
# weighted visit mixes per segment (cumulative weights built below)
_AES_MIX = (
    ("botox", 34),
    ("hydrafacial", 24),
    ("chemical_peel", 12),
    ("filler", 10),
    ("microneedling", 8),
    ("product_kit", 8),
    ("laser_resurfacing", 4),
)
_WELL_MIX = (("hormone_optimization", 60), ("iv_therapy", 22), ("longevity_protocol", 13), ("hydrafacial", 5))


def _cum(mix: tuple[tuple[str, int], ...]) -> tuple[tuple[str, ...], list[int]]:
    names, acc, tot = [], [], 0
    for name, w in mix:
        tot += w
        names.append(name)
        acc.append(tot)
    return tuple(names), acc


AES_NAMES, AES_CUM = _cum(_AES_MIX)
WELL_NAMES, WELL_CUM = _cum(_WELL_MIX)
INJECTABLE_LIKE = frozenset(
    {"botox", "filler", "microneedling", "laser_resurfacing", "body_contouring", "chemical_peel"}
)
