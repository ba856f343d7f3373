"""SMS through Twilio: the real `twilio` library against a Twilio-compatible fake on loopback,
and Twilio's webhooks signed with the library's own RequestValidator. No network."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from assistant.api import create_app
from assistant.domain.consent import opted_out
from assistant.errors import ConfigurationError, Conflict
from assistant.exports.people import normal_phone
from assistant.sending import Message, SendError, TwilioSender, senders
from assistant.settings import Settings
from tests.review_desk import build_desk
from tests.test_sending import _approved, _presented
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


def test_an_approved_sms_goes_through_twilio(desk, fake, caplog):
    draft = _approved(desk, "sms")
    with caplog.at_level(logging.DEBUG):
        sent = desk.review.send(desk.users["coordinator"], draft.id)
    form = fake.received[-1]
    patient = desk.practice.repository.patient(draft.patient_id)
    assert form["To"] == patient.phone and form["Body"] == draft.body
    assert form["MessagingServiceSid"] == SERVICE and "From" not in form
    assert form["StatusCallback"] == f"{PUBLIC}/v1/webhooks/twilio/status"
    assert sent.status == "sent" and sent.delivery["state"] == "delivered"
    assert sent.sent_via.startswith("twilio:SM")
    logged = caplog.text
    assert patient.phone not in logged and draft.body not in logged and TOKEN not in logged


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


def _post(client, path: str, form: dict[str, str], token: str = TOKEN, signature: str | None = None):
    """A webhook call as Twilio makes it, signed with the library's own RequestValidator."""
    if signature is None:
        signature = RequestValidator(token).compute_signature(PUBLIC + path, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def _actions(desk, action: str) -> list:
    return [e for e in desk.review.repository.audit() if e.action == action]


@pytest.fixture()
def client(desk):
    with TestClient(create_app(desk.review), raise_server_exceptions=False) as api:
        yield api


STATUS = "/v1/webhooks/twilio/status"
INBOUND = "/v1/webhooks/twilio/sms"


def test_the_status_callback_keeps_the_carrier_state(desk, client):
    draft = _approved(desk, "sms")
    sent = desk.review.send(desk.users["coordinator"], draft.id)
    sid = sent.sent_via.removeprefix("twilio:")
    assert _post(client, STATUS, {"MessageSid": sid, "MessageStatus": "sent"}).status_code == 204
    assert desk.review.get(desk.users["coordinator"], draft.id).delivery["carrier"] == "sent"
    assert _post(client, STATUS, {"MessageSid": sid, "MessageStatus": "delivered"}).status_code == 204
    late = _post(client, STATUS, {"MessageSid": sid, "MessageStatus": "sent"})  # out of order
    assert late.status_code == 204
    assert desk.review.get(desk.users["coordinator"], draft.id).delivery["carrier"] == "delivered"
    other = desk.review.send(desk.users["coordinator"], _approved(desk, "sms").id)
    other_sid = other.sent_via.removeprefix("twilio:")
    form = {"MessageSid": other_sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert _post(client, STATUS, form).status_code == 204
    delivery = desk.review.get(desk.users["coordinator"], other.id).delivery
    assert delivery["carrier"] == "undelivered" and "30003" in delivery["error"]
    audited = [e for e in _actions(desk, "carrier_undelivered") if e.draft_id == other.id]
    assert len(audited) == 1 and audited[0].actor == "anonymous"
    bad = _post(client, STATUS, {"MessageSid": sid, "MessageStatus": "exploded"})
    assert bad.status_code == 422
    assert _post(client, STATUS, {"MessageStatus": "sent"}).status_code == 422
    unknown = _post(client, STATUS, {"MessageSid": "SMnothing", "MessageStatus": "sent"})
    assert unknown.status_code == 204


@pytest.mark.parametrize(
    "signature",
    ["", "bm90IGEgc2lnbmF0dXJl", RequestValidator("another-token").compute_signature(PUBLIC + STATUS, {})],
)
def test_a_call_without_twilios_signature_is_refused_and_audited(desk, client, signature):
    before = len(_actions(desk, "twilio_signature_refused"))
    for path in (STATUS, INBOUND):
        form = {"MessageSid": "SMx", "MessageStatus": "failed", "From": "+15550100003", "Body": "STOP"}
        answer = _post(client, path, form, signature=signature)
        assert answer.status_code == 403
    refused = _actions(desk, "twilio_signature_refused")
    assert len(refused) == before + 2 and refused[-1].actor == "anonymous"


def test_a_signature_for_another_address_is_refused(desk, client):
    form = {"MessageSid": "SMx", "MessageStatus": "sent"}
    signed = RequestValidator(TOKEN).compute_signature("http://testserver" + STATUS, form)
    assert _post(client, STATUS, form, signature=signed).status_code == 403


def _patient_with_phone(desk, index: int = 0):
    phones = sorted(desk.review.repository.phones())
    pid, phone = phones[index]
    return pid, normal_phone(phone, desk.practice.settings.country)


def test_stop_by_sms_closes_the_patients_sms(desk, client):
    pid, phone = _patient_with_phone(desk)
    answer = _post(client, INBOUND, {"From": phone, "Body": "stop", "MessageSid": "SMin1"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/xml")
    assert "<Response/>" in answer.text
    assert "sms" in opted_out(desk.review.repository.history(pid).events)
    desk.review.clock.advance(seconds=60)  # two replies at one instant come back in either order
    assert _post(client, INBOUND, {"From": phone, "Body": "start", "MessageSid": "SMin2"}).status_code == 200
    assert "sms" not in opted_out(desk.review.repository.history(pid).events)


def test_twilios_opt_out_type_wins_over_the_words(desk, client):
    pid, phone = _patient_with_phone(desk, 1)
    form = {"From": phone, "Body": "Basta", "OptOutType": "STOP", "MessageSid": "SMin3"}
    assert _post(client, INBOUND, form).status_code == 200
    assert "sms" in opted_out(desk.review.repository.history(pid).events)
    desk.review.clock.advance(seconds=60)
    form = {"From": phone, "Body": "Unstop thanks", "OptOutType": "START", "MessageSid": "SMin4"}
    assert _post(client, INBOUND, form).status_code == 200
    assert "sms" not in opted_out(desk.review.repository.history(pid).events)


def test_any_other_text_is_kept_on_the_patients_timeline(desk, client):
    pid, phone = _patient_with_phone(desk, 2)
    text = "What time do you open on Saturday?"
    assert _post(client, INBOUND, {"From": phone, "Body": text, "MessageSid": "SMin5"}).status_code == 200
    events = desk.review.repository.history(pid).events
    assert any(e.kind == "feedback" and text in str(e) for e in events)
    replies = [e for e in _actions(desk, "reply") if e.patient_id == pid]
    assert replies and replies[-1].actor == "anonymous" and text not in str(replies[-1].detail)


def test_a_text_from_an_unknown_number_records_nothing(desk, client):
    before = len(desk.review.repository.audit())
    form = {"From": "+15005550199", "Body": "STOP", "MessageSid": "SMin6"}
    answer = _post(client, INBOUND, form)
    assert answer.status_code == 200 and "<Response/>" in answer.text
    unknown = _actions(desk, "sms_from_unknown")
    assert unknown and "+15005550199" not in str(unknown[-1].detail)
    assert [e.action for e in desk.review.repository.audit()[before:]] == ["sms_from_unknown"]
    assert _post(client, INBOUND, {"Body": "hi"}).status_code == 422


def test_a_field_too_long_is_a_422_not_a_500(desk, client):
    pid, phone = _patient_with_phone(desk, 3)
    answer = _post(client, INBOUND, {"From": phone, "Body": "x" * 5000, "MessageSid": "SMin7"})
    assert answer.status_code == 422 and "x" * 100 not in answer.text


def test_a_number_two_patients_share_however_written_records_nothing(desk, client):
    """One patient's phone stored in E.164, another's as the practice wrote it: the same number,
    so a reply from it is nobody's until a person sorts the record out."""
    lines = [
        {"type": "patient", "id": f"twin{i}", "first_name": "Sam", "last_name": "Lee", "phone": phone}
        for i, phone in enumerate(("+15005550142", "(500) 555-0142"))
    ]
    assert not desk.practice.import_records(lines).rejected
    before = len(_actions(desk, "sms_from_unknown"))
    form = {"From": "+15005550142", "Body": "STOP", "MessageSid": "SMtwin"}
    assert _post(client, INBOUND, form).status_code == 200
    unknown = _actions(desk, "sms_from_unknown")
    assert len(unknown) == before + 1 and json.loads(unknown[-1].detail)["matches"] == 2
    for pid in ("twin0", "twin1"):
        assert "sms" not in opted_out(desk.review.repository.history(pid).events)


def _sent_sms(desk):
    draft = _approved(desk, "sms")
    sent = desk.review.send(desk.users["coordinator"], draft.id)
    assert sent.status == "sent"
    return sent, sent.sent_via.removeprefix("twilio:")


def _trail(desk, draft_id: str) -> list[str]:
    return [e.action for e in desk.review.repository.audit(draft_id=draft_id)]


def test_an_undelivered_sms_reopens_its_draft_and_withdraws_the_offer(desk, client):
    """The carrier could not reach the phone: the patient saw nothing, so the draft is not
    left looking sent, the offer is not counted as presented, and the coordinator can send it
    again under the approval it had."""
    sent, sid = _sent_sms(desk)
    assert len(_presented(desk, sent)) == 1
    form = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert _post(client, STATUS, form).status_code == 204
    coordinator = desk.users["coordinator"]
    failed = desk.review.get(coordinator, sent.id)
    assert failed.status == "approved" and failed.sent_via is None
    assert failed.delivery["state"] == "failed" and "unreachable" in failed.delivery["error"]
    assert "30003" in failed.delivery["error"] and failed.delivery["said"].startswith("Not sent by SMS")
    assert not _presented(desk, sent)
    trail = _trail(desk, sent.id)
    assert {"carrier_undelivered", "offer_withdrawn", "delivery_failed"} <= set(trail)
    assert _post(client, STATUS, {**form, "MessageStatus": "failed"}).status_code == 204  # again
    assert _trail(desk, sent.id).count("offer_withdrawn") == 1
    assert desk.review.get(coordinator, sent.id).version == failed.version
    desk.review.clock.advance(seconds=60)
    again = desk.review.send(coordinator, sent.id, failed.version)  # the slot was released too
    assert again.status == "sent" and again.delivery["message_id"] != failed.delivery["message_id"]
    assert len(_presented(desk, sent)) == 1


@pytest.mark.parametrize(("code", "words"), [("30005", "unknown"), ("30006", "landline"), ("30099", None)])
def test_a_failed_sms_says_why_in_words(desk, client, code, words):
    sent, sid = _sent_sms(desk)
    form = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": code}
    assert _post(client, STATUS, form).status_code == 204
    error = desk.review.get(desk.users["coordinator"], sent.id).delivery["error"]
    assert f"Twilio error {code}" in error and "failed" in error
    assert words is None or words in error


def test_a_carrier_opt_out_closes_the_patients_sms(desk, client):
    """21610: the patient texted STOP to the carrier. The consent ledger records it as the
    carrier told us, and a resend is refused at send time."""
    sent, sid = _sent_sms(desk)
    form = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "21610"}
    assert _post(client, STATUS, form).status_code == 204
    history = desk.review.repository.history(sent.patient_id)
    assert "sms" in opted_out(history.events)
    stop = [e for e in history.events if e.kind == "opted_out"][-1]
    assert "21610" in str(stop.data.get("source"))
    failed = desk.review.get(desk.users["coordinator"], sent.id)
    assert failed.status == "approved" and "opted out" in failed.delivery["error"]
    assert "carrier_opt_out" in _trail(desk, sent.id)
    with pytest.raises(Conflict, match="opted out|consent"):
        desk.review.send(desk.users["coordinator"], sent.id)


def test_a_refusal_for_an_opted_out_number_is_final_and_recorded(desk, fake):
    """Twilio refuses the message itself with 21610: trying again cannot help, so the message
    fails at once (no retries) and the carrier's opt-out is in the ledger."""
    draft = _approved(desk, "sms")
    fake.refuse, fake.refuse_code = 1, 21610
    try:
        failed = desk.review.send(desk.users["coordinator"], draft.id)
    finally:
        fake.refuse_code = 21211
    assert failed.status == "approved" and failed.delivery["state"] == "failed"
    assert failed.delivery["attempts"] == 1 and "21610" in failed.delivery["error"]
    assert "sms" in opted_out(desk.review.repository.history(draft.patient_id).events)
    assert not _presented(desk, draft)


def test_a_failure_after_the_outcome_keeps_the_coordinators_word(desk, client):
    sent, sid = _sent_sms(desk)
    coordinator = desk.users["coordinator"]
    accepted = desk.review.outcome(coordinator, sent.id, True)
    form = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "30003"}
    assert _post(client, STATUS, form).status_code == 204
    after = desk.review.get(coordinator, sent.id)
    assert after.status == "accepted" and after.version == accepted.version
    assert after.delivery["state"] == "failed" and "unreachable" in after.delivery["error"]
    assert len(_presented(desk, sent)) == 1
    assert "offer_withdrawn" not in _trail(desk, sent.id)
