"""What the patient receives, composed once: segments(), the composing function the senders and
the preview share, the preview on the desk, and a test send to the coordinator."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from assistant.app.outbox import masked
from assistant.domain.review import Status
from assistant.errors import Forbidden, InputError
from assistant.sending import EmailOutbox, Letterhead, Message, compose, segments
from assistant.settings import Settings
from tests.review_desk import build_desk
from tests.test_sending import _approved

AT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
HEAD = Letterhead(
    "Glow Aesthetics",
    "offers@glow.example",
    "frontdesk@glow.example",
    "12 Elm Street, Austin",
    "https://glow.example/book",
)


def _message(
    channel: str = "email", body: str = "Hi Ana,\n\nReply or book a time.\n\nMaria, Glow"
) -> Message:
    return Message("msg-1", "dr-1", "p1", channel, "ana@example.com", "A note for you", body, AT)


# Segments -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "units", "count"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # an escaped character counts twice
        ("€" * 81, "GSM-7", 162, 2),
        ("Café " + "a" * 100, "GSM-7", 105, 1),  # é is in GSM-7
        ("naïve " + "a" * 100, "UCS-2", 106, 2),  # ï is not: the whole SMS goes as UCS-2
        ("ï" * 70, "UCS-2", 70, 1),
        ("ï" * 71, "UCS-2", 71, 2),
        ("ï" * 134, "UCS-2", 134, 2),
        ("ï" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # an emoji is two UTF-16 units
    ],
)
def test_an_sms_is_counted_in_segments_as_the_network_counts_it(text, encoding, units, count):
    length = segments(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, count)


def test_a_character_is_never_split_across_segments():
    # 152 septets, then an escaped € (2 septets) does not fit in the first segment's 153.
    assert segments("a" * 152 + "€" + "a" * 10).segments == 2
    assert segments("a" * 152 + "€" + "a" * 153).segments == 3


# Composing ----------------------------------------------------------------------------------------


def test_an_email_is_composed_with_the_letterhead_footer_and_unsubscribe_line():
    composed = compose(_message(), HEAD, "https://glow.example/v1/unsubscribe/tok")
    assert composed.sender == "Glow Aesthetics <offers@glow.example>"
    assert composed.reply_to == "frontdesk@glow.example" and composed.subject == "A note for you"
    text = composed.text
    assert text.startswith("Hi Ana,\n\nReply or book a time.\n\nMaria, Glow")
    assert "Book online: https://glow.example/book" in text
    assert (
        "12 Elm Street, Austin" in text and "You receive this email as a patient of Glow Aesthetics." in text
    )
    assert text.rstrip().endswith("To stop these emails: https://glow.example/v1/unsubscribe/tok")


def test_an_sms_is_composed_as_written():
    body = "Hi Ana, a peel would suit you. Reply STOP to opt out"
    composed = compose(_message("sms", body), HEAD, "unused")
    assert (composed.text, composed.sender, composed.subject) == (body, "", "")


def test_the_email_sender_sends_what_compose_composes(tmp_path):
    settings = Settings(
        home=tmp_path,
        practice_name="Glow Aesthetics",
        mail_from="offers@glow.example",
        practice_address="12 Elm Street, Austin",
    )
    outbox = EmailOutbox(settings)
    receipt = outbox.send(_message())
    email = message_from_bytes(Path(receipt.reference).read_bytes(), policy=default)
    composed = compose(_message(), outbox.head, outbox.links.link("msg-1"))
    assert email["From"] == composed.sender and email["Subject"] == composed.subject
    assert email.get_body(("plain",)).get_content().replace("\r\n", "\n") == composed.text


@pytest.mark.parametrize(
    ("address", "shown"),
    [("jane@example.com", "j***@example.com"), ("+15550100003", "+1***0003"), ("123", "***")],
)
def test_an_address_is_shown_masked(address, shown):
    assert masked(address) == shown


# The preview and the test send on the desk --------------------------------------------------------


@pytest.fixture(scope="module")
def desk(tmp_path_factory, matcher):
    return build_desk(
        tmp_path_factory.mktemp("preview"),
        matcher,
        email_sender="outbox",
        practice_name="Glow Aesthetics",
        practice_address="12 Elm Street, Austin",
        mail_from="offers@glow.example",
    )


def test_the_preview_is_the_email_as_the_patient_will_receive_it(desk):
    review, u = desk.review, desk.users
    draft = _approved(desk, "email")
    preview = review.preview(u["coordinator"], draft.id)
    patient = review.repository.patient(draft.patient_id)
    assert preview.to == masked(patient.email) and patient.email not in preview.to
    assert preview.message.sender == "Glow Aesthetics <offers@glow.example>"
    assert preview.message.subject == draft.subject and preview.length is None
    assert preview.message.text.startswith(draft.body)
    assert "12 Elm Street, Austin" in preview.message.text
    assert "To stop these emails:" in preview.message.text
    assert review.audit(u["qa"], draft_id=draft.id)[-1].action == "preview"


def test_the_preview_of_an_sms_gives_its_segments(desk):
    review, u = desk.review, desk.users
    draft = _approved(desk, "sms")
    preview = review.preview(u["coordinator"], draft.id)
    assert preview.message.text == draft.body
    assert preview.length == segments(draft.body) and preview.length.segments >= 1


def test_a_test_send_goes_to_the_coordinator_marked_and_changes_nothing_else(desk):
    review, u = desk.review, desk.users
    draft = _approved(desk, "email")
    sent = review.send_test(u["coordinator"], draft.id, "carol@practice.example")
    assert (sent.channel, sent.to) == ("email", "c***@practice.example")
    files = list((review.practice.settings.outbox_dir / "email").glob("test-*.eml"))
    tests = [message_from_bytes(f.read_bytes(), policy=default) for f in files]
    mine = [e for e in tests if e["To"] == "carol@practice.example" and e["X-Crosssell-Draft"] == draft.id]
    assert len(mine) == 1 and mine[0]["Subject"] == f"[Test] {draft.subject}"
    assert mine[0]["X-Crosssell-Test"] == "yes"
    stored = review.get(u["coordinator"], draft.id)
    assert (stored.status, stored.version) == (Status.APPROVED, draft.version)
    assert review.repository.messages(draft_id=draft.id) == []  # not in the outbox: no offer made
    history = review.repository.history(draft.patient_id, 2**40)
    assert not [o for o in history.offers if o.service_id == draft.offer]
    entry = next(e for e in review.audit(u["qa"], draft_id=draft.id) if e.action == "test_send")
    assert entry.detail["to"] == "c***@practice.example" and "carol@" not in str(entry.detail)
    # The real send still goes, once: the test took no contact slot.
    assert review.send(u["coordinator"], draft.id).status == Status.SENT


def test_a_test_send_needs_an_address_and_a_sender(desk):
    review, u = desk.review, desk.users
    draft = _approved(desk, "email")
    with pytest.raises(InputError, match="not an email address"):
        review.send_test(u["coordinator"], draft.id, "carol at home")
    with pytest.raises(Forbidden):
        review.send_test(u["provider"], draft.id, "pat@practice.example")
