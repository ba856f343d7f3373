"""Consent as a ledger: the latest fact per channel wins, and replies are read as carriers read them."""

from __future__ import annotations

import pytest

from assistant.domain.consent import Ledger, opted_out
from assistant.domain.contract import ContractError
from assistant.domain.eligibility import Eligibility, Reason
from assistant.domain.rules import Rules
from assistant.knowledge import Knowledge
from assistant.settings import bundled
from tests.builders import AS_OF, event, history, patient, sentiment, when


def test_the_latest_fact_per_channel_wins():
    facts = [
        event("opted_out", "2026-10-01", channel="all"),
        event("opted_in", "2026-10-20", channel="sms", source="sms reply START"),
    ]
    assert opted_out(facts) == {"email"}
    assert opted_out([*facts, event("opted_out", "2026-11-01", channel="sms")]) == {"email", "sms"}


def test_an_opt_in_before_the_opt_out_lifts_nothing():
    facts = [
        event("opted_in", "2026-09-01", channel="all", source="signed form at front desk"),
        event("opted_out", "2026-10-01", channel="email"),
    ]
    assert opted_out(facts) == {"email"}


def test_on_a_tie_the_opt_out_wins():
    facts = [
        event("opted_in", "2026-10-01", channel="email", source="signed form"),
        event("opted_out", "2026-10-01", channel="email"),
    ]
    assert opted_out(facts) == {"email"}
    assert opted_out(reversed(facts)) == {"email"}


def test_facts_after_the_day_asked_about_do_not_count_yet():
    facts = [
        event("opted_out", "2026-10-01", channel="sms"),
        event("opted_in", "2026-12-01", channel="sms", source="sms reply"),
    ]
    assert opted_out(facts, AS_OF) == {"sms"}
    assert opted_out(facts) == set()


def test_eligibility_lets_an_opt_in_lift_an_opt_out_for_that_channel_only():
    rules = Eligibility(Rules(), sentiment())
    out = event("opted_out", "2026-10-01", channel="all")
    back = event("opted_in", "2026-10-10", channel="email", source="signed form at front desk")
    h = history(out, back, preferred_channel="sms")
    assert rules.channel(h, AS_OF) == "email"
    assert rules.channel_block(h, AS_OF, "email") is None
    blocked = rules.channel_block(h, AS_OF, "sms")
    assert blocked is not None and blocked.reason is Reason.OPTED_OUT


def test_the_ledger_says_what_each_new_fact_changed():
    stored = event("opted_out", "2026-10-01", channel="all")
    ledger = Ledger([stored], {"p1": False})
    back = event("opted_in", "2026-10-10", channel="sms", source="sms reply", text="START")
    changes = {c.channel: (c.before, c.after) for c in ledger.record(back)}
    assert changes == {"sms": (False, True), "marketing": (False, True)}
    assert ledger.record(back) == []  # recorded once
    again = event("opted_out", "2026-10-12", channel="email")
    assert [(c.channel, c.before, c.after) for c in ledger.record(again)] == [("email", False, False)]


def test_a_patient_line_may_withdraw_marketing_consent_but_not_give_it_back():
    ledger, now = Ledger([], {"p1": True, "p2": False}), when("2026-11-24")
    change = ledger.patient(patient(id="p1", marketing_consent=False), now, "patient record")
    assert change is not None and (change.channel, change.before, change.after) == ("marketing", True, False)
    with pytest.raises(ContractError, match="comes back only through an `opted_in` event"):
        ledger.patient(patient(id="p2", marketing_consent=True), now, "patient record")
    assert ledger.patient(patient(id="p3", marketing_consent=True), now, "patient record") is None


# Replies ------------------------------------------------------------------------------------

REPLIES = Knowledge.at(bundled("knowledge")).replies


@pytest.mark.parametrize(
    ("text", "kind", "channel"),
    [
        ("STOP", "opted_out", "sms"),
        (" Stop. ", "opted_out", "sms"),
        ("unsubscribe", "opted_out", "sms"),
        ("Cancel", "opted_out", "sms"),
        ("END", "opted_out", "sms"),
        ("quit", "opted_out", "sms"),
        ("REVOKE", "opted_out", "sms"),
        ("OPTOUT", "opted_out", "sms"),
        ("opt-out", "opted_out", "sms"),
        ("STOPALL", "opted_out", "all"),
        ("START", "opted_in", "sms"),
        ("Unstop", "opted_in", "sms"),
        ("HELP", "help", None),
        ("\uff33\uff34\uff2f\uff30", "opted_out", "sms"),  # full-width letters
        ("ST\u200bOP", "opted_out", "sms"),  # a zero-width space inside
        ("Unsubscribe\n\nOn Tue, Nov 24, Glow Clinic wrote:\n> Hi Nadia, ...", "opted_out", "sms"),
        ("Quit\n\nOn Tue, Nov 24, Glow Clinic wrote:\n> Hi Nadia, ...", "opted_out", "sms"),
        ("STOP\nSent from my phone", "opted_out", "sms"),
        ("START\nSent from my phone", "feedback", None),  # consent never comes back by a guess
    ],
)
def test_carrier_keywords(text, kind, channel):
    reading = REPLIES.read(text, "sms")
    assert (reading.kind, reading.channel) == (kind, channel)


@pytest.mark.parametrize(
    "text",
    [
        "please stop texting me",
        "No more messages!",
        "take me off your list",
        "Don\u2019t email me again",
        "remove me from your list",
        "unsubscribe me",
        "Please STOP sending me these texts",
    ],
)
def test_a_refusal_in_plain_words_opts_out_of_every_channel(text):
    reading = REPLIES.read(text, "email")
    assert (reading.kind, reading.channel) == ("opted_out", "all")


@pytest.mark.parametrize(
    "text",
    [
        "No thanks",
        "no thank you!",
        "Not interested.",
        "I'll pass",
        "Not right now, thanks",
        "Nope",
        "I'm good, thanks",
    ],
)
def test_a_decline_in_plain_words_is_read_as_one(text):
    assert REPLIES.read(text, "sms").kind == "declined"


def test_a_decline_that_also_refuses_messages_is_an_opt_out():
    reading = REPLIES.read("No thanks, and please stop texting me", "sms")
    assert (reading.kind, reading.channel) == ("opted_out", "all")


@pytest.mark.parametrize(
    "text",
    [
        "I can't stop smiling about my results!",
        "Can I stop by on Friday to pick up the kit?",
        "The bruising did not stop until day five",
        "Please cancel my appointment on Tuesday",
        "Cancel\nmy appointment on Tuesday, please",
        "Sounds lovely, booking now!\n\nOn Tue, Nov 24, Glow Clinic wrote:\n> Reply STOP to opt out",
        "Yes please\n> Hi Nadia, ... unsubscribe here",
        "Help me pick a time next week",
        "Thanks, see you soon",
        "No worries, see you Tuesday",
        "I'm good at remembering my appointments",
    ],
)
def test_text_that_merely_contains_a_keyword_is_feedback(text):
    assert REPLIES.read(text, "sms").kind == "feedback"
