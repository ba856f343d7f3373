"""Synthetic practice generator: a reproducible cash-pay practice in the JSON Lines import format.

Why this exists
---------------
The demo, the benchmarks and the end-to-end tests all need a practice that (a) looks like a real
med spa / weight / wellness clinic, (b) contains every one of the eight cross-sell moments and
every suppression rule from the brief, each at least twice for the 200-patient demo, and (c) is
byte-for-byte reproducible, so a benchmark run or a screenshot can be compared with the last one.
Real patient data can never be used for any of this, and hand-written fixtures
(``shared/cases/dev``) are too small to measure a weekly scan over 100,000 patients.

What it produces
----------------
Records of the import format in ``shared/contract/practice-data.md``: each patient record
followed by that patient's events in time order. No service records are emitted, so the default
menu (the brief's 15 service ids) applies. Everything is derived from ``random.Random`` seeded per
patient from ``(seed, patient number)`` and from ``as_of``; the wall clock is never read. A
patient's records depend only on (seed, as_of, number, scenario), so the first 120 patients are
the same whatever ``n_patients`` is.

* Background history: a year of plain history per segment (aesthetics: Botox about every three
  months, filler, HydraFacials, peels, product kits, member facials; weight: monthly GLP-1 visits
  with weights trending down from a baseline, maintenance, contouring later; wellness: monthly
  hormone visits, IV therapy, longevity) with feedback, check-ins, results, summaries, bookings,
  cancellations, referrals, goal changes, the odd complaint, and past offers with their outcomes
  (about 17% accepted overall: product kits and HydraFacials near 25%, laser and body
  contouring under 10%, better at results and check-in moments than at intake). Background
  events are all at least ``BACKGROUND_END_DAYS`` (36) days before ``as_of`` (43 for scenario
  patients), so history alone never makes a patient ready or blocked.
* Scenarios: the first ``scenario_patient_count(n)`` patients (the first 120, i.e. every scenario
  four times, then 15% of the rest: 132 of a 200-patient demo, about 15% of a large practice)
  cycle through ``SCENARIOS`` in order; patient number ``i`` (1-based, id ``p{i:06d}``) gets
  ``scenario_of(i, n)``. Each scenario adds the recent events of one moment (ready) or of one
  moment plus one blocker (suppressed), as described in ``SCENARIOS``.
  ``expected`` there names the answer a correct product gives with the default menu (moment and
  offer, or the suppression reason).

Scale: ``write_practice`` streams in batches; 100,000 patients x 20 events (about 2.06 million
lines, 390 MB) take about 10 seconds and 50 MB of memory.
"""

from __future__ import annotations

import pathlib
import random
import unicodedata
from collections.abc import Iterator
from datetime import date
from operator import itemgetter

try:  # orjson is a project dependency; the stdlib fallback writes the same compact JSON.
    import orjson as _orjson
except ImportError:  # pragma: no cover
    _orjson = None
    import json as _json

__all__ = [
    "BACKGROUND_END_DAYS",
    "SCENARIOS",
    "SERVICE_IDS",
    "generate_practice",
    "scenario_of",
    "scenario_patient_count",
    "write_practice",
]

# --------------------------------------------------------------------------------------------
# Menu (the brief's default menu; only ids and prices are needed here)
# --------------------------------------------------------------------------------------------
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
    {"skincare_membership", "vip_membership", "glp1_program", "weight_maintenance",
     "hormone_optimization", "longevity_protocol"}
)
MOMENTS = ("booking", "intake", "results_visible", "post_treatment_summary", "check_in",
           "rebooking_renewal", "referral", "goal_change")

BACKGROUND_END_DAYS = 36  # background-only patients: nothing newer than this many days
SCENARIO_BG_END_DAYS = 43  # scenario patients: background stops before the scenario's window
RECENT_SHARE_LARGE = 0.15  # share of scenario patients beyond the demo block

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------
FIRST_NAMES = (
    "Nadia", "Yara", "Delia", "Beatriz", "Paula", "Ines", "Jenna", "Sofia", "Uma", "Erin",
    "Maria", "Carmen", "Monica", "Fatima", "Chloe", "Julia", "Olivia", "Keiko", "Lena", "Gia",
    "Quinn", "Aisha", "Wendy", "Priya", "Mei", "Hannah", "Ngozi", "Amara", "Lucía", "Zoë",
    "Renée", "Ingrid", "Svetlana", "Leilani", "Mariana", "Daniela", "Camila", "Valentina",
    "Harper", "Madison", "Brooke", "Tamika", "Keisha", "Jasmine", "Ayesha", "Sana", "Noor",
    "Hye-jin", "Linh", "Thao", "Anjali", "Deepa", "Rachel", "Miriam", "Esther", "Grace",
    "Claire", "Natalie", "Rebecca", "Lauren", "Megan", "Tessa", "Ximena", "Guadalupe", "Rosa",
    "Marisol", "Oksana", "Eleni", "Katarzyna", "Siobhan", "Aoife", "Kiri", "Ama", "Folake",
    "James", "Marcus", "Daniel", "José", "Wei", "Omar", "Kenji", "Andre", "Tyler", "Ravi",
)
LAST_NAMES = (
    "Haddad", "Rossi", "Reid", "Lima", "Vance", "Novak", "Berg", "Costa", "Ward", "Shaw",
    "Brooks", "Tanaka", "Moreno", "Nasser", "Romano", "Ruiz", "Silva", "Walsh", "Castro",
    "Aziz", "Patel", "Okafor", "Duarte", "Nguyen", "Kim", "Park", "Chen", "Wang", "Singh",
    "Sharma", "Iyer", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Martinez",
    "Hernández", "López", "González", "Pérez", "Ramírez", "Torres", "Flores", "Rivera",
    "Gómez", "Díaz", "Washington", "Jefferson", "Robinson", "Jackson", "Thompson", "White",
    "Harris", "Clark", "Lewis", "O'Brien", "Murphy", "Kelly", "Sullivan", "Kowalski",
    "Nowak", "Ivanova", "Petrov", "Müller", "Schmidt", "Larsen", "Johansson", "Papadopoulos",
    "Cohen", "Levi", "Friedman", "Mensah", "Adeyemi", "Mwangi", "Kahananui", "Yamamoto",
    "Sato", "Takahashi", "Hoang", "Tran", "Abdullah", "Rahman", "Begum", "Fernandes",
)


def _ascii_slug(s: str) -> str:
    folded = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in folded.lower() if c.isalnum())


