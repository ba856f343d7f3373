"""Phrases match words, not prefixes: a stem (`heal*`) is the word's own inflections and
derivations, never another word that starts the same ("healthy"); every stem of the lexicon
still matches what it was written for."""

from __future__ import annotations

import pytest

from assistant.drafting.guards.lexicon import Phrases, Policy, WordClasses
from assistant.knowledge import Knowledge
from assistant.settings import bundled

LEXICON = Knowledge.at(bundled("knowledge")).guard_lexicon

STEMS = {
    "hormon*": ("hormone hormones hormonal", "hormel"),
    "estrogen*": ("estrogen estrogens", "estrange"),
    "oestrogen*": ("oestrogen oestrogens", "oestrus"),
    "menopaus*": ("menopause menopausal", "menorah"),
    "perimenopaus*": ("perimenopause perimenopausal", "perimeter"),
    "prediabet*": ("prediabetes prediabetic", "predict"),
    "medication*": ("medication medications", "meditation"),
    "prescribe*": ("prescribe prescribed prescribes prescribing", "prescient"),
    "prescription*": ("prescription prescriptions", "prescient"),
    "dose*": ("dose doses dosed dosing", "doze"),
    "dosage*": ("dosage dosages", "dossier"),
    "blood test*": ("blood_test blood_tests blood_testing", "blood_orange"),
    "embarrass*": ("embarrass embarrassed embarrassing embarrassment", "embargo"),
    "guarantee*": ("guarantee guaranteed guarantees guaranteeing", "guard"),
    "permanent*": ("permanent permanently", "perm permanence"),
    "cure*": ("cure cures cured curing curative", "curious curated curtain"),
    "heal*": ("heal heals healed healing healer", "healthy health healthcare"),
    "reverse* aging": ("reverse_aging reverses_aging reversed_aging reversing_aging", "reverse_engineering"),
    "reverse* ageing": ("reverses_ageing reversing_ageing", "reversal"),
    "detox*": ("detox detoxes detoxing detoxify detoxifying detoxification", "detour"),
    "boost* your immun*": ("boost_your_immune boosts_your_immunity boosting_your_immune", "boost_your_mood"),
    "prevent* disease": ("prevent_disease prevents_disease preventing_disease", "preventive_care"),
    "prevent* cancer": ("prevents_cancer prevention_cancer", "prevent_acne"),
    "treat* depression": ("treat_depression treats_depression treating_depression", "treaty_depression"),
    "treat* anxiety": ("treats_anxiety treated_anxiety", "treaty_anxiety"),
    "treat* diabetes": ("treating_diabetes treats_diabetes", "treaty_diabetes"),
    "diagnos*": ("diagnose diagnoses diagnosed diagnosing diagnosis diagnostic", "diagram"),
    "extend* your life": ("extends_your_life extending_your_life", "extent_your_life"),
    "melt* fat": ("melt_fat melts_fat melting_fat", "meltdown_fat"),
    "burn* fat": ("burn_fat burns_fat burning_fat", "burnout_fat"),
    "rejuvenate* your cells": ("rejuvenates_your_cells rejuvenating_your_cells", "rejuvenation_clinic"),
    "discount*": ("discount discounts discounted discounting", "discourse discover"),
    "promo*": ("promo promos promotion promotions promotional", "promote prompt promise"),
    "coupon*": ("coupon coupons", "coup"),
    "voucher*": ("voucher vouchers", "vouch"),
    "credit toward*": ("credit_toward credit_towards", "credit_card"),
    "rebate*": ("rebate rebates", "rebar"),
    "transform*": ("transform transforms transformed transforming transformation transformative", "transit"),
    "stem cell*": ("stem_cell stem_cells", "stem_cellar"),
    "exosome*": ("exosome exosomes", "exo"),
    "shrink*": ("shrink shrinks shrinking", "shrine"),
    "dwindle*": ("dwindle dwindles dwindled dwindling", "dwell"),
    "disappear*": ("disappear disappears disappeared disappearing", "disappoint"),
    "vanish*": ("vanish vanishes vanished vanishing", "vanilla"),
    "waitlist*": ("waitlist waitlists waitlisted", "wait"),
    "spider vein*": ("spider_vein spider_veins", "spider_web"),
}
"""Every stem in the lexicon, the words it must match and words it must not (_ joins words)."""


def starred(value) -> set[str]:
    if isinstance(value, str):
        return {value} if any(token.endswith("*") and token != "*" for token in value.split()) else set()
    if isinstance(value, list):
        return {s for item in value for s in starred(item)}
    if isinstance(value, dict):
        return {s for key, item in value.items() if not key.startswith("_") for s in starred(item)}
    return set()


def test_every_stem_in_the_lexicon_has_its_words_here():
    assert starred(LEXICON) <= set(STEMS), "a new stem needs its words in STEMS"


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_a_stem_matches_its_own_words_and_no_other(stem):
    phrases = Phrases.of([stem])
    matches, others = STEMS[stem]
    for word in matches.split():
        assert phrases.find(word.replace("_", " ")), f"{stem} should match {word}"
    for word in others.split():
        assert not phrases.find(word.replace("_", " ")), f"{stem} should not match {word}"


def test_healthy_is_not_a_medical_claim():
    policy = Policy.from_lexicon(LEXICON)
    assert not policy.medical_claims.find("A healthy routine keeps your skin looking its best.")
    assert policy.medical_claims.find("It heals the skin from within.")


def test_a_lone_star_is_one_word_and_a_hash_is_a_number():
    left = Phrases.of(["only * spots left"])
    assert left.find("only three spots left")
    assert not left.find("only a few spots left")
    numbers = Phrases.of(["only # left", "save #%"])
    assert [said for _, said, _ in numbers.find("only 3 left, save 15% today")] == ["only 3 left", "save 15%"]
    assert not numbers.find("only some left")


def test_phrases_read_at_the_start_and_the_end_of_a_text():
    phrases = Phrases.of(["really", "definitely", "book"])
    assert phrases.at_start("  book soon") == "book"
    assert phrases.leading("really definitely book soon") == "really definitely book"
    assert phrases.ends("you should really")
    assert not phrases.ends("really you should")


def test_a_word_class_the_lexicon_lacks_is_empty():
    classes = WordClasses.of({"supply": ["spots"], "_about": "not a class"})
    assert classes["supply"].find("spots")
    assert classes["missing"].find("anything") == []
    assert classes["_about"].find("not a class") == []
