"""The tone guard reads pressure by meaning, not by word lists: scarcity, deadlines, prodding for
speed and obligations in any phrasing fail; the same words in a calm sense pass ("all you need to
do is reply", "nothing to decide today", the record's own dates). Each class is held to many
phrasings, as a strong model would write them."""

from __future__ import annotations

import pytest

from assistant.drafting.content import DraftContent
from assistant.drafting.guards import Checked
from assistant.drafting.guards.pressing import pressed
from assistant.drafting.guards.tone import Tone
from tests.drafting.guards.conftest import GOOD, check, failed

PRESSURE_KINDS = {"urgency", "pressure", "guilt_fear"}

SCARCITY_BAD = [
    "Openings are going fast.",
    "Our December calendar is nearly full.",
    "Appointments this month are filling up quickly.",
    "We only have a few spots left before the holidays.",
    "Only 3 openings remain this week.",
    "Availability is limited, so it may be worth getting in touch.",
    "Our schedule is almost fully booked for December.",
    "Weekend slots tend to get snapped up.",
    "The kits are running low.",
    "These appointments won't be around for long.",
    "There are just two places left in the January group.",
    "We have limited availability in the new year.",
    "Space is limited for this series.",
    "Our books are filling fast this season.",
    "Stock of the kit is running out.",
    "Evening appointments are in high demand right now.",
    "The last few slots for December are still open.",
    "Spots for the membership are getting taken up quickly.",
    "Our calendar books up fast around the holidays.",
    "Just a handful of appointments remain before Christmas.",
    "Times with Dr. Lee are booked up most weeks.",
    "Openings are scarce this month.",
    "Heads up: December openings are disappearing quickly.",
    "We're nearly at capacity for the season.",
    "Only two appointments are still available this week.",
    "Slots with our injector tend to go quickly.",
    "Our January calendar is already tight.",
    "There are a limited number of kits in stock.",
    "The schedule is really filling in for the holidays.",
    "We only have a couple of openings left.",
    "Availability is getting scarce.",
    "Appointments this week are almost gone.",
    "Saturday spots are always the first to go.",
    "Our providers are booked solid through the month.",
    "These kits sell out every winter.",
    "Few openings remain before the new year.",
    "Our diary is close to full.",
    "Our injector's December dates are nearly gone.",
    "Evening slots are few and far between right now.",
    "We're down to our last couple of openings.",
    "Openings for the new year are being claimed quickly.",
    "The holiday calendar is packed.",
    "There's only one weekend spot remaining.",
    "Our availability is shrinking by the day.",
    "Kits are flying out the door.",
    "Spaces in the series are limited to eight and nearly taken.",
    "Our schedule rarely has gaps this time of year.",
]

SCARCITY_GOOD = [
    "We have plenty of openings over the next few weeks.",
    "Our calendar is open whenever you're ready.",
    "Book a time that suits you.",
    "Your appointment is booked for December 2.",
    "It takes only one appointment to get started.",
    "The appointment is limited to about 30 minutes.",
    "If your schedule is full this month, that's completely fine.",
    "You have two sessions left in your package.",
    "There are lots of times available in the evenings.",
    "We keep a few appointment times free each week for members.",
    "Results usually show after a few sessions.",
    "Your last appointment went really well.",
    "Spots aren't limited, so there's no need to plan far ahead.",
    "Appointments usually take about an hour.",
    "We have openings on weekday mornings and evenings.",
    "The kit contains a cleanser, a serum and sunscreen.",
    "Our schedule is flexible, so pick whatever day works.",
    "Availability is good through the winter.",
    "Over the last few sessions your skin has looked brighter.",
    "It is a healthy, gentle way to keep your glow going.",
    "We can find a time on the calendar that works for you.",
    "We have good availability this month.",
    "There are openings most weekdays.",
    "Your spot for December 2 is confirmed.",
    "The kit comes in one size.",
    "Your results may take a few sessions to show.",
    "Choose whichever appointment suits you.",
    "If your week is busy, we can find another day.",
    "Our team is small, so we like to get to know every patient.",
    "The facial takes about 45 minutes.",
    "You have one session left in your plan.",
    "We keep evenings open for working patients.",
    "There's room in the calendar whenever you'd like to come in.",
    "Each appointment includes time for questions.",
    "Limited downtime means you can get back to your day.",
    "Stock up on sunscreen before your trip.",
    "We have time on most days next week.",
    "Your appointment on December 2 is all set.",
    "Sessions take about an hour.",
    "The series is eight sessions in total.",
    "If you're short on time, we can keep it brief.",
    "Your plan has two visits left.",
    "Our evening hours suit many working patients.",
    "There's space to talk it through at your visit.",
    "The kit lasts about three months.",
    "We can fit you in whenever it suits.",
]

