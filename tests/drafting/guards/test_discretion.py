"""The discretion guard: subject lines and SMS (lock screens, shared inboxes) never name sensitive
care or a clinical value; an email body tells progress in the patient's own terms but carries no
measurements unless the practice shares them; the patient's own first-person words are never
pasted back."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.drafting.brief import brief_dict
from tests.drafting.conftest import AS_OF
from tests.drafting.guards.conftest import GOOD, check, failed


@pytest.fixture(scope="package")
def beatriz(drafting):
    """Beatriz (d004): GLP-1 medical weight loss, down 21 lb, offered Body contouring."""
    return drafting.brief("d004", AS_OF)


@pytest.fixture(scope="package")
def sofia(drafting):
    """Sofia (d008): GLP-1, a new goal "keep the weight off for good now that I hit my goal",
    offered the Weight maintenance program (sensitive)."""
    return drafting.brief("d008", AS_OF)


def by_sms(brief_grounds):
    brief, grounds = brief_grounds
    return replace(brief, channel="sms"), grounds


EMAIL = (
    "Hi Beatriz,\n\nIt is lovely to see your results coming through: {progress}\n\n"
    "As a next step, our Body contouring would suit you well: it tightens loose skin as weight "
    "comes off. It is $750 per session.\n\nJust reply or book a time if you would like to hear "
    "more.\n\nWarm regards,\nYour care team"
)
SMS = (
    "Hi Beatriz, it's your care team. {said} Our Body contouring ($750/session) could be a good "
    "next step. Reply or book a time if you'd like to hear more. Reply STOP to opt out"
)


def discretion(results):
    return results["discretion"]


def test_discretion_is_a_guard_of_its_own_that_blocks(drafting, beatriz):
    results = check(drafting, beatriz, EMAIL.format(progress="you are down 21 lb."), subject="Your results")
    assert failed(results) == set()
    assert discretion(results).blocks


@pytest.mark.parametrize(
    "subject, named",
    [
        ("Your GLP-1 results, Beatriz", "GLP-1"),
        ("About your GLP-1 medical weight loss", "GLP-1 medical weight loss"),
        ("Your weight loss journey", "weight loss"),
        ("Beatriz, a next step after semaglutide", "semaglutide"),
        ("Your hormone plan", "hormone"),
        ("A note about your medication", "medication"),
    ],
)
def test_a_subject_line_never_names_sensitive_care(drafting, beatriz, subject, named):
    results = check(drafting, beatriz, EMAIL.format(progress="you are down 21 lb."), subject=subject)
    assert "discretion" in failed(results)
    assert discretion(results).detail == f"the subject names sensitive care: '{named}'"


@pytest.mark.parametrize(
    "subject, value",
    [
        ("Down 21 lb, Beatriz!", "21 lb"),
        ("21 pounds lighter", "21 pounds"),
        ("You lost 9.5 kg", "9.5 kg"),
        ("About your 0.5 mg dose", "0.5 mg"),
        ("Your BMI of 29", "BMI of 29"),
        ("6% of your body weight, gone", "6% of your body weight"),
    ],
)
def test_a_subject_line_gives_no_clinical_value(drafting, beatriz, subject, value):
    results = check(drafting, beatriz, EMAIL.format(progress="you are down 21 lb."), subject=subject)
    assert "discretion" in failed(results)
    assert "the subject gives a" in discretion(results).detail
    assert f"'{value}'" in discretion(results).detail


@pytest.mark.parametrize(
    "said, found",
    [
        ("Your GLP-1 program is going so well.", "the SMS names sensitive care: 'GLP-1'"),
        ("Your weight-loss results are lovely.", "the SMS names sensitive care: 'weight-loss'"),
        ("Congratulations on your progress with GLP-1 medical weight loss.", "'GLP-1 medical weight loss'"),
        ("Your labs look great.", "the SMS names sensitive care: 'labs'"),
        ("You are down 21 lb!", "the SMS gives a weight: '21 lb'"),
        ("16 pounds lighter already.", "the SMS gives a weight: '16 pounds'"),
        ("You're at 191 now.", "the SMS gives a weight: 'You're at 191'"),
        ("Your dose is now 1 mg.", "the SMS names sensitive care: 'dose'"),
        ("Your dose is now 1 mg.", "the SMS gives a dose: '1 mg'"),
        ("Your A1C is down to 5.6%.", "the SMS gives a clinical value: 'A1C is down to 5.6%'"),
    ],
)
def test_an_sms_never_names_sensitive_care_or_a_clinical_value(drafting, beatriz, said, found):
    results = check(drafting, by_sms(beatriz), SMS.format(said=said), subject="")
    assert "discretion" in failed(results)
    assert found in discretion(results).detail


def test_the_practices_own_name_is_no_sensitive_care(drafting, beatriz):
    brief, grounds = by_sms(beatriz)
    signed = SMS.format(said="It's Maya at Vitality Labs.")
    assert not check(drafting, (brief, grounds), signed, subject="")["discretion"].passed
    own = replace(brief, practice="Vitality Labs")
    assert check(drafting, (own, grounds), signed, subject="")["discretion"].passed


def test_a_sensitive_offer_named_discreetly_in_an_sms_passes(drafting, sofia):
    body = (
        "Hi Sofia, it's your care team. Thank you for telling us about your new goal of keeping "
        "the weight off for good. Our program ($199/month) could help with that. Reply or book a "
        "time if you'd like to hear more. Reply STOP to opt out"
    )
    results = check(drafting, by_sms(sofia), body, subject="")
    assert not results["discretion"].detail.startswith("the SMS"), results["discretion"].detail
    assert results["discretion"].passed and results["specificity"].passed
    named = check(drafting, by_sms(sofia), body.replace("Our program", "Our Weight maintenance program"))
    assert "'Weight maintenance program'" in named["discretion"].detail


@pytest.mark.parametrize(
    "progress, found",
    [
        ("your weight went from 212 to 191 lb.", "the email gives a weight: 'from 212 to 191 lb'"),
        ("you are down from 212 lb to 191.", "the email gives a weight: 'from 212 lb to 191'"),
        ("you weigh 191 lb now.", "the email gives a weight: '191 lb'"),
        ("you're at 191 now, down 21.", "the email gives a weight: 'you're at 191'"),
        ("your BMI is down to 29.4.", "the email gives a clinical value: 'BMI is down to 29.4'"),
        ("your dose of 1 mg is working.", "the email gives a dose: '1 mg'"),
        ("your A1C is 5.6%.", "the email gives a clinical value: 'A1C is 5.6%'"),
        ("your glucose is 98 mg/dL.", "the email gives a lab value: '98 mg/dL'"),
    ],
)
def test_an_email_body_carries_no_measurements(drafting, beatriz, progress, found):
    results = check(drafting, beatriz, EMAIL.format(progress=progress), subject="Your results")
    assert "discretion" in failed(results)
    assert found in discretion(results).detail


@pytest.mark.parametrize(
    "progress",
    [
        "you are down 21 pounds.",
        "you're 21 pounds lighter and sleeping better.",
        "you have lost 21 lb since August.",
        "that is 21 lb down, and your jeans fit again.",
        "you are well on your way to your goal of losing 30 pounds.",
        "you are close to your goal weight of 160 lb.",
        "you have lost about 10% of your body weight.",
    ],
)
def test_progress_in_the_patients_own_terms_passes_in_an_email_body(drafting, beatriz, progress):
    results = check(drafting, beatriz, EMAIL.format(progress=progress), subject="Your results")
    assert results["discretion"].passed, results["discretion"].detail


def test_a_practice_that_shares_measurements_may_quote_them_in_an_email_body_only(drafting, beatriz):
    brief, grounds = beatriz
    shared = (brief, replace(grounds, measurements_allowed=True))
    body = EMAIL.format(progress="your weight went from 212 to 191 lb.")
    assert check(drafting, shared, body, subject="Your results")["discretion"].passed
    sms = SMS.format(said="Your weight went from 212 to 191 lb.")
    assert not check(drafting, by_sms(shared), sms, subject="")["discretion"].passed
    assert not check(drafting, shared, body, subject="Now 191 lb")["discretion"].passed


@pytest.mark.parametrize(
    "pasted, found",
    [
        (
            "We have kept your goal in mind: keep the weight off for good now that I hit my goal.",
            "keep the weight off for good now that I hit my goal",
        ),
        ('You told us "keep the weight off for good" and we heard you.', "keep the weight off for good"),
        ('In your words: "now that I hit my goal".', "now that I hit my goal"),
        ("You said 'I feel like a new person' at your visit.", "I feel like a new person"),
        ("Keeping it off for good now that I hit my goal matters.", "off for good now that I hit my goal"),
    ],
)
def test_the_patients_own_first_person_words_are_never_pasted_back(drafting, sofia, pasted, found):
    body = (
        f"Hi Sofia,\n\n{pasted}\n\nOur Weight maintenance program is $199 per month.\n\n"
        "Just reply if you would like to hear more.\n\nYour care team"
    )
    results = check(drafting, sofia, body, subject="Your new goal")
    if found is None:
        assert results["discretion"].passed, results["discretion"].detail
        return
    assert "discretion" in failed(results)
    assert discretion(results).detail == f"quotes the patient's words: '{found}'"


@pytest.mark.parametrize(
    "paraphrase",
    [
        "Your goal of keeping the weight off for good, now that you have hit your goal, is one we share.",
        "We love that you want to keep the weight off for good.",
        "Thank you for telling us about your new goal: keep the weight off now that you hit your goal.",
    ],
)
def test_the_patients_words_in_the_second_person_pass(drafting, sofia, paraphrase):
    body = (
        f"Hi Sofia,\n\n{paraphrase}\n\nOur Weight maintenance program is $199 per month.\n\n"
        "Just reply if you would like to hear more.\n\nYour care team"
    )
    assert check(drafting, sofia, body, subject="Your new goal")["discretion"].passed


def test_a_goal_with_a_weight_passes_when_said_as_the_patients_own(drafting):
    """The issue's own example: a goal of losing 50 pounds before a knee surgery, paraphrased."""
    brief, grounds = drafting.brief("d004", AS_OF)
    goal = replace(brief, goals=["lose 50 pounds before my knee surgery"])
    said = EMAIL.format(progress="your goal of losing 50 pounds before your knee surgery is in sight.")
    assert check(drafting, (goal, grounds), said, subject="Your results")["discretion"].passed
    pasted = EMAIL.format(progress="we have kept your goal in mind: lose 50 pounds before my knee surgery.")
    results = check(drafting, (goal, grounds), pasted, subject="Your results")
    assert discretion(results).detail == "quotes the patient's words: 'lose 50 pounds before my knee surgery'"