FIRST_SLUGS = tuple(_ascii_slug(n) for n in FIRST_NAMES)
LAST_SLUGS = tuple(_ascii_slug(n) for n in LAST_NAMES)

GOALS = {
    "aesthetics": (
        "softer frown lines", "smooth my forehead lines", "look less tired", "clearer skin",
        "even out my skin tone", "fuller lips that still look natural", "fade my acne scars",
        "look refreshed for my wedding", "fewer fine lines around my eyes", "glowing skin",
        "stop looking angry in photos", "smaller pores",
    ),
    "weight": (
        "lose 30 pounds", "reach 160 lb", "fit into my old jeans", "get my blood sugar down",
        "lose the baby weight", "feel confident at the beach", "keep up with my kids",
        "get off blood pressure meds", "lose 50 pounds before my knee surgery",
    ),
    "wellness": (
        "get my energy back", "sleep through the night", "feel like myself again",
        "fewer hot flashes", "better focus at work", "age well and stay active",
        "build muscle again", "steadier mood",
    ),
}
TEEN_GOALS = ("clear up my acne", "clearer skin for prom", "fade acne marks")

PROVIDERS = {
    "botox": ("Dr. Reyes", "NP Chen", "RN Alvarez"),
    "filler": ("Dr. Reyes", "RN Alvarez"),
    "hydrafacial": ("Esthetician Lee", "Esthetician Moreau"),
    "chemical_peel": ("NP Chen", "Esthetician Lee"),
    "microneedling": ("NP Chen", "Esthetician Moreau"),
    "laser_resurfacing": ("Dr. Reyes",),
    "product_kit": ("Esthetician Lee", "Esthetician Moreau"),
    "skincare_membership": ("Esthetician Lee",),
    "glp1_program": ("NP Chen", "Dr. Okonkwo"),
    "weight_maintenance": ("NP Chen", "Dr. Okonkwo"),
    "body_contouring": ("Dr. Reyes", "Esthetician Moreau"),
    "hormone_optimization": ("Dr. Patel", "NP Chen"),
    "longevity_protocol": ("Dr. Patel", "RN Kim"),
    "iv_therapy": ("RN Kim", "RN Alvarez"),
    "vip_membership": ("Esthetician Lee",),
}
VISIT_NOTES = {
    "botox": ("Forehead 12 units.", "Glabella 20 units, crow's feet 12 units.",
              "Touch-up, frown lines 8 units.", "Forehead and crow's feet, natural look requested.",
              "Masseter 25 units per side for clenching."),
    "filler": ("Lip filler, 1 syringe.", "Cheek volume, 1 syringe.",
               "Under-eye hollows, half syringe.", "Nasolabial folds, 1 syringe."),
    "hydrafacial": ("HydraFacial with LED.", "Congestion improved.", "Pre-event glow facial.",
                    "HydraFacial, extractions on chin."),
    "chemical_peel": ("Light peel.", "Medium-depth peel for pigmentation.",
                      "Salicylic peel for breakouts.", "Lactic peel, sensitive skin."),
    "microneedling": ("Microneedling for acne scars.", "Microneedling with PRP.",
                      "Full face, texture and pores."),
    "laser_resurfacing": ("Fractional laser, full face.", "Laser for sun damage on cheeks."),
    "product_kit": ("Picked up the cleanser, vitamin C and sunscreen kit.",
                    "Replenished home care kit."),
    "glp1_program": ("Semaglutide 0.25 mg start.", "Dose increased to 0.5 mg.",
                     "Dose increased to 1 mg.", "Tolerating well, mild nausea resolved.",
                     "Tirzepatide 5 mg, continuing.", "Monthly check, labs reviewed."),
    "weight_maintenance": ("Maintenance check, body composition scan.",
                           "Tapering plan reviewed.", "Weight stable, coaching session."),
    "body_contouring": ("Abdomen contouring session.", "Arms, skin tightening.",
                        "Thighs, session 1 of 4."),
    "hormone_optimization": ("Estradiol and progesterone adjusted.", "Labs reviewed, no change.",
                             "Testosterone pellet.", "Started BHRT after labs."),
    "longevity_protocol": ("NAD+ infusion.", "Peptide protocol reviewed.",
                           "Biomarker panel drawn."),
    "iv_therapy": ("Hydration drip.", "Myers' cocktail.", "Immunity drip before travel."),
}
RESULT_NOTES = {
    "botox": ("Forehead lines visibly softened at two-week follow-up.",
              "Frown lines smooth at rest, natural movement kept.",
              "Crow's feet softened, even result both sides."),
    "filler": ("Lip volume even and natural.", "Cheeks lifted, good symmetry."),
    "microneedling": ("Acne scarring visibly shallower.", "Texture smoother in photos."),
    "laser_resurfacing": ("Texture and tone much improved.", "Sun spots faded."),
    "body_contouring": ("Abdomen visibly tighter at follow-up.", "Arm skin firmer."),
    "chemical_peel": ("Tone more even, dark spots lighter.",),
    "hydrafacial": ("Congestion cleared, skin brighter.",),
}
PEAK_COMMENTS = {
    "injectables": ("I love how smooth my forehead looks!", "Everyone says I look rested.",
                    "Exactly the natural look I wanted.", "My frown lines are basically gone, "
                    "thank you!", "So happy with how it turned out."),
    "skin": ("My skin is glowing!", "Best facial I've ever had.",
             "My pores look so much smaller.", "Skin feels so soft and clear."),
    "weight": ("My jeans fit again.", "I have so much more energy since starting.",
               "My doctor was thrilled with my A1C.", "I finally feel in control of my eating."),
    "wellness": ("I feel ten years younger, sleeping great.",
                 "My energy is back and the hot flashes are gone.", "I feel like myself again.",
                 "Brain fog is gone, I'm sharp at work again."),
}
MID_COMMENTS = ("Good visit, a bit of a wait.", "Nice results so far.",
                "Fine, still waiting to see the full effect.", "Staff were lovely.", "")
NEG_COMMENTS = ("Not sure it did much, one brow looks higher.", "Bruising lasted over a week.",
                "Waited 40 minutes past my appointment time.",
                "Didn't see much difference for the price.", "Felt rushed during the visit.")
