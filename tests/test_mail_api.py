"""Email through a Postmark-style HTTP API: the real `httpx` client against a loopback fake that
keeps what it received, so the tests see the provider's view of each message. The API path
carries exactly what the SMTP path would: both are built by the same `compose()`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from assistant.errors import ConfigurationError
from assistant.sending import (
    EmailOutbox,
    Letterhead,
    MailApiSender,
    Message,
    SendError,
    UnsubscribeLinks,
    _email,
    senders,
)
from assistant.settings import Settings
from tests.mail_api_fake import FakeMailApi
from tests.review_desk import build_desk
from tests.test_sending import _approved, _presented

TOKEN = "pm-server-token-0123456789"
PUBLIC = "https://glow.example/crm"
TO = "jamie.patient@example.com"
EMAIL = {
    "mail_from": "offers@glow.example",
    "mail_reply_to": "frontdesk@glow.example",
    "practice_name": "Glow Aesthetics",
    "practice_address": "12 Elm Street, Austin, TX 78701",
    "public_url": PUBLIC,
    "booking_url": "https://glow.example/book",
}


@pytest.fixture(scope="module")
def fake():
    server = FakeMailApi(TOKEN).start()
    yield server
    server.stop()


@pytest.fixture()
def api(fake):
    fake.reset()
    return fake


def _settings(tmp_path, fake: FakeMailApi, **values) -> Settings:
    base = {
        "email_sender": "postmark",
        "mail_api_url": fake.base + "/",
        "mail_api_token": TOKEN,
        "mail_api_backoff_seconds": 0,
        **EMAIL,
    }
    return Settings(home=tmp_path, **{**base, **values})


def _message(message_id: str = "msg-0001", to: str = TO) -> Message:
    body = "Hi Jamie,\n\nYour skin is ready for a peel.\n\nReply STOP to opt out."
    return Message(
        message_id, "d-1", "p-1", "email", to, "A peel for you", body, datetime(2026, 12, 3, tzinfo=UTC)
    )


def test_the_api_carries_what_smtp_would(tmp_path, api):
    settings = _settings(tmp_path, api)
    sender = senders(settings)["email"]
    assert isinstance(sender, MailApiSender)
    receipt = sender.send(_message())
    assert receipt.via == "postmark" and receipt.reference
    [got] = api.received
    assert got.path == "/email" and got.headers["X-Postmark-Server-Token"] == TOKEN
    body = got.body
    smtp = _email(_message(), Letterhead.of(settings), UnsubscribeLinks.of(settings))
    assert body["From"] == smtp["From"] and body["To"] == smtp["To"] == TO
    assert body["ReplyTo"] == smtp["Reply-To"] and body["Subject"] == smtp["Subject"]
    assert body["TextBody"] == smtp.get_body(("plain",)).get_content()
    assert body["HtmlBody"] == smtp.get_body(("html",)).get_content()
    headers = {h["Name"]: h["Value"] for h in body["Headers"]}
    for name in ("Message-ID", "X-Crosssell-Draft", "List-Unsubscribe", "List-Unsubscribe-Post"):
        assert headers[name] == smtp[name], name
    assert headers["List-Unsubscribe"].startswith(f"<{PUBLIC}/v1/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "12 Elm Street" in body["TextBody"] and "Unsubscribe" in body["HtmlBody"]
    assert body["MessageStream"] == "broadcast"


def test_an_inactive_recipient_is_a_clear_failure_not_retried(tmp_path, api):
    api.inactive.add(TO)
    with pytest.raises(SendError) as refused:
        MailApiSender(_settings(tmp_path, api)).send(_message())
    error = refused.value
    assert error.permanent and "422" in str(error) and "406" in str(error) and "inactive" in str(error)
    assert TO not in str(error)
    assert len(api.received) == 1


def test_the_providers_trouble_is_tried_again_a_bounded_number_of_times(tmp_path, api):
    sender = MailApiSender(_settings(tmp_path, api, mail_api_attempts=3))
    api.failures.extend([503, 500])
    assert sender.send(_message()).via == "postmark"
    assert len(api.received) == 3
    api.received.clear()
    api.failures.extend([503] * 5)
    with pytest.raises(SendError) as failed:
        sender.send(_message())
    assert not failed.value.permanent and "503" in str(failed.value) and "3 tries" in str(failed.value)
    assert len(api.received) == 3
    assert {r.body["Headers"][0]["Value"] for r in api.received} == {"<msg-0001@glow.example>"}


def test_a_timeout_is_tried_again_then_fails(tmp_path, api):
    api.delay = 1.0
    sender = MailApiSender(_settings(tmp_path, api, mail_api_attempts=2, mail_api_timeout=0.2))
    with pytest.raises(SendError, match="unreachable") as failed:
        sender.send(_message())
    assert not failed.value.permanent and len(api.received) == 2


def test_the_token_is_never_logged_nor_in_an_error(tmp_path, api, caplog):
    wrong = _settings(tmp_path, api, mail_api_token="not-the-token-987")
    with caplog.at_level(logging.DEBUG):
        MailApiSender(_settings(tmp_path, api)).send(_message())
        with pytest.raises(SendError) as refused:
            MailApiSender(wrong).send(_message())
    assert "401" in str(refused.value) and refused.value.permanent
    for secret in (TOKEN, "not-the-token-987"):
        assert secret not in caplog.text and secret not in str(refused.value)


def test_settings_choose_the_sender(tmp_path, api):
    with pytest.raises(ConfigurationError, match="CROSSSELL_MAIL_API_TOKEN"):
        senders(_settings(tmp_path, api, mail_api_token=None))
    with pytest.raises(ConfigurationError, match="CROSSSELL_PRACTICE_ADDRESS"):
        senders(_settings(tmp_path, api, practice_address=""))
    assert isinstance(senders(Settings(home=tmp_path))["email"], EmailOutbox)  # the offline default


@pytest.fixture(scope="module")
def desk(tmp_path_factory, matcher, fake):
    return build_desk(
        tmp_path_factory.mktemp("mail-api"),
        matcher,
        email_sender="postmark",
        mail_api_url=fake.base,
        mail_api_token=TOKEN,
        mail_api_backoff_seconds=0,
        delivery_attempts=3,
        **EMAIL,
    )


def test_an_approved_email_goes_through_the_api(desk, api):
    draft = _approved(desk, "email")
    sent = desk.review.send(desk.users["coordinator"], draft.id)
    patient = desk.practice.repository.patient(draft.patient_id)
    assert sent.status == "sent" and sent.sent_via.startswith("postmark:")
    assert api.received[-1].body["To"] == patient.email
    assert api.received[-1].body["TextBody"].startswith(draft.body.strip())
    assert len(_presented(desk, draft)) == 1


def test_a_refused_email_reopens_its_draft_at_once_and_presents_nothing(desk, api):
    draft = _approved(desk, "email")
    api.inactive.add(desk.practice.repository.patient(draft.patient_id).email)
    failed = desk.review.send(desk.users["coordinator"], draft.id)
    assert failed.status == "approved" and failed.delivery["state"] == "failed"
    assert failed.delivery["attempts"] == 1 and "inactive" in failed.delivery["error"]
    assert not _presented(desk, draft)
    actions = [e.action for e in desk.review.repository.audit(draft_id=draft.id)]
    assert "delivery_failed" in actions and "delivery_retry" not in actions