DEADLINE_BAD = [
    "This price holds until the end of the month.",
    "The rate is only good through Friday.",
    "This offer is valid until December 15.",
    "Let us know by Friday if you'd like one.",
    "Book before the end of the month to get this pricing.",
    "Please reply by tomorrow so we can hold your place.",
    "The special ends Sunday.",
    "Sign up before the new year.",
    "We can hold the spot for you until Thursday.",
    "Decide by this weekend and we'll set it up.",
    "This pricing won't last past December.",
    "The promotion expires next week.",
    "Confirm no later than Monday to keep the slot.",
    "Pricing is only available for the next 48 hours.",
    "Prices go up in January, so it is worth booking before then.",
    "Join by the end of the week.",
    "This invitation is open until midnight.",
    "Reserve before December 20 to lock it in.",
    "Offer ends Friday.",
    "You can grab this rate until the 15th.",
    "It's available until Sunday only.",
    "This pricing is available through December 31 only.",
    "The offer closes at the end of the week.",
    "Let us know before Friday and we'll lock it in.",
    "If you join by the 15th, the rate stays the same.",
    "Book by the end of the year to keep this price.",
    "Our holiday rate runs until Sunday.",
    "We can only hold this slot until tomorrow.",
    "Please respond by Monday so we can plan.",
    "The package is only offered until the new year.",
    "This special wraps up on Friday.",
    "Get back to us by this weekend.",
    "The member rate ends at midnight.",
    "Reserve your place before the end of the month.",
    "This invitation expires on December 20.",
    "Decide before next week and we'll keep the price.",
    "The intro price is good until Friday.",
    "Let us know by Wednesday.",
    "Sign up before the 1st to keep the rate.",
    "This offer stops at the end of the month.",
    "We'll hold the opening until tomorrow.",
    "Respond before the weekend to claim it.",
    "Book by December 20 for the current pricing.",
    "The rate is locked in only through this month.",
    "Pricing changes in January.",
    "Please confirm by tonight.",
]

DEADLINE_GOOD = [
    "See you on December 2.",
    "Your renewal comes up on December 10.",
    "Book a time that suits you.",
    "Whenever you're ready, just reply.",
    "There's no rush.",
    "Your membership renews on December 10, and nothing changes unless you tell us.",
    "If you'd like to switch before your renewal on December 10, just reply.",
    "Let us know before December 10 if you'd like us to change your plan.",
    "Results build gradually through the winter.",
    "We're open until 7 pm on weekdays.",
    "Avoid direct sun until the redness settles.",
    "By the end of the month your skin should feel smoother.",
    "Stop by Friday if you're nearby and we can show you the kit.",
    "Your kit will be ready by Friday.",
    "Many patients come in before the holidays for a refresh.",
    "Your current plan ends December 10.",
    "We'll have your results by Monday.",
    "There is no deadline, so take your time.",
    "The clinic is closed through the new year holiday, and we reopen January 2.",
    "Please keep using sunscreen until your next visit.",
    "We look forward to seeing you on December 2.",
    "Your appointment is on December 2 at 10 am.",
    "Your membership renews December 10.",
    "Please arrive 10 minutes before your appointment.",
    "Results usually build until about week four.",
    "Keep the area clean until the next morning.",
    "We're closed on Sundays.",
    "Your peel results should settle by the weekend.",
    "We hope you enjoy the holidays.",
    "The practice is open through the holidays.",
    "Reply whenever it suits you.",
    "Many patients plan ahead before a big event.",
    "Your renewal on December 10 will go through as usual.",
    "You'll hear from us by Monday with your lab results.",
    "We can talk it over at your visit on December 2.",
    "Use the cream nightly until your follow-up.",
    "Your renewal date is December 10.",
    "We'll see you on December 2.",
    "Results keep improving until about week six.",
    "The clinic is open until 6 on Fridays.",
    "Please avoid the gym until the next day.",
    "Your membership runs monthly.",
    "We'll send your summary by Friday.",
    "Many patients like to refresh before the holidays.",
    "No deadline at all; it's there whenever you want it.",
    "By spring your skin should look even.",
]

