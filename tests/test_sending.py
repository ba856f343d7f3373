"""Sending through a real SMTP server on loopback (aiosmtpd), the SMS outbox, and failures."""

from __future__ import annotations

import csv
import socket
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from assistant.errors import Conflict, NotEligible
from assistant.sending import SendError
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
    review.submit(u["coordinator"], draft.id)
    return review.approve(u["provider"], draft.id)


def test_an_approved_email_arrives_over_smtp(desk, smtp):
    draft = _approved(desk, "email")
    sent = desk.review.send(desk.users["coordinator"], draft.id)
    recipients, message = smtp.messages[-1]
    patient = desk.practice.repository.patient(draft.patient_id)
    assert recipients == [patient.email]
    assert message["From"] == "offers@glow.example"
    assert message["Subject"] == draft.subject
    assert message["X-Crosssell-Draft"] == draft.id
    assert message.get_content().replace("\r\n", "\n").strip() == draft.body.strip()
    assert sent.sent_via == f"smtp:{message['Message-ID']}"
    assert smtp.logins[-1] == ("frontdesk", "s3cret-pass")


def test_sms_goes_to_the_outbox_csv_with_the_stop_line(desk):
    draft = _approved(desk, "sms")
    desk.review.send(desk.users["coordinator"], draft.id)
    with open(desk.practice.settings.outbox_dir / "sms.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    patient = desk.practice.repository.patient(draft.patient_id)
    assert rows[-1]["draft_id"] == draft.id and rows[-1]["to"] == patient.phone
    assert rows[-1]["body"] == draft.body and "STOP" in rows[-1]["body"]


def test_a_failed_send_leaves_the_draft_approved_and_records_nothing(desk, smtp):
    draft = _approved(desk, "email")
    review = desk.review
    settings = review.practice.settings
    working = review.senders["email"]
    from assistant.sending import SmtpSender

    review.senders["email"] = SmtpSender(settings.model_copy(update={"smtp_port": _free_port()}))
    try:
        with pytest.raises(SendError, match="was not sent"):
            review.send(desk.users["coordinator"], draft.id)
    finally:
        review.senders["email"] = working
    after = review.get(desk.users["coordinator"], draft.id)
    assert after.status == "approved" and after.sent_at is None
    history = desk.practice.repository.history(draft.patient_id, 2**40)
    assert not [o for o in history.offers if o.at.date() > AS_OF]
    assert "send_failed" in [e.action for e in review.audit(desk.users["qa"], draft_id=draft.id)]
    sent = review.send(desk.users["coordinator"], draft.id)  # the retry goes through
    assert sent.status == "sent"
    with pytest.raises(Conflict, match="already gone to the patient"):
        review.send(desk.users["coordinator"], draft.id)


def test_an_outbox_that_cannot_be_written_leaves_the_draft_approved(desk, tmp_path):
    from assistant.sending import SmsOutbox

    draft = _approved(desk, "sms")
    review = desk.review
    working = review.senders["sms"]
    blocked = SmsOutbox(review.practice.settings)
    blocked.path = tmp_path / "not-a-folder"
    blocked.path.write_text("")
    blocked.path = blocked.path / "sms.csv"  # a file where a folder should be
    review.senders["sms"] = blocked
    try:
        with pytest.raises(SendError, match="was not sent"):
            review.send(desk.users["coordinator"], draft.id)
    finally:
        review.senders["sms"] = working
    assert review.get(desk.users["coordinator"], draft.id).status == "approved"
