"""The privacy guard: other patients and people, contact details, links and markup, the right
greeting."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.domain.names import OtherPatient
from assistant.drafting.content import DraftContent
from assistant.drafting.guards import Guards, blocks_submission
from assistant.storage.repository import Roster
from tests.drafting.conftest import AS_OF
from tests.drafting.guards.conftest import GOOD, check, failed

OTHERS = [
    OtherPatient("p-2041", "Nora", "Lin"),
    OtherPatient("p-2042", "Hope", "Adams"),
    OtherPatient("p-2043", "Lior", "Cohen"),
    OtherPatient("p-2044", "Zoë", "Martin"),
    OtherPatient("p-2045", "Renee", "Ortiz"),
    OtherPatient("p-2046", "Jo", "Smith"),
    OtherPatient("p-2047", "Grace", "Kim"),
    OtherPatient("p-2048", "May", "Ford"),
    OtherPatient("p-2049", "Delia", "Shaw"),
]


class Directory:
    """The repository's roster over a few patients, without a database."""

    def __init__(self, patients: list[OtherPatient]) -> None:
        self.roster = Roster.of(len(patients), patients)

    def other_patients(self, patient_id: str, names: set[str], ids: set[str]) -> list[OtherPatient]:
        return self.roster.find(patient_id, names, ids)


@pytest.fixture(scope="module")
def guards(drafting) -> Guards:
    return Guards(drafting.policy, Directory(OTHERS))


def privacy(guards, brief_grounds, body, subject="Your Botox results"):
    brief, grounds = brief_grounds
    results = {g.name: g for g in guards.check(DraftContent(subject=subject, body=body), brief, grounds)}
    return results["privacy"]


def added(sentence: str) -> str:
    return GOOD.replace("Warm regards", sentence + "\n\nWarm regards")


@pytest.mark.parametrize(
    "leak, found",
    [
        ("Nadia Haddad loved her HydraFacial too.", "Nadia Haddad"),
        ("Write to us at delia.reid@example.com.", "email address"),
        ("Call us on +1 555 010 0003.", "phone number"),
        ("Patient d001 had the same result.", "d001"),
    ],
)
def test_other_patients_and_contact_details_fail_privacy(drafting, delia, leak, found):
    results = check(drafting, delia, GOOD.replace("Warm regards", leak + "\n\nWarm regards"))
    assert "privacy" in failed(results)
    assert found in results["privacy"].detail


@pytest.mark.parametrize(
    "leak, found",
    [
        ("Nora loved hers.", "'Nora'"),
        ("NORA loved hers.", "'NORA'"),
        ("Nоra loved hers.", "'Nora'"),  # a Cyrillic о
        ("No\u200bra loved hers.", "'Nora'"),  # a zero-width space
        ("Ｎｏｒａ loved hers.", "'Nora'"),  # full-width letters
        ("Nora's results were lovely too.", "'Nora'"),
        ("Zoe said the same.", "'Zoe'"),  # Zoë in the records
        ("Renée felt the same.", "'Renée'"),  # Renee in the records
        ("Our patient Nora Lin loved hers.", "Nora Lin"),
        ("L. Cohen loved hers.", "L. Cohen"),
        ("J Smith loved hers.", "J Smith"),
        ("Ms. Cohen loved hers.", "'Cohen'"),
        ("Patient p-2041 had the same result.", "id p-2041"),
        ("Hope loved hers too.", "'Hope'"),
        ("Like Grace, many patients add it.", "'Grace'"),
    ],
)
def test_another_patient_named_any_way_fails_privacy(guards, delia, leak, found):
    result = privacy(guards, delia, added(leak))
    assert not result.passed and found in result.detail, result.detail


@pytest.mark.parametrize(
    "sentence",
    [
        "Hope you are well.",
        "We hope you are well, and we hope to see you soon.",
        "Grace and ease are what we aim for.",
        "We will see you again in May.",
        "May we set one aside for you?",
        "Thank you, Delia.",
    ],
)
def test_common_words_and_the_patients_own_name_are_not_other_patients(guards, delia, sentence):
    assert privacy(guards, delia, added(sentence)).passed


def test_the_coordinator_and_the_practice_are_not_other_patients(guards, delia):
    brief, grounds = delia
    signed = replace(brief, coordinator="Nora", practice="Grace Kim Aesthetics")
    body = GOOD.replace("Your care team", "Nora, at Grace Kim Aesthetics")
    assert privacy(guards, (signed, grounds), body).passed
    assert not privacy(guards, delia, body).passed


def test_greeting_the_wrong_patient_fails_privacy(drafting, delia):
    results = check(drafting, delia, GOOD.replace("Hi Delia", "Hi Nadia"))
    assert "privacy" in failed(results)


def test_the_referred_friend_is_not_named(drafting):
    brief, grounds = drafting.brief("d007", AS_OF)
    body = (
        f"Hi Jenna,\n\nThank you for referring Sam to us after your Botox visits. Our "
        f"{brief.offer.name} is ${brief.offer.price:.0f} per month. Reply or book a time."
    )
    results = {
        g.name: g for g in drafting.guards.check(DraftContent(subject="Thanks", body=body), brief, grounds)
    }
    assert not results["privacy"].passed and "Sam" in results["privacy"].detail