PRODDING_BAD = [
    "Best to let us know soon.",
    "Sooner rather than later is best.",
    "Don't wait too long to decide.",
    "The earlier the better with this one.",
    "Book while you still can.",
    "Reply quickly and we'll hold a place for you.",
    "Let us know in the next few days.",
    "I'd book soon if I were you.",
    "It would be great to hear back from you as soon as possible.",
    "Please decide this week.",
    "We'd recommend booking soon.",
    "So reply today and we'll set it up.",
    "Try not to leave it too long.",
    "You'll want to book this week.",
    "Get back to us at your earliest convenience.",
    "The sooner you start, the better.",
    "You should reserve quickly.",
    "It's best to book early.",
    "I wouldn't wait too long on this.",
    "Please confirm in the next day or two.",
    "Beat the rush and book today.",
    "It's worth deciding soon.",
    "Let us know quickly if you want it.",
    "I'd suggest booking this week.",
    "Please reply as soon as you're able.",
    "Don't sit on this one for too long.",
    "Now's the time to book.",
    "You'll want to grab one fast.",
    "Try to reply within the next couple of days.",
    "Best to book promptly.",
    "The quicker you reply, the better.",
    "So do let us know soon.",
    "We'd love an answer by the end of today.",
    "Reserve right away.",
    "Getting in early is the way to go.",
    "It's smart to lock it in soon.",
    "Reply soon so we can get you in.",
    "Let us know fast.",
    "It's best not to wait on this.",
    "Please get back to us in the next day or so.",
    "I'd lock it in this week.",
    "The sooner you book, the more choice you'll have.",
    "Don't leave it until the last minute.",
    "We'd suggest deciding quickly.",
    "Now is a good moment to book.",
    "Book at your earliest opportunity.",
]

PRODDING_GOOD = [
    "Hope to see you soon.",
    "We'll call you soon to talk it through.",
    "Whenever you're ready, just reply.",
    "There's no rush; reply whenever suits you.",
    "Thank you for booking today.",
    "Your results should show quickly after the first session.",
    "We will reply promptly to any questions.",
    "Talk soon.",
    "Nothing to decide today.",
    "You don't need to decide anything now.",
    "There's no need to book this week.",
    "Take your time, and reply when it suits you.",
    "Thanks for your reply today.",
    "The serum can act quickly on dull skin.",
    "Many patients book soon after their first visit.",
    "We look forward to hearing from you soon.",
    "If you'd like to start this week, just reply.",
    "You could start seeing a difference within a few weeks.",
    "We'll be in touch soon with your results.",
    "Reply any time, there is no deadline.",
    "Your kit is ready to pick up whenever you're passing.",
    "We'll see you soon.",
    "Have a lovely week.",
    "We'll send the details shortly.",
    "No need to decide anything yet.",
    "Take all the time you need.",
    "Thanks for letting us know so quickly.",
    "Reply whenever suits you.",
    "We'd be glad to book you in whenever you like.",
    "There's no rush at all.",
    "If you'd like to come in this week, we'd be happy to see you.",
    "Results can appear quickly.",
    "Our team answers messages fast.",
    "Most patients recover quickly.",
    "We'll let you know as soon as the kit arrives.",
    "We can talk soon at your visit.",
    "We'll speak soon.",
    "Take your time thinking it over.",
    "We'll reply as soon as we can.",
    "Reply any time that suits you.",
    "Your results came through quickly.",
    "We'll be in touch soon about your kit.",
    "There's no hurry at all.",
    "We're quick to answer questions.",
    "See you soon, Delia.",
    "Whenever you're ready, we're here.",
]

PRESSURE_BAD = [
    "You need to book.",
    "You must start now.",
    "You have to try this.",
    "You really need to book soon.",
    "You should book your next session.",
    "You definitely have to try our facial.",
    "You've got to check this out.",
    "You need to act now.",
    "What you need to do is book now.",
    "You must come in this week.",
    "You really should sign up for the membership.",
    "You ought to treat yourself.",
    "You'd better book before the holidays.",
    "You have to experience it.",
    "You need to get started right away.",
    "You seriously need to give this a try.",
    "You must reserve a time.",
    "You should go ahead and book.",
    "You need to upgrade.",
    "It's time you booked in.",
    "You need to take advantage of this.",
    "You need to try the membership.",
    "You have to book this.",
    "You must join.",
    "Honestly, you need to come in.",
    "You should really grab one.",
    "You've got to book this week.",
    "You need to start your membership now.",
    "You must schedule your next visit.",
    "You should definitely upgrade.",
    "You really must try it.",
    "You need to sign up today.",
    "You have to get one.",
    "You ought to book soon.",
    "You need to lock it in.",
    "You must try this facial.",
    "You need to book this.",
    "You have to come in.",
    "You must try the membership.",
    "You should definitely book.",
    "You really have to try it.",
    "You need to join today.",
    "You've got to get one.",
    "You should sign up.",
    "You need to grab a spot.",
    "You must book soon.",
]