def test_a_skin_patients_subject_and_booking_sms_pass(drafting, delia):
    """No false alarms where nothing is sensitive: "Your Botox results", a booking by SMS."""
    assert check(drafting, delia, GOOD, subject="Your Botox results")["discretion"].passed
    brief, grounds = drafting.brief("d001", AS_OF)
    sms = (
        f"Hi Nadia, it's your care team. We look forward to seeing you for your {brief.booked} on "
        f"{brief.booked_for}. If you like, we can add a {brief.offer.name} to the same visit "
        f"({brief.offer.price_text}). Reply or book a time. Reply STOP to opt out"
    )
    results = check(drafting, (replace(brief, channel="sms"), grounds), sms, subject="")
    assert results["discretion"].passed, results["discretion"].detail


def test_the_brief_gives_progress_in_the_patients_terms_and_no_readings(beatriz):
    """A drafter is told "down 21 lb since August", never the readings (212 and 191 lb); the
    grounds keep them, so that the guards can still tell a reading when a draft gives one."""
    brief, grounds = beatriz
    assert brief.change == "down 21 lb since August"
    assert not any(s.kind == "measurement" for s in brief.snippets)
    given = str(brief_dict(brief))
    assert "212" not in given and "191" not in given
    assert {212.0, 191.0, 21.0} <= grounds.numbers
