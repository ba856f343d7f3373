"""The template drafter reads like a person wrote it: a phrasing per patient that stays put,
variety across patients, grammar whatever the menu's wording, the goal in the second person,
discretion on lock screens, and the practice's signature and booking link."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import pytest

from assistant.domain.moments import Moment
from assistant.drafting.brief import Brief, OfferFacts
from assistant.drafting.drafters import GuardedDrafter, TemplateDrafter
from assistant.drafting.guards import Guards, Policy
from assistant.drafting.prompts import PromptBook
from assistant.drafting.wording import aim, article, each, mid_sentence, reason, signature
from assistant.knowledge import Knowledge
from assistant.settings import bundled
from tests.drafting.conftest import AS_OF

POLICY = Policy.from_lexicon(Knowledge.at(bundled("knowledge")).guard_lexicon)
GREETING = re.compile(r"^Hi \w+,( it's [^.]+\.)?")
SENTENCE = re.compile(r"(?<=[.!?])\s+")


@pytest.fixture(scope="module")
def drafter() -> TemplateDrafter:
    return TemplateDrafter(PromptBook(bundled("prompts"), "v1"), Guards(POLICY))


def kit_brief(**changes) -> Brief:
    offer = OfferFacts(
        id="product_kit",
        name="Medical-grade skin care kit",
        price=180,
        unit="kit",
        kind="product",
        why="protects newly resurfaced skin with gentle care",
        summary="A home routine chosen by our providers.",
    )
    brief = Brief(
        patient_id="p001",
        first_name="Ines",
        moment=Moment.CHECK_IN,
        channel="email",
        signal="Check-in: peel results holding up",
        signal_source="e1",
        offer=offer,
        treatments=["Chemical peel"],
        goals=["even out my skin tone"],
    )
    return replace(brief, **changes)


def glp1_brief(**changes) -> Brief:
    offer = OfferFacts(
        id="maintenance",
        name="Weight maintenance program",
        price=199,
        unit="month",
        kind="program",
        why="keeps the weight off once the goal is reached",
        summary="A monthly program for patients who have reached their goal.",
        sensitive=True,
    )
    brief = Brief(
        patient_id="p002",
        first_name="Sofia",
        moment=Moment.RESULTS_VISIBLE,
        channel="email",
        signal="Weight down 21 lb",
        signal_source="e9",
        offer=offer,
        treatments=["GLP-1 medical weight loss"],
        goals=["lose 50 pounds before my knee surgery"],
        change="down 21 lb",
        sensitive=["GLP-1 medical weight loss", "Weight maintenance program"],
    )
    return replace(brief, **changes)


def text_of(drafter: TemplateDrafter, brief: Brief) -> tuple[str, str]:
    content = drafter.write(brief).content
    assert content is not None
    return content.subject, content.body


def sentences(body: str) -> list[str]:
    """The body's sentences, less the greeting, the opt-out line and an email's signature."""
    lines = [line for line in body.splitlines() if line.strip()]
    if len(lines) > 1:
        lines = lines[:-1]
    found = [s for line in lines for s in SENTENCE.split(GREETING.sub("", line).strip()) if s]
    return [s for s in found if s != POLICY.limits["sms_opt_out"]]


def test_the_same_brief_always_gets_the_same_draft(drafter):
    brief = kit_brief()
    assert text_of(drafter, brief) == text_of(drafter, kit_brief())
    assert text_of(TemplateDrafter(drafter.prompts, drafter.guards), brief) == text_of(drafter, brief)


@pytest.mark.parametrize("moment", list(Moment))
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_patients_get_different_phrasings_and_no_sentence_is_everywhere(drafter, moment, channel):
    briefs = [kit_brief(patient_id=f"p{n:04d}", moment=moment, channel=channel) for n in range(60)]
    bodies = [text_of(drafter, b)[1] for b in briefs]
    assert len(set(bodies)) >= 12
    seen = Counter(s for body in bodies for s in set(sentences(body)))
    common, count = seen.most_common(1)[0]
    assert count <= 0.5 * len(bodies), common


def test_a_week_of_mixed_moments_shares_no_sentence_widely(drafter):
    """Across moments and channels, as in the demo week: no sentence in over a quarter of drafts."""
    briefs = [
        kit_brief(patient_id=f"p{n:04d}", moment=moment, channel=("email", "email", "sms")[n % 3])
        for n, moment in enumerate(list(Moment) * 12)
    ]
    seen = Counter(s for b in briefs for s in set(sentences(text_of(drafter, b)[1])))
    common, count = seen.most_common(1)[0]
    assert count <= 0.25 * len(briefs), common


@pytest.mark.parametrize(
    ("name", "mid"),
    [
        ("Medical-grade skin care kit", "medical-grade skin care kit"),
        ("Body contouring", "body contouring"),
        ("Botox", "Botox"),
        ("HydraFacial", "HydraFacial"),
        ("IV hydration therapy", "IV hydration therapy"),
        ("VIP membership", "VIP membership"),
        ("GLP-1 medical weight loss", "GLP-1 medical weight loss"),
        ("Diamond Glow facial", "Diamond Glow facial"),
        ("Skin Care Membership", "Skin Care Membership"),
        ("  Chemical   peel ", "chemical peel"),
    ],
)
def test_names_read_mid_sentence_with_their_own_case(name, mid):
    assert mid_sentence(name) == mid


@pytest.mark.parametrize(
    ("price", "unit", "said"),
    [
        (149, "month", "$149 a month"),
        (750, "session", "$750 a session"),
        (95, "hour", "$95 an hour"),
        (12.5, "unit", "$12.50 a unit"),
        (300, "per area", "$300 an area"),
        (600, "3 sessions", "$600 for 3 sessions"),
        (180, "", "$180"),
    ],
)
def test_prices_read_as_a_person_says_them(price, unit, said):
    assert each(price, unit) == said


def test_articles_follow_the_sound():
    assert [article(w) for w in ("hour", "unit", "injection", "membership", "one-off")] == [
        "an",
        "a",
        "an",
        "a",
        "a",
    ]


@pytest.mark.parametrize(
    ("why", "read"),
    [
        ("protects your results between visits", ("does", "protects your results between visits")),
        ("It firms and tightens loose skin", ("does", "firms and tightens loose skin")),
        ("priority booking and member pricing", ("brings", "priority booking and member pricing")),
        (
            "energy, sleep and mood once weight is under control",
            ("brings", "energy, sleep and mood once weight is under control"),
        ),
        ("maintenance opens the door to aesthetics", ("", "")),
        ("results last longer", ("", "")),
        ("it is great. Really", ("", "")),
        ("protect your results", ("", "")),
    ],
)
def test_the_menus_reason_is_used_only_where_it_reads_as_a_clause(why, read):
    assert reason(why) == read


def test_a_reason_that_is_a_clause_of_its_own_gives_way_to_the_summary(drafter):
    odd = kit_brief(offer=replace(kit_brief().offer, why="maintenance opens the door to aesthetics"))
    _, body = text_of(drafter, odd)
    assert "opens the door" not in body
    assert "It is a home routine chosen by our providers." in body
    _, body = text_of(drafter, kit_brief())
    assert re.search(r"\bit protects newly resurfaced skin with gentle care\.", body, re.IGNORECASE)
    assert "our medical-grade skin care kit" in body and "Medical-grade" not in body
    assert "$180 a kit" in body


@pytest.mark.parametrize(
    ("goal", "yours"),
    [
        ("lose 50 pounds before my knee surgery", "of losing 50 pounds before your knee surgery"),
        ("I want to fit into my old jeans", "of fitting into your old jeans"),
        ("I'd like to get my energy back", "of getting your energy back"),
        ("my goal is to look as good as I feel", "of looking as good as you feel"),
        ("sleep better and feel like myself", "to sleep better and feel like yourself"),
        ("even out my skin tone", "to even out your skin tone"),
        (
            "keep the weight off now that I'm at my goal",
            "of keeping the weight off now that you're at your goal",
        ),
        ("clearer skin", "of clearer skin"),
        ("Smoother forehead", "of a smoother forehead"),
        ("fewer fine lines around my eyes", "of fewer fine lines around your eyes"),
        ("stop looking angry in photos", "to stop looking angry in photos"),
    ],
)
def test_the_goal_is_turned_to_the_second_person(goal, yours):
    assert aim(goal) == yours


@pytest.mark.parametrize(
    "goal",
    ["reach 160 lb", "I hope my skin clears up", "we want to travel", "thinner", "my BMI under 30", "Botox!"],
)
def test_a_goal_that_cannot_be_turned_cleanly_is_left_out(goal):
    assert aim(goal) == ""


def test_the_goal_is_never_pasted_back(drafter):
    _, body = text_of(
        drafter, glp1_brief(offer=replace(kit_brief().offer), sensitive=["GLP-1 medical weight loss"])
    )
    assert "your goal of losing 50 pounds before your knee surgery" in body
    assert not re.search(r"\b(my|I|me)\b", body)
    _, body = text_of(drafter, kit_brief(goals=["reach 160 lb"]))
    assert "160" not in body and "your goal" not in body


def test_subject_and_sms_never_name_sensitive_care_nor_a_value(drafter):
    brief = glp1_brief()
    subject, body = text_of(drafter, brief)
    _, sms = text_of(drafter, replace(brief, channel="sms"))
    for shown in (subject, sms):
        for name in [*brief.sensitive, "weight", "GLP-1", "pounds", "lb"]:
            assert not re.search(rf"\b{re.escape(name)}\b", shown, re.IGNORECASE), (name, shown)
        assert re.findall(r"\d+", shown) == (["199"] if shown == sms else [])
    assert "$199 a month" in sms and "program" in sms
    assert "our weight maintenance program" in body
    assert "down 21 lb" in body and "down 21 lb" not in subject


def test_the_email_carries_no_measurement(drafter):
    _, body = text_of(drafter, glp1_brief(change="weight went from 212 to 191 lb"))
    assert "212" not in body and "191" not in body


@pytest.mark.parametrize(
    ("coordinator", "practice", "signed", "sender"),
    [
        (
            "Maria",
            "Harbor Skin & Wellness",
            "Maria, Harbor Skin & Wellness",
            "it's Maria at Harbor Skin & Wellness.",
        ),
        (
            "",
            "Harbor Skin & Wellness",
            "The team at Harbor Skin & Wellness",
            "it's the team at Harbor Skin & Wellness.",
        ),
        ("Maria", "", "Maria, your care team", "it's Maria from your care team."),
        ("", "", "Your care team", "it's your care team."),
    ],
)
def test_drafts_are_signed_by_the_coordinator_for_the_practice(
    drafter, coordinator, practice, signed, sender
):
    brief = kit_brief(coordinator=f"{coordinator} Santos" if coordinator else "", practice=practice)
    assert signature(brief.coordinator, practice) == signed
    _, body = text_of(drafter, brief)
    assert body.splitlines()[-1] == signed
    _, sms = text_of(drafter, replace(brief, channel="sms"))
    assert sms.startswith(f"Hi Ines, {sender}")


def test_the_booking_link_is_in_the_closing_when_set(drafter):
    link = "https://harbor.example/book"
    for n in range(8):
        brief = kit_brief(patient_id=f"p{n}", booking_url=link)
        _, body = text_of(drafter, brief)
        closing = body.split("\n\n")[-2]
        assert link in closing
        _, sms = text_of(drafter, replace(brief, channel="sms"))
        assert link in sms
    assert "http" not in text_of(drafter, kit_brief())[1]


def test_a_long_sms_still_fits_with_its_opt_out(drafter):
    long = kit_brief(
        channel="sms",
        practice="The Harbor Skin, Laser & Wellness Studio of Greater Springfield",
        coordinator="Maria-Fernanda",
        booking_url="https://harbor-skin-laser-wellness.example/online-booking/start",
        goals=["fit into my old jeans before my sister's wedding next summer"],
    )
    for n in range(12):
        _, sms = text_of(drafter, replace(long, patient_id=f"p{n}", moment=list(Moment)[n % 8]))
        assert len(sms) <= POLICY.limits["sms_max_chars"] and sms.endswith(POLICY.limits["sms_opt_out"])


def test_a_discreet_sms_passes_every_guard(drafting):
    """d008 is in GLP-1 care and offered the weight maintenance program: its SMS names neither."""
    brief, grounds = drafting.brief("d008", AS_OF, "sms")
    outcome = GuardedDrafter(drafting.guards, TemplateDrafter(drafting.prompts, drafting.guards)).draft(
        brief, grounds
    )
    assert outcome.final.passed, [g for g in outcome.final.guards if not g.passed]
    body = outcome.final.content.body.lower()
    assert brief.sensitive and not any(name.lower() in body for name in brief.sensitive)


@pytest.mark.parametrize(
    "goal",
    [
        "even out my skin tone <script>alert(1)</script>",
        "even out my skin tone, see https://evil.example",
        "even out my skin tone {{ patient.email }}",
        "even out my **skin tone**",
        "even out my skin tone &lt;3",
    ],
)
def test_a_goal_with_markup_or_a_link_is_left_out(drafter, goal):
    assert "even out your skin tone" in text_of(drafter, kit_brief())[1]
    _, body = text_of(drafter, kit_brief(goals=[goal]))
    assert "skin tone" not in body
    assert not any(mark in body for mark in ("<", "&", "{", "*", "evil")), body
