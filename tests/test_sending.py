"""Sending through a real SMTP server on loopback (aiosmtpd), the SMS outbox, and failures:
a send hands the message to the outbox, which retries with backoff and never sends twice."""

from __future__ import annotations

import csv
import socket
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.domain.consent import opted_out
from assistant.errors import Conflict, NotEligible
from assistant.sending import Message, SmsOutbox
from assistant.settings import Settings
from tests.conftest import at
from tests.review_desk import AS_OF, build_desk


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    logins: list[tuple[str, str]] = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"s3cret-pass")

    controller = Controller(
        inbox, hostname="127.0.0.1", port=_free_port(), authenticator=authenticate, auth_require_tls=False
    )
    controller.start()
    inbox.port = controller.port
    inbox.logins = logins
    yield inbox
    controller.stop()


@pytest.fixture(scope="module")
def desk(tmp_path_factory, matcher, smtp):
    return build_desk(
        tmp_path_factory.mktemp("send"),
        matcher,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_security="none",
        smtp_username="frontdesk",
        smtp_password="s3cret-pass",
        mail_from="offers@glow.example",
        mail_reply_to="frontdesk@glow.example",
        practice_name="Glow <Aesthetics>",
        practice_address="12 Elm Street,\n Austin, TX 78701",
        public_url="https://glow.example/crm/",
        booking_url="https://glow.example/book",
        delivery_attempts=3,
        delivery_backoff_seconds=60,
    )


def _approved(desk, channel: str):
    review, u = desk.review, desk.users
    draft = None
    for patient in desk.ready():
        if review.drafts(u["qa"], patient_id=patient):
            continue
        try:
            draft = review.create(u["coordinator"], patient, AS_OF, channel)
            break
        except NotEligible:
            continue
    assert draft is not None, f"no ready patient can be reached by {channel}"
    submitted = review.submit(u["coordinator"], draft.id)
    return review.approve(u["provider"], draft.id, submitted.version)


def _presented(desk, draft) -> list:
    history = desk.practice.repository.history(draft.patient_id, 2**40)
    return [o for o in history.offers if o.id.startswith("msg-")]


def test_an_approved_email_arrives_over_smtp(desk, smtp):
    draft = _approved(desk, "email")
    sent = desk.review.send(desk.users["coordinator"], draft.id)
    recipients, message = smtp.messages[-1]
    patient = desk.practice.repository.patient(draft.patient_id)
    assert recipients == [patient.email]
    assert message["From"].addresses[0].addr_spec == "offers@glow.example"
    assert message["From"].addresses[0].display_name == "Glow <Aesthetics>"
    assert message["Reply-To"] == "frontdesk@glow.example"
    assert message["Subject"] == draft.subject
    assert message["X-Crosssell-Draft"] == draft.id
    assert message["Message-ID"] == f"<{sent.delivery['message_id']}@glow.example>"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith(draft.body.strip())
    assert "12 Elm Street, Austin, TX 78701" in text.removeprefix(draft.body.strip())
    assert "https://glow.example/book" in text
    assert sent.status == "sent" and sent.delivery["state"] == "delivered"
    assert sent.sent_via == f"smtp:{message['Message-ID']}"
    assert smtp.logins[-1] == ("frontdesk", "s3cret-pass")
    assert len(_presented(desk, draft)) == 1