CHECKIN_PEAK = {
    "skin": ("My skin is glowing and the dark spots are fading.",
             "Still looking great a month later.", "Breakouts are way down, love it."),
    "injectables": ("Results are holding up beautifully.", "Still smooth, no complaints."),
    "weight": ("Down another few pounds, feeling strong.", "Cravings are under control."),
    "wellness": ("Sleeping better every week.", "Energy is steady all day now.",
                 "I feel ten years younger, sleeping great."),
}
CHECKIN_MID = ("Holding up okay.", "Some of the effect is fading.", "About the same.")
COMPLAINTS = ("Unhappy with bruising and the wait time.", "Billed twice for the same visit.",
              "Front desk was rude when I called to reschedule.",
              "Had a reaction and nobody called me back.", "Appointment moved without notice.")
CANCEL_REASONS = ("schedule conflict", "feeling sick", "travel", "cost",
                  "childcare fell through", "work emergency")
REFERRED = ("her coworker Sam", "my sister Dana", "a friend from yoga", "my husband",
            "my neighbor Priya", "a colleague, Marco", "my best friend Jess", "my mom")
CONSULT_NOTES = {
    "botox": ("First consult. Wants natural look for her sister's wedding in spring.",
              "New patient, bothered by frown lines in photos. Discussed Botox and aftercare.",
              "First consult for crow's feet; never had injectables before.",
              "Consult for forehead lines, wants to look less tired at work."),
    "filler": ("Consult for lip volume, wants subtle.", "Consult for under-eye hollows."),
    "glp1_program": ("Interested in medical weight loss.",
                     "BMI 33, prediabetic per PCP; discussed semaglutide.",
                     "Tried diets for years, wants a supervised program.",
                     "Consult for GLP-1; reviewed labs and history."),
    "hormone_optimization": ("Perimenopause symptoms, labs ordered.",
                             "Low energy and poor sleep, hormone panel ordered."),
    "hydrafacial": ("Skin consult, congestion and dullness.",),
    "chemical_peel": ("Consult for melasma and uneven tone.",),
}
TEEN_CONSULT = ("Came with her mom asking about preventive Botox; advised waiting until 18.",
                "Asked about Botox for forehead lines seen on social media; discussed options.")
GOAL_TO = {
    "maintenance": ("keep the weight off for good", "stay at my goal weight",
                    "keep the weight off for good now that I hit my goal",
                    "maintain my new weight"),
    "contouring": ("firm up loose skin on my stomach", "tighten my arms after losing weight",
                   "firm up the loose skin on my stomach and arms",
                   "smooth out my thighs now that the weight is gone"),
    "energy": ("get my energy back", "sleep better and feel like myself",
               "get my energy back and sleep through the night",
               "have more energy and better sleep"),
    "aesthetics": ("look fresher in photos", "smoother skin", "brighter, smoother skin for summer",
                   "look as good as I feel"),
}
MAINT_FROM = ("keep weight stable", "stay at my goal weight", "maintain 160 lb")

OFFER_BASE = {
    "product_kit": 0.28, "skincare_membership": 0.24, "hydrafacial": 0.20, "iv_therapy": 0.18,
    "vip_membership": 0.18, "weight_maintenance": 0.20, "hormone_optimization": 0.14,
    "longevity_protocol": 0.12, "filler": 0.12, "botox": 0.15, "microneedling": 0.10,
    "laser_resurfacing": 0.07, "body_contouring": 0.08, "chemical_peel": 0.15,
    "glp1_program": 0.12,
}
MOMENT_MULT = {
    "results_visible": 1.25, "check_in": 1.15, "booking": 1.1, "post_treatment_summary": 1.0,
    "intake": 0.85, "rebooking_renewal": 1.1, "referral": 1.2, "goal_change": 1.2,
}
OFFER_MOMENTS = {
    "product_kit": ("post_treatment_summary", "check_in", "booking"),
    "skincare_membership": ("results_visible", "intake", "check_in", "rebooking_renewal"),
    "hydrafacial": ("booking", "goal_change"),
    "body_contouring": ("results_visible", "goal_change", "check_in"),
    "weight_maintenance": ("goal_change",),
    "hormone_optimization": ("goal_change", "check_in"),
    "longevity_protocol": ("check_in", "results_visible", "goal_change"),
    "vip_membership": ("referral", "rebooking_renewal"),
    "filler": ("results_visible", "booking"),
    "botox": ("intake", "booking"),
    "microneedling": ("post_treatment_summary", "check_in"),
    "laser_resurfacing": ("post_treatment_summary", "check_in"),
    "iv_therapy": ("check_in", "booking"),
    "chemical_peel": ("post_treatment_summary",),
    "glp1_program": ("intake",),
}
SEG_OFFERS = {
    "aesthetics": ("skincare_membership", "product_kit", "hydrafacial", "filler",
                   "microneedling", "laser_resurfacing", "vip_membership", "botox"),
    "weight": ("body_contouring", "weight_maintenance", "hormone_optimization", "iv_therapy"),
    "wellness": ("longevity_protocol", "iv_therapy", "vip_membership", "hormone_optimization"),
}
AREA = {
    "botox": "injectables", "filler": "injectables", "hydrafacial": "skin",
    "chemical_peel": "skin", "microneedling": "skin", "laser_resurfacing": "skin",
    "product_kit": "skin", "skincare_membership": "skin", "glp1_program": "weight",
    "weight_maintenance": "weight", "body_contouring": "weight",
    "hormone_optimization": "wellness", "longevity_protocol": "wellness",
    "iv_therapy": "wellness", "vip_membership": "skin",
}
# weighted visit mixes per segment (cumulative weights built below)
_AES_MIX = (("botox", 34), ("hydrafacial", 24), ("chemical_peel", 12), ("filler", 10),
            ("microneedling", 8), ("product_kit", 8), ("laser_resurfacing", 4))
_WELL_MIX = (("hormone_optimization", 60), ("iv_therapy", 22), ("longevity_protocol", 13),
             ("hydrafacial", 5))


def _cum(mix: tuple[tuple[str, int], ...]) -> tuple[tuple[str, ...], list[int]]:
    names, acc, tot = [], [], 0
    for name, w in mix:
        tot += w
        names.append(name)
        acc.append(tot)
    return tuple(names), acc


AES_NAMES, AES_CUM = _cum(_AES_MIX)
WELL_NAMES, WELL_CUM = _cum(_WELL_MIX)
_INJECTABLE_LIKE = frozenset({"botox", "filler", "microneedling", "laser_resurfacing",
                              "body_contouring", "chemical_peel"})

