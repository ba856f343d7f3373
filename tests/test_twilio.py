"""SMS through Twilio: the real `twilio` library against a Twilio-compatible fake on loopback,
and Twilio's webhooks signed with the library's own RequestValidator. No network."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.errors import ConfigurationError
from assistant.sending import Message, SendError, TwilioSender, senders
from assistant.settings import Settings
from tests.review_desk import build_desk
from tests.test_sending import _approved
from tests.twilio_fake import BAD_NUMBER, FakeTwilio

SID = "AC" + "0" * 32
TOKEN = "twilio-test-token"
SERVICE = "MG" + "1" * 32
PUBLIC = "https://glow.example/crm"


@pytest.fixture(scope="module")
def fake():
    server = FakeTwilio(SID, TOKEN).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def desk(tmp_path_factory, matcher, fake):
    return build_desk(
        tmp_path_factory.mktemp("twilio"),
        matcher,
        sms_sender="twilio",
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_messaging_service_sid=SERVICE,
        twilio_api_base=fake.base,
        public_url=PUBLIC + "/",
        delivery_attempts=3,
        delivery_backoff_seconds=60,
    )


def test_an_approved_sms_goes_through_twilio(desk, fake):
    draft = _approved(desk, "sms")
    sent = desk.review.send(desk.users["coordinator"], draft.id)
    form = fake.received[-1]
    patient = desk.practice.repository.patient(draft.patient_id)
    assert form["To"] == patient.phone and form["Body"] == draft.body
    assert form["MessagingServiceSid"] == SERVICE and "From" not in form
    assert form["StatusCallback"] == f"{PUBLIC}/v1/webhooks/twilio/status"
    assert sent.status == "sent" and sent.delivery["state"] == "delivered"
    assert sent.sent_via.startswith("twilio:SM")


def test_a_refusal_is_a_failed_try_retried_without_the_number(desk, fake):
    draft = _approved(desk, "sms")
    review = desk.review
    fake.refuse = 1
    queued = review.send(desk.users["coordinator"], draft.id)
    patient = desk.practice.repository.patient(draft.patient_id)
    error = queued.delivery["error"]
    assert queued.status == "queued" and queued.delivery["attempts"] == 1
    assert "21211" in error and "not a valid phone number" in error
    assert patient.phone not in error and patient.phone.lstrip("+") not in error
    review.clock.advance(seconds=61)
    assert review.outbox.run_once() == 1
    assert review.get(desk.users["coordinator"], draft.id).sent_via.startswith("twilio:SM")


def _settings(tmp_path, **values) -> Settings:
    base = {
        "twilio_account_sid": SID,
        "twilio_auth_token": TOKEN,
        "twilio_from": "+15005550006",
        "public_url": PUBLIC,
    }
    return Settings(home=tmp_path, sms_sender="twilio", **{**base, **values})


def test_a_from_number_is_used_without_a_messaging_service(tmp_path, fake):
    sender = TwilioSender(_settings(tmp_path, twilio_api_base=fake.base))
    message = Message("m-1", "d-1", "p-1", "sms", "+15550100003", "", "Hello", datetime.now(UTC))
    receipt = sender.send(message)
    assert receipt.via == "twilio" and receipt.reference.startswith("SM")
    assert fake.received[-1]["From"] == "+15005550006" and "MessagingServiceSid" not in fake.received[-1]
    with pytest.raises(SendError) as refused:
        sender.send(Message("m-2", "d-1", "p-1", "sms", BAD_NUMBER, "", "Hello", datetime.now(UTC)))
    assert "21211" in str(refused.value) and BAD_NUMBER not in str(refused.value)


def test_twilio_unreachable_is_a_send_error(tmp_path):
    sender = TwilioSender(_settings(tmp_path, twilio_api_base="http://127.0.0.1:9", twilio_timeout=2))
    with pytest.raises(SendError, match="unreachable"):
        sender.send(Message("m-1", "d-1", "p-1", "sms", "+15550100003", "", "Hello", datetime.now(UTC)))


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        ({"twilio_account_sid": None}, "CROSSSELL_TWILIO_ACCOUNT_SID"),
        ({"twilio_auth_token": None}, "CROSSSELL_TWILIO_AUTH_TOKEN"),
        ({"twilio_from": None}, "CROSSSELL_TWILIO_MESSAGING_SERVICE_SID"),
        ({"public_url": ""}, "CROSSSELL_PUBLIC_URL"),
    ],
)
def test_missing_settings_name_the_variable(tmp_path, unset, named):
    with pytest.raises(ConfigurationError, match=named):
        senders(_settings(tmp_path, **unset))


def test_the_outbox_stays_the_default(tmp_path):
    from assistant.sending import SmsOutbox

    assert isinstance(senders(Settings(home=tmp_path))["sms"], SmsOutbox)