def test_an_email_carries_its_footer_and_a_one_click_unsubscribe_that_closes_email(desk, smtp):
    review = desk.review
    draft = _approved(desk, "email")
    review.send(desk.users["coordinator"], draft.id)
    _, message = smtp.messages[-1]
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://glow.example/crm/v1/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f'href="{link}"' in html and "Glow &lt;Aesthetics&gt;" in html and "<Aesthetics>" not in html
    path = link.removeprefix("https://glow.example/crm")
    closed = lambda: "email" in opted_out(desk.practice.repository.history(draft.patient_id).events)  # noqa: E731
    with TestClient(create_app(review), raise_server_exceptions=False) as client:
        page = client.get(path)
        assert page.status_code == 200 and 'method="post"' in page.text
        assert not closed()  # a mail scanner opening the link changes nothing
        forged = client.post(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"))
        assert forged.status_code == 403 and not closed()
        assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
        assert closed()
        assert client.post(path).status_code == 200  # a second click: still closed, nothing new
    events = desk.practice.repository.history(draft.patient_id).events
    assert [e.text("channel") for e in events if e.kind == "opted_out"].count("email") == 1
    actions = [e.action for e in review.audit(desk.users["qa"], patient_id=draft.patient_id)]
    assert actions.count("unsubscribe") == 2
    assert "unsubscribe_refused" in [e.action for e in review.audit(desk.users["qa"])]
    assert opted_out(events) == {"email"}  # the patient's texts are theirs to close, not the link's


def test_email_over_smtp_is_refused_without_a_postal_address_or_a_public_address(tmp_path):
    from assistant.errors import ConfigurationError
    from assistant.sending import SmtpSender

    base = {"home": tmp_path, "smtp_host": "127.0.0.1", "public_url": "https://x.example"}
    with pytest.raises(ConfigurationError, match="CROSSSELL_PRACTICE_ADDRESS"):
        SmtpSender(Settings(**base))
    with pytest.raises(ConfigurationError, match="CROSSSELL_PUBLIC_URL"):
        SmtpSender(Settings(**base | {"practice_address": "1 Main St", "public_url": "http://x.example"}))


def test_an_unsubscribe_link_names_only_its_message_and_cannot_be_made_for_another(tmp_path):
    from assistant.sending import UnsubscribeLinks

    links = UnsubscribeLinks.of(Settings(home=tmp_path))
    token = links.token("msg-42")
    assert links.message_id(token) == "msg-42"
    assert "msg-42" not in token and links.message_id(links.token("msg-43")) == "msg-43"
    signature = token.partition(".")[2]
    other = UnsubscribeLinks.of(Settings(home=tmp_path / "elsewhere"))
    assert other.message_id(token) is None  # another practice's key
    assert links.message_id(f"{links.token('msg-43').partition('.')[0]}.{signature}") is None
    assert links.message_id("not a token") is None and links.message_id("") is None
    assert UnsubscribeLinks.of(Settings(home=tmp_path)).message_id(token) == "msg-42"  # the key is kept


def test_sms_goes_to_the_outbox_csv_with_the_stop_line(desk):
    draft = _approved(desk, "sms")
    sent = desk.review.send(desk.users["coordinator"], draft.id)
    with open(desk.practice.settings.outbox_dir / "sms.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    patient = desk.practice.repository.patient(draft.patient_id)
    assert rows[-1]["draft_id"] == draft.id and rows[-1]["to"] == patient.phone
    assert rows[-1]["body"] == draft.body and "STOP" in rows[-1]["body"]
    assert rows[-1]["message_id"] == sent.delivery["message_id"]


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_an_outbox_cell_a_spreadsheet_would_run_is_kept_as_text(tmp_path, text):
    outbox = SmsOutbox(Settings(home=tmp_path))
    message = Message("msg-1", "d-1", text, "sms", "+1 (555) 010-0003", text, text, at("2026-11-24"))
    outbox.send(message)
    outbox.send(message)  # the same message again is not written twice
    with open(outbox.path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    assert rows[0]["body"] == rows[0]["patient_id"] == "'" + text
    assert rows[0]["to"] == "+1 (555) 010-0003"  # a phone number is no formula: it stays as it is
    assert rows[0]["message_id"] == "msg-1" and rows[0]["draft_id"] == "d-1"


def _swap(review, channel: str, sender):
    working = review.senders[channel]
    review.senders[channel] = sender
    return working


def test_a_failed_delivery_is_retried_with_backoff_and_goes_once(desk, smtp):
    from assistant.sending import SmtpSender

    draft = _approved(desk, "email")
    review, clock = desk.review, desk.review.clock
    settings = review.practice.settings
    working = _swap(review, "email", SmtpSender(settings.model_copy(update={"smtp_port": _free_port()})))
    try:
        queued = review.send(desk.users["coordinator"], draft.id)
    finally:
        review.senders["email"] = working
    delivery = queued.delivery
    assert queued.status == "queued" and delivery["state"] == "queued" and delivery["attempts"] == 1
    patient = desk.practice.repository.patient(draft.patient_id)
    assert "was not sent" in delivery["error"] and patient.email not in delivery["error"]
    assert not _presented(desk, draft)
    with pytest.raises(Conflict, match="in the outbox"):
        review.send(desk.users["coordinator"], draft.id)

    before = len(smtp.messages)
    assert review.outbox.run_once() == 0  # not before its backoff
    clock.advance(seconds=61)
    assert review.outbox.run_once() == 1
    assert len(smtp.messages) == before + 1
    after = review.get(desk.users["coordinator"], draft.id)
    assert after.status == "sent" and after.delivery["state"] == "delivered"
    assert len(_presented(desk, draft)) == 1
    actions = [e.action for e in review.audit(desk.users["qa"], draft_id=draft.id)]
    assert actions.count("delivered") == 1 and actions.index("send") < actions.index("delivered")
    assert review.outbox.run_once() == 0
    with pytest.raises(Conflict, match="already gone to the patient"):
        review.send(desk.users["coordinator"], draft.id)


class Broken:
    """A channel that is down."""

    def __init__(self) -> None:
        self.tries = 0

    def send(self, message):
        self.tries += 1
        raise OSError("connection refused")


def test_a_message_that_fails_for_good_frees_the_patient_and_the_draft(desk):
    draft = _approved(desk, "sms")
    review, clock = desk.review, desk.review.clock
    broken = Broken()
    working = _swap(review, "sms", broken)
    try:
        review.send(desk.users["coordinator"], draft.id)
        for _ in range(3):
            clock.advance(seconds=300)
            review.outbox.run_once()
    finally:
        review.senders["sms"] = working
    assert broken.tries == 3
    failed = review.get(desk.users["coordinator"], draft.id)
    assert failed.status == "approved" and failed.delivery["state"] == "failed"
    assert "OSError" in failed.delivery["error"]
    assert "delivery_failed" in [e.action for e in review.audit(desk.users["qa"], draft_id=draft.id)]
    assert not _presented(desk, draft)
    again = review.send(desk.users["coordinator"], draft.id)  # the slot was released
    assert again.status == "sent" and again.delivery["state"] == "delivered"


class Crash(BaseException):
    """The worker's process dies mid-delivery (nothing after this line runs)."""


class Crashing:
    """A channel that takes the message, then the worker dies before it can record that."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.seen: list[str] = []

    def send(self, message):
        self.seen.append(message.id)
        self.inner.send(message)
        raise Crash


def test_a_crash_mid_delivery_is_resumed_under_the_same_message_id(desk):
    draft = _approved(desk, "sms")
    review, clock = desk.review, desk.review.clock
    working = review.senders["sms"]
    crashing = Crashing(working)
    review.senders["sms"] = crashing
    try:
        with pytest.raises(Crash):
            review.send(desk.users["coordinator"], draft.id)
    finally:
        review.senders["sms"] = working
    stuck = review.get(desk.users["coordinator"], draft.id)
    assert stuck.status == "queued" and stuck.delivery["state"] == "sending"
    with pytest.raises(Conflict, match="in the outbox"):
        review.send(desk.users["coordinator"], draft.id)
    assert review.outbox.run_once() == 0  # its lease has not run out
    clock.advance(seconds=review.practice.settings.delivery_lease_seconds + 1)
    assert review.outbox.run_once() == 1
    done = review.get(desk.users["coordinator"], draft.id)
    assert done.status == "sent" and done.delivery["message_id"] == crashing.seen[0]
    with open(desk.practice.settings.outbox_dir / "sms.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["draft_id"] == draft.id]
    assert len(rows) == 1  # delivered again under its id: one message, not two
    assert len(_presented(desk, draft)) == 1


class RefusingRecipients(Inbox):
    """A mail server that refuses the recipient, quoting the address back, as real ones do."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        return f"550 5.1.1 <{address.upper()}>: mailbox unavailable"


def test_a_refused_recipient_is_reported_with_the_reason_and_without_the_address(desk):
    from assistant.sending import SmtpSender

    controller = Controller(RefusingRecipients(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    draft = _approved(desk, "email")
    review = desk.review
    update = {"smtp_port": controller.port, "smtp_username": None}
    settings = review.practice.settings.model_copy(update=update)
    working = _swap(review, "email", SmtpSender(settings))
    try:
        queued = review.send(desk.users["coordinator"], draft.id)
    finally:
        review.senders["email"] = working
        controller.stop()
    error = queued.delivery["error"]
    assert "550 5.1.1" in error and "mailbox unavailable" in error
    retry = [e for e in review.audit(desk.users["qa"], draft_id=draft.id) if e.action == "delivery_retry"]
    patient = desk.practice.repository.patient(draft.patient_id)
    for said in (error, str(retry[-1].detail)):
        assert patient.email.lower() not in said.lower()


@pytest.fixture
def night_desk(tmp_path, matcher):
    """A practice of its own, whose clock can run through a night without moving the others'."""
    return build_desk(tmp_path, matcher, mail_from="offers@glow.example")


def _in_zone(desk, patient_id: str, zone: str) -> None:
    (record,) = [r for r in desk.practice.repository.patient_records() if r["id"] == patient_id]
    report = desk.practice.import_records([{**record, "time_zone": zone}])
    assert not report.rejected and desk.practice.repository.patient(patient_id).time_zone == zone


def test_a_message_sent_at_the_patients_night_waits_for_their_morning(night_desk):
    desk, clock = night_desk, night_desk.review.clock
    draft = _approved(desk, "email")
    _in_zone(desk, draft.patient_id, "Asia/Tokyo")  # 15:00 UTC is midnight there
    queued = desk.review.send(desk.users["coordinator"], draft.id)
    delivery = queued.delivery
    assert queued.status == "queued" and delivery["state"] == "queued" and delivery["attempts"] == 0
    assert delivery["next_attempt_at"].startswith("2026-11-24T23:00")  # 08:00 in Tokyo
    assert not list((desk.practice.settings.outbox_dir / "email").glob("*.eml"))
    actions = [e.action for e in desk.review.audit(desk.users["qa"], draft_id=draft.id)]
    assert "held_for_sending_hours" in actions
    clock.advance(hours=7, minutes=59)
    assert desk.review.outbox.run_once() == 0
    clock.advance(minutes=1)
    assert desk.review.outbox.run_once() == 1
    assert desk.review.get(desk.users["coordinator"], draft.id).status == "sent"


def test_past_the_practices_cap_on_messages_nothing_more_is_sent(night_desk):
    desk, review = night_desk, night_desk.review
    desk.practice.set_rule("cooldown_days", "0")
    desk.practice.set_rule("messages_per_30_days", "1")
    first = _approved(desk, "email")
    assert review.send(desk.users["coordinator"], first.id).status == "sent"
    review.clock.advance(days=1)
    second = review.create(desk.users["coordinator"], first.patient_id, review.clock.today(), "email")
    submitted = review.submit(desk.users["coordinator"], second.id)
    review.approve(desk.users["provider"], second.id, submitted.version)
    capped = "1 message in the last 30 days, the practice's most; the next after 2026-12-24"
    with pytest.raises(Conflict, match=capped):
        review.send(desk.users["coordinator"], second.id)