# --------------------------------------------------------------------------------------------
# Scenarios: (name, what it is, expected answer with the default menu)
# --------------------------------------------------------------------------------------------
SCENARIOS: tuple[tuple[str, str, str], ...] = (
    ("booking_botox", "returning aesthetics patient (no prior Botox) booked Botox 1-10 days ago "
     "for 2-14 days ahead", "booking -> hydrafacial"),
    ("booking_filler", "returning aesthetics patient (no prior filler) booked filler 1-10 days "
     "ago for 2-14 days ahead", "booking -> hydrafacial"),
    ("intake_botox", "new patient, first Botox consultation 1-10 days ago, no visits",
     "intake -> skincare_membership"),
    ("intake_glp1", "new patient, GLP-1 consultation 1-10 days ago, no visits",
     "intake -> glp1_program"),
    ("results_botox", "new patient: consult, first Botox 15-30 days ago, result_observed 2-10 "
     "days ago, feedback 9-10",
     "results_visible -> skincare_membership"),
    ("results_glp1", "GLP-1 holder, latest weight 1-10 days ago 5.5-12% below baseline, "
     "feedback 9-10", "results_visible -> body_contouring"),
    ("results_hormone", "hormone holder, visit 15-30 days ago, feedback 10 1-10 days ago",
     "results_visible -> longevity_protocol"),
    ("summary_hydrafacial", "HydraFacial visit 1-5 days ago (summary_sent next day sometimes)",
     "post_treatment_summary -> product_kit"),
    ("summary_peel", "chemical peel visit 1-5 days ago (summary_sent next day sometimes)",
     "post_treatment_summary -> product_kit"),
    ("checkin_peel", "peel 21-35 days ago, check_in 9-10 positive 2-10 days ago",
     "check_in -> product_kit"),
    ("checkin_hormone", "hormone holder, visit 21-35 days ago, check_in 9-10 2-10 days ago",
     "check_in -> longevity_protocol"),
    ("renewal_skincare", "skincare_membership holder, renewal due in 5-20 days, recorded 1-10 "
     "days ago", "rebooking_renewal -> vip_membership"),
    ("referral_botox", "returning Botox patient, referral_made 1-10 days ago",
     "referral -> vip_membership"),
    ("goal_glp1_maintenance", "GLP-1 holder, goal_changed 1-10 days ago to keeping weight off",
     "goal_change -> weight_maintenance"),
    ("goal_glp1_contouring", "GLP-1 holder, goal_changed 1-10 days ago to firming loose skin",
     "goal_change -> body_contouring"),
    ("goal_glp1_energy", "GLP-1 holder, goal_changed 1-10 days ago to energy / sleep",
     "goal_change -> hormone_optimization"),
    ("goal_maint_aesthetics", "weight_maintenance holder, goal_changed 1-10 days ago to "
     "aesthetics", "goal_change -> hydrafacial"),
    ("goal_maint_hormones", "weight_maintenance holder, goal_changed 1-10 days ago to energy",
     "goal_change -> hormone_optimization"),
    ("sup_no_consent", "Botox peak (result + feedback 9-10) but marketing_consent false",
     "none: no marketing consent"),
    ("sup_opted_out", "Botox visit, opted_out (all) after it, then feedback 10",
     "none: opted out"),
    ("sup_pregnant_glp1", "pregnant new patient, GLP-1 consultation 1-10 days ago",
     "none: contraindication (not glp1_program/body_contouring/hormone_optimization)"),
    ("sup_breastfeeding_glp1", "breastfeeding new patient, GLP-1 consultation 1-10 days ago",
     "none: contraindication (not glp1_program/body_contouring/hormone_optimization)"),
    ("sup_pregnant_booking", "pregnant patient booked a HydraFacial 1-10 days ago",
     "booking -> product_kit; never botox/filler/glp1_program/body_contouring/chemical_peel"),
    ("sup_under_18", "16-17 year old with HydraFacial history and a Botox consultation 1-10 "
     "days ago", "none: under minimum age (skincare_membership is 18+)"),
    ("sup_complaint", "Botox visit, result_observed, complaint 2-20 days ago",
     "none: recent complaint"),
    ("sup_negative_feedback", "Botox visit, result_observed, feedback 2-6 1-12 days ago",
     "none: negative feedback"),
    ("sup_cooldown", "Botox visit, offer_presented 3-25 days ago, then feedback 10",
     "none: recent offer (cooldown)"),
    ("sup_declined", "Botox-only patient who declined skincare_membership 31-80 days ago, "
     "then a Botox peak now", "none: declined recently"),
    ("sup_holds_membership", "Botox-only skincare_membership holder with a Botox peak",
     "none: already holds it"),
    ("sup_no_candidate", "first purchase is a skin care kit, a few days ago: nothing on the menu "
     "follows it", "none: no candidate"),
    ("sup_old_history", "history only, nothing in the last 60 days", "none: no recent signal"),
)
SCENARIO_NAMES: tuple[str, ...] = tuple(s[0] for s in SCENARIOS)
_S = len(SCENARIOS)
_DEMO_BLOCK = 4 * _S  # the demo block: every scenario four times


def scenario_patient_count(n_patients: int) -> int:
    """How many of the first patients carry a scenario: the demo block, then 15% of the rest."""
    return min(n_patients, _DEMO_BLOCK) + round(RECENT_SHARE_LARGE * max(0, n_patients - _DEMO_BLOCK))


def scenario_of(i: int, n_patients: int) -> str | None:
    """Scenario name of patient number ``i`` (1-based, id ``p{i:06d}``), or None (background)."""
    if 1 <= i <= scenario_patient_count(n_patients):
        return SCENARIO_NAMES[(i - 1) % _S]
    return None


# --------------------------------------------------------------------------------------------
# Time: day offsets before as_of (d=1 is yesterday; negative d is the future)
# --------------------------------------------------------------------------------------------
class _Clock:
    __slots__ = ("as_of_ord", "_dates", "_ats")

    def __init__(self, as_of: date) -> None:
        self.as_of_ord = as_of.toordinal()
        self._dates: dict[int, str] = {}
        self._ats: dict[int, str] = {}

    def day(self, d: int) -> str:
        s = self._dates.get(d)
        if s is None:
            s = date.fromordinal(self.as_of_ord - d).isoformat()
            self._dates[d] = s
        return s

    def at(self, d: int, slot: int) -> str:
        key = d * 64 + slot
        s = self._ats.get(key)
        if s is None:  # slots 0..35: 14:00Z to 22:45Z in quarter hours (a US clinic's day)
            s = f"{self.day(d)}T{14 + slot // 4:02d}:{(slot % 4) * 15:02d}:00Z"
            self._ats[key] = s
        return s


