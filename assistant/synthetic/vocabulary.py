"""The synthetic practice's words: names, goals, providers, notes and comments patients leave."""

from __future__ import annotations

import unicodedata

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