PRESSURE_GOOD = [
    "All you need to do is reply.",
    "If you need to reschedule, just let us know.",
    "Nothing to decide today.",
    "You don't need to decide anything now.",
    "There's no need to book ahead.",
    "The only thing you need to do is reply.",
    "Everything you need to know is in the attached sheet.",
    "Do you need to book anything else?",
    "You just need to reply and we'll take care of it.",
    "You should be really proud of your progress.",
    "You must be thrilled with your results.",
    "You need to avoid retinol for a few days after a peel.",
    "You'll need to book a consultation first, at a time that suits you.",
    "You have to be 18 or over for this treatment.",
    "You don't have to book anything.",
    "Should you need to change the time, reply here.",
    "You would need to stop retinol a week before.",
    "You should see the redness settle within a day.",
    "You need not decide anything today.",
    "When you need to top up your products, just ask.",
    "There's no need to do anything at all.",
    "All you have to do is reply.",
    "You don't have to decide now.",
    "If you have to move your appointment, that's fine.",
    "You just need to reply with a time.",
    "You must be so pleased with your progress.",
    "You should avoid exfoliating for three days.",
    "You need to be 18 or older.",
    "Do you have to be somewhere after?",
    "Nothing you need to do right now.",
    "The one thing you need to bring is your ID.",
    "You have to see how well it's healing, it's lovely.",
    "When you need to restock, let us know.",
    "You should feel proud.",
    "You won't need to do anything else.",
    "Should you need to cancel, just reply.",
    "All you have to do is say yes.",
    "You don't have to do anything.",
    "If you have to cancel, that's okay.",
    "You must be delighted.",
    "You need to keep the area dry tonight.",
    "Do you have to work that day?",
    "You just have to reply.",
    "The only thing you need to bring is your list of medications.",
    "You should be proud of this.",
    "Should you need to move it, reply here.",
]

CLASSES = {
    "scarcity": (SCARCITY_BAD, SCARCITY_GOOD),
    "deadline": (DEADLINE_BAD, DEADLINE_GOOD),
    "prodding": (PRODDING_BAD, PRODDING_GOOD),
    "pressure": (PRESSURE_BAD, PRESSURE_GOOD),
}


@pytest.fixture(scope="module")
def tone(drafting):
    return Tone(drafting.policy)


def pressing(tone, delia, sentence: str) -> list[str]:
    """What the tone guard finds pushy in one sentence of a draft for Delia, whose record has
    December dates (her renewal, her visits)."""
    brief, grounds = delia
    draft = Checked(DraftContent(subject="", body=sentence), brief, grounds)
    return [f.text for f in tone.check(draft) if f.kind in PRESSURE_KINDS and f.blocking]


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_each_class_of_pressure_is_stopped_in_any_phrasing_with_few_false_alarms(tone, delia, name):
    bad, good = CLASSES[name]
    assert len(bad) >= 15 and len(good) >= 15
    missed = [s for s in bad if not pressing(tone, delia, s)]
    alarms = [s for s in good if pressing(tone, delia, s)]
    assert len(missed) / len(bad) <= 0.05, missed
    assert len(alarms) / len(good) <= 0.05, alarms


@pytest.mark.parametrize(
    "calm",
    [
        "All you need to do is reply.",
        "Nothing to decide today.",
        "If you need to reschedule, just let us know.",
        "You don't need to decide anything now.",
        "There's no need to book this week.",
        "We hope you are feeling healthy and well this week.",
        "Whenever you're ready, just reply.",
    ],
)
def test_the_false_alarms_of_word_lists_pass(drafting, delia, calm):
    results = check(drafting, delia, GOOD.replace("Warm regards", calm + "\n\nWarm regards"))
    assert failed(results) == set(), calm


@pytest.mark.parametrize(
    "pushy, kind, said",
    [
        ("Openings are going fast.", "scarcity", "Openings are going fast"),
        ("Best to let us know soon.", "prodding", "let us know soon"),
        ("This price holds until the end of the month.", "deadline", "until the end of the month"),
        ("You need to book.", "obligation", "You need to book"),
        ("You must start now.", "obligation", "You must start now"),
        ("No rush, but our calendar is nearly full.", "scarcity", "calendar is nearly full"),
    ],
)
def test_what_is_found_and_of_which_kind(drafting, pushy, kind, said):
    found = pressed(pushy, drafting.policy.pressing)
    assert [(p.kind, p.said) for p in found] == [(kind, said)]


def test_a_deadline_fails_tone_and_says_so(drafting, delia):
    body = GOOD.replace("Warm regards", "Let us know by Friday if you would like one.\n\nWarm regards")
    results = check(drafting, delia, body)
    assert "tone" in failed(results)
    assert "a deadline: 'by Friday'" in results["tone"].detail


def test_the_records_own_date_is_no_deadline_but_another_date_is(drafting, delia):
    record = {(12, 10)}
    assert not pressed(
        "Let us know before December 10 if you'd like to switch.", drafting.policy.pressing, record
    )
    assert pressed(
        "Let us know before December 12 if you'd like to switch.", drafting.policy.pressing, record
    )


def test_one_piece_of_pressure_is_reported_once(drafting, delia):
    body = GOOD.replace("Warm regards", "Spots are filling fast.\n\nWarm regards")
    detail = check(drafting, delia, body)["tone"].detail
    assert detail.count("filling") == 1