# --------------------------------------------------------------------------------------------
# One patient under construction
# --------------------------------------------------------------------------------------------
class _P:
    __slots__ = ("rng", "clock", "pid", "ev", "seg", "memberships", "flags", "consent", "age",
                 "goals", "start_d", "w0", "loss", "avoid", "only", "offers", "member_offers",
                 "bg_end", "channel", "history")

    def __init__(self, rng: random.Random, clock: _Clock, pid: str) -> None:
        self.rng = rng
        self.clock = clock
        self.pid = pid
        self.ev: list[tuple[int, dict]] = []
        self.seg = "aesthetics"
        self.memberships: list[str] = []
        self.flags: list[str] = []
        self.consent = True
        self.age = 40
        self.goals: list[str] = []
        self.start_d = 300
        self.w0 = 0.0
        self.loss = 0.0
        self.avoid: frozenset[str] | set[str] = frozenset()
        self.only: frozenset[str] | None = None
        self.offers = True
        self.member_offers = True
        self.bg_end = BACKGROUND_END_DAYS
        self.channel = "email"
        self.history = True

    def add(self, d: int, slot: int, kind: str, **fields: object) -> dict:
        e = {"type": "event", "id": "", "patient_id": self.pid,
             "at": self.clock.at(d, slot), "kind": kind}
        if fields:
            e.update(fields)
        self.ev.append((slot - d * 64, e))
        return e

    def slot(self) -> int:
        return self.rng.randrange(32)

    def weight_at(self, d: int, noise: bool = True) -> float:
        span = max(1, self.start_d)
        frac = (self.start_d - d) / span
        v = self.w0 * (1.0 - self.loss * frac)
        if noise:
            v += self.rng.uniform(-1.2, 1.2)
        return round(v, 1)

    # ---- small event helpers -----------------------------------------------------------
    def visit(self, d: int, service: str, slot: int | None = None, member: bool = False) -> int:
        rng = self.rng
        s = rng.randrange(30) if slot is None else slot
        if member:
            note = "Member facial."
        else:
            notes = VISIT_NOTES.get(service)
            note = notes[rng.randrange(len(notes))] if notes else ""
        provs = PROVIDERS[service]
        self.add(d, s, "visit_completed", service_id=service,
                 amount=0 if member else PRICES[service],
                 provider=provs[rng.randrange(len(provs))], note=note)
        return s

    def feedback(self, d: int, score: int, area: str, comment: str | None = None) -> None:
        if comment is None:
            comment = _comment(self.rng, score, area)
        self.add(d, self.slot(), "feedback", score=score, comment=comment)

    def check_in(self, d: int, score: int, area: str) -> None:
        rng = self.rng
        pool = CHECKIN_PEAK[area] if score >= 9 else CHECKIN_MID
        self.add(d, self.slot(), "check_in", score=score, comment=pool[rng.randrange(len(pool))])

    def measurement(self, d: int, slot: int, value: float) -> None:
        self.add(d, slot, "measurement", metric="weight", value=value, unit="lb")


def _pick(rng: random.Random, seq: tuple | list):
    return seq[rng.randrange(len(seq))]


def _comment(rng: random.Random, score: int, area: str) -> str:
    if score >= 9:
        return _pick(rng, PEAK_COMMENTS[area])
    if score >= 7:
        return _pick(rng, MID_COMMENTS)
    return _pick(rng, NEG_COMMENTS)