@pytest.mark.parametrize(
    "note, leak, found",
    [
        ("Came in with her sister Maria Lopez.", "Maria loved hers too.", "Maria"),
        ("Referred by Tom Becker.", "Tom Becker says hello.", "Tom"),
        ("Her husband, Will, drove her.", "Say hello to Will for us.", "Will"),
        ("", "Dr. Reyes was delighted with your results.", "Reyes"),  # her provider
    ],
)
def test_people_in_the_record_are_not_named(guards, delia, note, leak, found):
    brief, grounds = delia
    noted = replace(grounds, record=f"{grounds.record}\n{note}")
    result = privacy(guards, (brief, noted), added(leak))
    assert not result.passed and found in result.detail, result.detail


def test_a_relative_mentioned_without_a_name_is_no_one(guards, delia):
    brief, grounds = delia
    noted = replace(grounds, record=f"{grounds.record}\nWants to look fresh for her sister's wedding.")
    assert privacy(guards, (brief, noted), added("Will you be ready for the wedding?")).passed


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example.com/book",
        "http://example.org",
        "www.example.com",
        "bit.ly/3xYz",
        "glowclinic.com/offer",
        "https://book.example.com/delia?ref=mail",
    ],
)
def test_links_fail_privacy_unless_the_practice_allows_them(guards, delia, link):
    brief, grounds = delia
    allowed = replace(grounds, links=["https://book.example.com/delia"])
    result = privacy(guards, (brief, allowed), added(f"Book here: {link}."))
    assert not result.passed and link in result.detail


@pytest.mark.parametrize(
    "link", ["https://book.example.com/delia", "book.example.com/delia", "www.book.example.com/delia/"]
)
def test_the_booking_link_passes(guards, delia, link):
    brief, grounds = delia
    allowed = replace(grounds, links=["https://book.example.com/delia"])
    assert privacy(guards, (brief, allowed), added(f"Book a time here: {link}.")).passed


@pytest.mark.parametrize(
    "marked, found",
    [
        ("It is <b>lovely</b> news.", "HTML"),
        ("This is **great** news.", "bold"),
        ("This is *great* news.", "emphasis"),
        ("This is _great_ news.", "emphasis"),
        ("[Book a time](https://book.example.com/delia)", "markdown link"),
        ("## Your next step", "heading"),
        ("Reply `YES` to book.", "code"),
        ("<script>alert('hi')</script>", "HTML tag: <script>"),
        ("Ann<script>", "HTML tag: <script>"),
        ('<img src="x" onerror="alert(1)">', "HTML tag: <img"),
        ("<svg onload=alert(1)>", "HTML tag: <svg"),
        ("<details open>More</details>", "HTML tag: </details>"),
        ("<!-- the patient's notes -->", "HTML comment"),
        ("We are glad &lt;3", "HTML entity: &lt;"),
        ("Tom &amp; the team say hello.", "HTML entity: &amp;"),
        ("Book here: javascript:alert(1)", "script link: javascript:"),
        ("Book here: data:text/html;base64,PHNjcmlwdD4=", "script link: data:text/html;"),
        ("Your next step\n===", "heading underline: ==="),
        ("Your next step\n---", "heading underline: ---"),
        ("Warm wishes.\n\n***\n", "rule: ***"),
        ("![Your results](https://book.example.com/delia)", "markdown image"),
        ("<https://book.example.com/delia>", "markdown link"),
        ("[book]: https://book.example.com/delia", "markdown link"),
        ("Hello {{ patient.email }}.", "template syntax: {{ patient.email }}"),
        ("{% if vip %}Welcome back.{% endif %}", "template syntax: {% if vip %}"),
        ("<%= patient.phone %>", "template syntax: <%= patient.phone %>"),
    ],
)
def test_markup_fails_privacy_and_stops_submitting(guards, delia, marked, found):
    brief, grounds = delia
    allowed = replace(grounds, links=["https://book.example.com/delia"])
    result = privacy(guards, (brief, allowed), added(marked))
    assert not result.passed and found in result.detail, result.detail
    assert blocks_submission(result)


@pytest.mark.parametrize(
    "subject", ["<b>Your</b> Botox results", "Your Botox results &#x1F600;", "# Your Botox results"]
)
def test_markup_in_the_subject_fails_privacy(guards, delia, subject):
    result = privacy(guards, delia, GOOD, subject=subject)
    assert not result.passed and "contains" in result.detail, result.detail


@pytest.mark.parametrize(
    "plain",
    [
        "We look forward to seeing you - and your sister - soon.",
        "Harbor Skin & Wellness is open late on Thursdays.",
        "Your results are 2 < 3 weeks away; 5 > 4.",
        "Reply YES or NO.",
        "Warm regards,\n- Maria",
    ],
)
def test_plain_punctuation_is_not_markup(guards, delia, plain):
    assert privacy(guards, delia, added(plain)).passed, privacy(guards, delia, added(plain)).detail


def test_a_link_with_look_alike_letters_is_not_the_booking_link(guards, delia):
    brief, grounds = delia
    allowed = replace(grounds, links=["https://book.example.com/delia"])
    spoofed = "https://b\u043e\u043ek.example.com/delia"  # Cyrillic о twice
    result = privacy(guards, (brief, allowed), added(f"Book a time here: {spoofed}."))
    assert not result.passed and spoofed in result.detail, result.detail