def _bg_score(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.55:
        return 9 + (r < 0.3)
    if r < 0.88:
        return 7 + (r < 0.7)
    return rng.randint(2, 6)


# --------------------------------------------------------------------------------------------
# Background history
# --------------------------------------------------------------------------------------------
def _visit_service(p: _P, d: int) -> str:
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


_FALLBACK = {
    "aesthetics": ("hydrafacial", "chemical_peel", "botox", "microneedling"),
    "weight": ("glp1_program", "weight_maintenance", "iv_therapy"),
    "wellness": ("hormone_optimization", "iv_therapy", "hydrafacial"),
}


def _bisect(cum: list[int], x: int) -> int:
    i = 0
    while cum[i] <= x:
        i += 1
    return i


def _offer_pair(p: _P, d: int, out: list) -> None:
    """offer_presented at day d, its outcome 1-5 days later (and what an acceptance led to)."""
    rng = p.rng
    cands = [s for s in SEG_OFFERS[p.seg]
             if s not in p.avoid and s not in p.memberships
             and (p.member_offers or s not in MEMBERSHIPS)]
    if not cands:
        return
    svc = _pick(rng, cands)
    moment = _pick(rng, OFFER_MOMENTS[svc])
    prob = min(0.4, OFFER_BASE[svc] * MOMENT_MULT[moment])
    d2 = d - rng.randint(1, 5)
    if d2 < p.bg_end:
        return
    channel = p.channel if rng.random() < 0.85 else ("sms" if p.channel == "email" else "email")
    grp = [(d, "offer_presented", {"service_id": svc, "moment": moment, "channel": channel})]
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


_ANCHOR: list = []  # marker in a group list: the next group is an episode's visit


def _episode(p: _P, d: int, out: list) -> None:
    """One visit with its booking and follow-ups, as atomic groups appended to ``out``.

    The visit group is appended first and marked as the episode's anchor; the materialising loop
    drops the follow-ups of a visit it could not fit, so no summary or result lacks its visit.
    """
    rng = p.rng
    svc = _visit_service(p, d)
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
            out.append([(b, "appointment_cancelled",
                         {"service_id": svc, "reason": _pick(rng, CANCEL_REASONS)})])
        out.append([(b, "booked", (svc, d))])
    if rng.random() < 0.35 and d - 1 >= end:
        out.append([(d - 1, "summary_sent", {"service_id": svc})])
    if svc in RESULT_NOTES and svc in _INJECTABLE_LIKE and rng.random() < 0.3:
        d2 = d - rng.randint(7, 14)
        if d2 >= end:
            out.append([(d2, "result_observed",
                         {"service_id": svc, "note": _pick(rng, RESULT_NOTES[svc])})])
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
    r = rng.random()
    if r < 0.07:
        d2 = d - rng.randint(1, 20)
        if d2 >= end:
            if r < 0.025:
                out.append([(d2, "referral_made", {"referred_name": _pick(rng, REFERRED)})])
            elif r < 0.04 and p.goals:
                seg_goals = GOALS[p.seg]
                out.append([(d2, "goal_changed", {"from": p.goals[0],
                                                  "to": _pick(rng, seg_goals)})])
            elif r < 0.05:
                out.append([(d2, "complaint", {"note": _pick(rng, COMPLAINTS)})])
            elif svc == "glp1_program":
                out.append([(d2, "milestone", {"note": _pick(rng, (
                    "Lost 10% of starting weight.", "Off blood pressure medication per PCP.",
                    "First 20 pounds down."))})])


def _background(p: _P, k: int) -> None:
    """Append about k events of plain history between p.start_d and p.bg_end days ago."""
    if k <= 0 or not p.history:
        return
    rng = p.rng
    start, end = p.start_d, p.bg_end
    groups: list[list] = []
    # opening: consultation, first visit (baseline weight), memberships started
    main = {"weight": "glp1_program", "wellness": "hormone_optimization"}.get(p.seg)
    if main is None:
        main = _visit_service(p, start) or "hydrafacial"
        if main == "member_facial":
            main = "hydrafacial"
    if main in p.avoid:
        main = "hydrafacial" if "hydrafacial" not in p.avoid else "chemical_peel"
    if rng.random() < 0.6 or p.seg != "aesthetics":
        notes = CONSULT_NOTES.get(main)
        if notes:
            groups.append([(min(365, start + rng.randint(0, 7)), "consultation",
                            {"service_id": main, "note": _pick(rng, notes),
                             "goals": p.goals[:1]})])
    first = [(start, "visit", main, False)]
    if p.seg == "weight":
        first.append((start, "baseline", None))
    groups.append(first)
    for m in p.memberships:
        if m in ("glp1_program", "hormone_optimization"):
            md = start
        elif m == "weight_maintenance":
            md = max(end, int(start * 0.45))
        else:
            md = rng.randint(end, start) if start > end else start
            if m == "skincare_membership":
                md = max(md, min(start, 60))
        groups.append([(md, "membership_started", {"service_id": m})])
        if m in ("skincare_membership", "vip_membership", "longevity_protocol") \
                and rng.random() < 0.3 and md - 40 >= end + 20:
            rd = rng.randint(end + 20, md - 20)
            groups.append([(rd, "membership_renewal_due",
                            {"service_id": m, "due_date": p.clock.day(rd - rng.randint(7, 14))})])
    est = {"weight": 3.0, "wellness": 2.3}.get(p.seg, 2.3)
    budget = k - sum(len(g) for g in groups)
    v = max(0, round(budget / est))
    if v and start - end > 3:
        spacing = (start - end) / (v + 0.5)
        for j in range(v):
            d = int(start - (j + 1) * spacing + rng.uniform(-0.3, 0.3) * spacing)
            d = max(end, min(start - 1, d))
            _episode(p, d, groups)
    # materialise groups up to k events, then pad with singletons
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
    lo, hi = end, max(end, start - 1)
    while n < k:
        d = rng.randint(lo, hi)
        if p.seg == "weight" and rng.random() < 0.6:
            p.measurement(d, p.slot(), p.weight_at(d))
        elif rng.random() < 0.6:
            p.feedback(d, rng.choice((7, 8, 8, 9)), AREA.get(main, "skin"))
        else:
            p.check_in(d, rng.choice((7, 8, 9)), AREA.get(main, "skin"))
        n += 1


def _emit(p: _P, item: tuple) -> None:
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
        p.add(d, p.slot(), "appointment_booked", service_id=svc,
              scheduled_for=p.clock.at(vd, rng.randrange(30)))
    elif kind == "fb":
        p.feedback(d, _bg_score(rng), item[2])
    elif kind == "ci":
        p.check_in(d, rng.choice((7, 8, 9, 9, 10)), item[2])
    else:
        fields = item[2]
        if kind == "membership_started" and fields["service_id"] not in p.memberships:
            p.memberships.append(fields["service_id"])  # an accepted membership offer
        p.add(d, p.slot(), kind, **fields)


# --------------------------------------------------------------------------------------------
# Scenario builders: set up the patient, then add the recent events
# --------------------------------------------------------------------------------------------
def _adult(p: _P, lo: int, hi: int) -> None:
    p.age = p.rng.randint(lo, hi)


def _setup(p: _P, seg: str, memberships: tuple[str, ...] = (), avoid: tuple[str, ...] = (),
           age: tuple[int, int] = (26, 62)) -> None:
    rng = p.rng
    p.seg = seg
    p.memberships = list(memberships)
    p.flags = []
    p.consent = True
    p.avoid = frozenset(avoid)
    p.member_offers = False
    p.bg_end = SCENARIO_BG_END_DAYS
    p.start_d = rng.randint(150, 362)
    p.goals = [_pick(rng, GOALS[seg])]
    _adult(p, *age)
    if seg == "weight":
        p.w0 = float(rng.randint(175, 285))
        p.loss = rng.uniform(0.04, 0.14)


def _peak_botox(p: _P, result: bool = True, fb_max: int = 10) -> tuple[int, int]:
    """Botox visit 15-30 days ago, result 2-10 days ago, feedback 9-10 after it."""
    rng = p.rng
    v = rng.randint(15, 30)
    p.visit(v, "botox")
    r = rng.randint(2, 10)
    if result:
        p.add(r, rng.randrange(16), "result_observed", service_id="botox",
              note=_pick(rng, RESULT_NOTES["botox"]))
    f = rng.randint(1, min(r, fb_max))
    p.feedback(f, rng.choice((9, 10, 10)), "injectables")
    return v, f


def _sc(p: _P, name: str) -> None:
    """Set patient p up for scenario ``name`` and add its recent events (one branch each)."""
    rng = p.rng
    if name in ("booking_botox", "booking_filler"):
        svc = "botox" if name == "booking_botox" else "filler"
        _setup(p, "aesthetics", avoid=(svc, "hydrafacial"))
        d = rng.randint(1, 10)
        p.add(d, p.slot(), "appointment_booked", service_id=svc,
              scheduled_for=p.clock.at(-rng.randint(2, 14), rng.randrange(30)))
    elif name == "intake_botox":
        _setup(p, "aesthetics", age=(24, 55))
        p.history = False
        p.goals = [_pick(rng, ("smooth crow's feet", "softer frown lines", "look less tired",
                               "smoother forehead"))]
        p.add(rng.randint(1, 10), p.slot(), "consultation", service_id="botox",
              note=_pick(rng, CONSULT_NOTES["botox"]), goals=list(p.goals))
    elif name == "intake_glp1":
        _setup(p, "weight", age=(28, 64))
        p.history = False
        p.add(rng.randint(1, 10), p.slot(), "consultation", service_id="glp1_program",
              note=_pick(rng, CONSULT_NOTES["glp1_program"]), goals=list(p.goals))
    elif name == "results_botox":  # the first treatment: a consult, one Botox visit, its results
        _setup(p, "aesthetics", avoid=("botox", "skincare_membership"), age=(26, 58))
        p.history = False
        p.goals = [_pick(rng, ("softer frown lines", "smoother forehead", "look less tired"))]
        v, _ = _peak_botox(p)
        p.add(v + rng.randint(3, 14), p.slot(), "consultation", service_id="botox",
              note=_pick(rng, CONSULT_NOTES["botox"]), goals=list(p.goals))
    elif name == "results_glp1":
        _setup(p, "weight", memberships=("glp1_program",), avoid=("body_contouring",))
        p.loss = rng.uniform(0.055, 0.12)
        p.start_d = rng.randint(150, 300)
        p.visit(rng.randint(15, 35), "glp1_program")
        m = rng.randint(1, 10)
        p.measurement(m, 20, round(p.w0 * (1.0 - p.loss), 1))
        lost = round(p.w0 * p.loss)
        p.feedback(rng.randint(1, m), rng.choice((9, 10)), "weight",
                   _pick(rng, (f"Down {lost} pounds, my jeans fit again.",
                               f"{lost} pounds gone and I have energy again!",
                               "I can't believe how much better I feel.")))
    elif name in ("results_hormone", "checkin_hormone"):
        _setup(p, "wellness", memberships=("hormone_optimization",),
               avoid=("longevity_protocol",), age=(38, 68))
        if name == "results_hormone":
            p.visit(rng.randint(15, 30), "hormone_optimization")
            p.feedback(rng.randint(1, 10), 10, "wellness")
        else:
            p.visit(rng.randint(21, 35), "hormone_optimization")
            p.check_in(rng.randint(2, 10), rng.choice((9, 10)), "wellness")
    elif name in ("summary_hydrafacial", "summary_peel"):
        svc = "hydrafacial" if name == "summary_hydrafacial" else "chemical_peel"
        _setup(p, "aesthetics", avoid=("product_kit",))
        d = rng.randint(1, 5)
        p.visit(d, svc)
        if d >= 2 and rng.random() < 0.6:
            p.add(d - 1, p.slot(), "summary_sent", service_id=svc)
    elif name == "checkin_peel":
        _setup(p, "aesthetics", avoid=("product_kit",))
        p.visit(rng.randint(21, 35), "chemical_peel")
        p.check_in(rng.randint(2, 10), rng.choice((9, 10)), "skin")
    elif name == "renewal_skincare":
        _setup(p, "aesthetics", memberships=("skincare_membership",), avoid=("vip_membership",))
        p.start_d = rng.randint(200, 362)
        p.visit(rng.randint(20, 35), "hydrafacial", member=True)
        p.add(rng.randint(1, 10), p.slot(), "membership_renewal_due",
              service_id="skincare_membership", due_date=p.clock.day(-rng.randint(5, 20)))
    elif name == "referral_botox":
        _setup(p, "aesthetics", avoid=("vip_membership",))
        p.start_d = rng.randint(180, 362)
        p.visit(rng.randint(100, 140), "botox")
        p.visit(rng.randint(15, 40), "botox")
        p.add(rng.randint(1, 10), p.slot(), "referral_made", referred_name=_pick(rng, REFERRED))
    elif name.startswith("goal_glp1_"):
        flavour = name[len("goal_glp1_"):]
        target = {"maintenance": "weight_maintenance", "contouring": "body_contouring",
                  "energy": "hormone_optimization"}[flavour]
        _setup(p, "weight", memberships=("glp1_program",), avoid=(target,))
        p.loss = rng.uniform(0.1, 0.22) if flavour != "energy" else rng.uniform(0.06, 0.18)
        p.visit(rng.randint(15, 35), "glp1_program")
        p.add(rng.randint(1, 10), p.slot(), "goal_changed", **{
            "from": p.goals[0], "to": _pick(rng, GOAL_TO[flavour])})
    elif name.startswith("goal_maint_"):
        flavour = name[len("goal_maint_"):]
        target = "hydrafacial" if flavour == "aesthetics" else "hormone_optimization"
        _setup(p, "weight", memberships=("weight_maintenance",), avoid=(target,))
        p.start_d = rng.randint(240, 362)
        p.loss = rng.uniform(0.12, 0.22)
        p.visit(rng.randint(15, 35), "weight_maintenance")
        to = GOAL_TO["aesthetics" if flavour == "aesthetics" else "energy"]
        p.add(rng.randint(1, 10), p.slot(), "goal_changed", **{
            "from": _pick(rng, MAINT_FROM), "to": _pick(rng, to)})
    elif name == "sup_no_consent":
        _setup(p, "aesthetics", avoid=("skincare_membership",))
        p.consent = False
        _peak_botox(p)
    elif name == "sup_opted_out":
        _setup(p, "aesthetics", avoid=("skincare_membership",))
        v = rng.randint(15, 30)
        p.visit(v, "botox")
        o = rng.randint(5, 12)
        p.add(o, p.slot(), "opted_out", channel="all")
        p.feedback(rng.randint(1, 4), rng.choice((9, 10)), "injectables")
    elif name in ("sup_pregnant_glp1", "sup_breastfeeding_glp1"):
        _setup(p, "weight", age=(24, 42))
        p.history = False
        p.flags = ["pregnant" if name == "sup_pregnant_glp1" else "breastfeeding"]
        p.add(rng.randint(1, 10), p.slot(), "consultation", service_id="glp1_program",
              note=_pick(rng, CONSULT_NOTES["glp1_program"]), goals=list(p.goals))
    elif name == "sup_pregnant_booking":
        _setup(p, "aesthetics", avoid=("product_kit", "hydrafacial"), age=(24, 40))
        p.flags = ["pregnant"]
        p.add(rng.randint(1, 10), p.slot(), "appointment_booked", service_id="hydrafacial",
              scheduled_for=p.clock.at(-rng.randint(2, 14), rng.randrange(30)))
    elif name == "sup_under_18":
        _setup(p, "aesthetics", age=(16, 17))
        p.goals = [_pick(rng, TEEN_GOALS)]
        p.only = frozenset({"hydrafacial"})
        p.offers = False
        p.start_d = rng.randint(90, 300)
        p.add(rng.randint(1, 10), p.slot(), "consultation", service_id="botox",
              note=_pick(rng, TEEN_CONSULT), goals=list(p.goals))
    elif name == "sup_complaint":
        _setup(p, "aesthetics", avoid=("skincare_membership",))
        v = rng.randint(15, 30)
        p.visit(v, "botox")
        p.add(rng.randint(2, 10), rng.randrange(16), "result_observed", service_id="botox",
              note=_pick(rng, RESULT_NOTES["botox"]))
        p.add(rng.randint(2, min(20, v - 1)), p.slot(), "complaint", note=_pick(rng, COMPLAINTS))
    elif name == "sup_negative_feedback":
        _setup(p, "aesthetics", avoid=("skincare_membership",))
        p.visit(rng.randint(16, 30), "botox")
        f = rng.randint(1, 12)
        p.add(rng.randint(f + 1, 14), rng.randrange(16), "result_observed", service_id="botox",
              note=_pick(rng, RESULT_NOTES["botox"]))
        p.feedback(f, rng.randint(2, 6), "injectables")
    elif name == "sup_cooldown":
        _setup(p, "aesthetics", avoid=("skincare_membership",))
        v = rng.randint(15, 30)
        p.visit(v, "botox")
        o = rng.randint(3, min(25, v - 1))
        p.add(o, p.slot(), "offer_presented", service_id="skincare_membership",
              moment=_pick(rng, ("results_visible", "post_treatment_summary")), channel=p.channel)
        p.feedback(rng.randint(1, min(o - 1, 10)), rng.choice((9, 10)), "injectables")
    elif name == "sup_declined":
        _setup(p, "aesthetics", avoid=("skincare_membership",))
        p.history = False
        x = rng.randint(31, 80)
        p.add(x + 1, p.slot(), "offer_presented", service_id="skincare_membership",
              moment=_pick(rng, ("check_in", "post_treatment_summary")), channel=p.channel)
        p.add(x, p.slot(), "offer_declined", service_id="skincare_membership")
        _peak_botox(p)
    elif name == "sup_holds_membership":
        _setup(p, "aesthetics", memberships=("skincare_membership",))
        p.history = False
        _peak_botox(p)
    elif name == "sup_no_candidate":
        _setup(p, "aesthetics")
        p.history = False
        p.visit(rng.randint(2, 10), "product_kit")
    elif name == "sup_old_history":
        _setup(p, _pick(rng, ("aesthetics", "aesthetics", "weight", "wellness")))
        p.bg_end = rng.randint(60, 120)
        p.start_d = rng.randint(p.bg_end + 30, 362)
    else:  # pragma: no cover
        raise ValueError(name)


# --------------------------------------------------------------------------------------------
# Background-only patients
# --------------------------------------------------------------------------------------------
def _background_profile(p: _P) -> None:
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
    if p.age < 18:
        p.goals = [rng.choice(TEEN_GOALS)]
    p.memberships = m


def _budget(rng: random.Random, events_per_patient: float | None) -> int:
    if events_per_patient is None:
        return rng.randint(10, 25)
    e = max(1.0, float(events_per_patient))
    lo = max(1, int(e * 0.5))
    hi = max(lo, round(2 * e - lo))
    return rng.randint(lo, hi)


def _birth_date(p: _P) -> str:
    days = int(p.age * 365.25) + p.rng.randint(10, 355)
    return date.fromordinal(p.clock.as_of_ord - days).isoformat()


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def generate_practice(n_patients: int, as_of: date, seed: int = 7,
                      events_per_patient: float | None = None) -> Iterator[dict]:
    """Yield patient and event records (import format); each patient precedes its events."""
    clock = _Clock(as_of)
    n_scen = scenario_patient_count(n_patients)
    rng = random.Random()
    nf, nl = len(FIRST_NAMES), len(LAST_NAMES)
    key0 = itemgetter(0)
    for i in range(1, n_patients + 1):
        rng.seed(seed * 1_000_003 + i * 7919 + 17)
        pid = f"p{i:06d}"
        p = _P(rng, clock, pid)
        p.channel = "sms" if rng.random() < 0.3 else "email"
        fi, li = rng.randrange(nf), rng.randrange(nl)
        k = _budget(rng, events_per_patient)
        if i <= n_scen:
            _sc(p, SCENARIO_NAMES[(i - 1) % _S])
            k = max(k - len(p.ev), 4)  # enough for the opening (consult, baseline, membership)
        else:
            _background_profile(p)
        if p.history:
            _background(p, k)
        phone_tail = (i * 7 + 1234567) % 10_000_000
        yield {
            "type": "patient", "id": pid,
            "first_name": FIRST_NAMES[fi], "last_name": LAST_NAMES[li],
            "birth_date": _birth_date(p),
            "email": f"{FIRST_SLUGS[fi]}.{LAST_SLUGS[li]}.{i}@example.com",
            "phone": f"+1555{phone_tail:07d}",
            "preferred_channel": p.channel,
            "marketing_consent": p.consent,
            "goals": p.goals,
            "flags": p.flags,
            "memberships": p.memberships,
            "segment": p.seg,
        }
        ev = p.ev
        ev.sort(key=key0)
        for n, (_, e) in enumerate(ev, 1):
            e["id"] = f"{pid}-e{n}"
            yield e


def write_practice(path: pathlib.Path, n_patients: int, as_of: date, seed: int = 7,
                   events_per_patient: float | None = None) -> int:
    """Stream the practice to ``path`` as JSON Lines; return the number of lines written."""
    path = pathlib.Path(path)
    lines = 0
    buf: list[bytes] = []
    if _orjson is not None:
        dumps = _orjson.dumps
    else:  # pragma: no cover
        def dumps(obj: dict) -> bytes:
            return _json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    with path.open("wb") as fh:
        for rec in generate_practice(n_patients, as_of, seed, events_per_patient):
            buf.append(dumps(rec))
            lines += 1
            if len(buf) >= 8192:
                buf.append(b"")
                fh.write(b"\n".join(buf))
                buf.clear()
        if buf:
            buf.append(b"")
            fh.write(b"\n".join(buf))
    return lines


def _main() -> None:  # pragma: no cover - convenience: python -m assistant.synthetic OUT N
    import sys
    import time

    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path("practice.jsonl")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    as_of = date.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else date(2026, 11, 24)
    epp = float(sys.argv[4]) if len(sys.argv) > 4 else None
    t0 = time.perf_counter()
    lines = write_practice(out, n, as_of, events_per_patient=epp)
    print(f"{lines} lines to {out} in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":  # pragma: no cover
    _main()

