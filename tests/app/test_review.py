"""The review lifecycle through the service layer: roles, transitions, versions, consent at
send time, the offer_presented event, and the audit trail."""

from __future__ import annotations

import pytest

from assistant.domain.review import Status
from assistant.errors import Conflict, Forbidden, InputError
from tests.review_desk import AS_OF, build_desk, overwrite_draft


@pytest.fixture(scope="module")
def desk(tmp_path_factory, matcher):
    return build_desk(tmp_path_factory.mktemp("review"), matcher)


def _fresh(desk, index: int = 0, channel: str | None = None):
    patient = desk.ready(channel)[index]
    return desk.review.create(desk.users["coordinator"], patient, AS_OF, channel)


def test_a_full_lifecycle_is_audited_with_who_and_what_changed(desk):
    review, u = desk.review, desk.users
    draft = _fresh(desk, 0)
    review.get(u["coordinator"], draft.id)
    edited = review.edit(u["coordinator"], draft.id, draft.version, None, draft.body + "\n\nWarmly, the team")
    assert edited.status == Status.EDITED and edited.version == draft.version + 1
    submitted = review.submit(u["coordinator"], draft.id, edited.version)
    review.approve(u["provider"], draft.id, submitted.version, comment="Fine to send")
    sent = review.send(u["coordinator"], draft.id)
    assert sent.status == Status.SENT and sent.sent_via.startswith("outbox:")
    assert sent.delivery["state"] == "delivered" and sent.delivery["attempts"] == 0
    done = review.outcome(u["coordinator"], draft.id, accepted=True)
    assert done.status == Status.ACCEPTED

    trail = review.audit(u["qa"], draft_id=draft.id)
    assert [e.action for e in trail] == [
        "create",
        "view",
        "edit",
        "submit",
        "approve",
        "send",
        "delivered",
        "outcome",
    ]
    assert [e.actor for e in trail][2:5] == ["coordinator1", "coordinator1", "provider1"]
    edit = trail[2].detail
    assert edit["before"]["body"] == draft.body
    assert edit["after"]["body"].endswith("Warmly, the team")
    assert (edit["from"], edit["to"]) == ("drafted", "edited")
    assert trail[4].detail["comment"] == "Fine to send"

    history = desk.practice.repository.history(draft.patient_id, 2**40)
    presented = [o for o in history.offers if o.service_id == draft.offer]
    assert presented and presented[-1].moment.value == draft.moment
    assert any(o.service_id == draft.offer and o.accepted for o in history.outcomes)


def test_only_providers_approve_and_reject(desk):
    review, u = desk.review, desk.users
    draft = review.submit(desk.users["coordinator"], _fresh(desk, 1).id)
    for role in ("coordinator", "qa", "admin"):
        with pytest.raises(Forbidden, match="only a provider may approve"):
            review.approve(u[role], draft.id, draft.version)
        with pytest.raises(Forbidden):
            review.reject(u[role], draft.id, "no", draft.version)
    with pytest.raises(InputError, match="needs a comment"):
        review.reject(u["provider"], draft.id, "  ", draft.version)
    rejected = review.reject(u["provider"], draft.id, "Too long; mention the membership price", draft.version)
    assert rejected.status == Status.REJECTED
    assert rejected.notes[-1].comment.startswith("Too long")
    with pytest.raises(Conflict, match="edit or regenerate it first"):
        review.submit(u["coordinator"], draft.id)


def test_an_unapproved_draft_is_never_sent(desk):
    review, u = desk.review, desk.users
    draft = _fresh(desk, 2)
    with pytest.raises(Conflict, match="a provider must approve it first"):
        review.send(u["coordinator"], draft.id)
    review.submit(u["coordinator"], draft.id)
    with pytest.raises(Conflict, match="a provider must approve it first"):
        review.send(u["coordinator"], draft.id)
    assert not any(e.action == "delivered" for e in review.audit(u["qa"], draft_id=draft.id))


def test_an_edit_after_approval_needs_approval_again(desk):
    review, u = desk.review, desk.users
    draft = review.submit(u["coordinator"], _fresh(desk, 3).id)
    approved = review.approve(u["provider"], draft.id, draft.version)
    changed = review.edit(
        u["coordinator"],
        draft.id,
        approved.version,
        None,
        approved.body.replace("\n\n", "\n\nJust a note: ", 1),
    )
    assert changed.status == Status.PENDING_APPROVAL and changed.approved_by is None
    with pytest.raises(Conflict, match="approve it first"):
        review.send(u["coordinator"], draft.id)


def test_a_stale_edit_is_refused_and_nothing_is_overwritten(desk):
    review, u = desk.review, desk.users
    draft = _fresh(desk, 4)
    first = review.edit(u["coordinator"], draft.id, draft.version, None, draft.body + " First.")
    with pytest.raises(Conflict, match=r"you have version 1, it is now version 2"):
        review.edit(u["provider"], draft.id, draft.version, None, draft.body + " Second.")
    assert review.get(u["coordinator"], draft.id).body == first.body


def test_edits_are_checked_by_the_guards_and_unsafe_text_cannot_be_submitted(desk):
    review, u = desk.review, desk.users
    draft = _fresh(desk, 5)
    pushy = draft.body + " Act now! Only 2 spots left, book today or lose your results."
    found = {g.name: g for g in review.check(u["coordinator"], draft.id, draft.subject, pushy)}
    assert not found["tone"].passed
    assert review.get(u["coordinator"], draft.id).body == draft.body  # a check saves nothing
    leaked = review.edit(
        u["coordinator"],
        draft.id,
        draft.version,
        None,
        draft.body + " Email me at someone@example.com, or 555-010-9999.",
    )
    assert not {g.name: g for g in leaked.guards}["privacy"].passed
    with pytest.raises(Conflict, match="cannot submit: privacy failed"):
        review.submit(u["coordinator"], draft.id)


def test_a_draft_stored_before_guards_said_whether_they_block_still_cannot_be_submitted(desk):
    review, u = desk.review, desk.users
    draft = _fresh(desk, 7)
    leaked = review.edit(
        u["coordinator"], draft.id, draft.version, None, draft.body + " Email me at someone@example.com."
    )
    for result in leaked.guards:
        result.blocks = False
    overwrite_draft(review, leaked)
    with pytest.raises(Conflict, match="cannot submit: privacy failed"):
        review.submit(u["coordinator"], draft.id)


def test_consent_and_opt_out_are_checked_again_at_send_time(desk):
    review, u = desk.review, desk.users
    draft = _fresh(desk, 0, channel="sms") if desk.ready("sms") else _fresh(desk, 6)
    draft = review.submit(u["coordinator"], draft.id)
    review.approve(u["provider"], draft.id, draft.version)
    assert review.reply(u["coordinator"], draft.patient_id, draft.channel, "STOP") == "opted_out"
    with pytest.raises(Conflict, match=f"not sent to {draft.patient_id}: opted out"):
        review.send(u["coordinator"], draft.id)
    assert review.get(u["coordinator"], draft.id).status == Status.APPROVED
    assert review.audit(u["qa"], draft_id=draft.id)[-2].action == "send_refused"


def test_a_second_draft_for_the_same_patient_returns_the_open_one(desk):
    review, u = desk.review, desk.users
    patient = desk.ready()[7]
    first, second = (review.create(u["coordinator"], patient, AS_OF) for _ in range(2))
    assert second.id == first.id
    assert len(review.drafts(u["qa"], patient_id=patient)) == 1


def test_the_audit_log_cannot_be_rewritten(desk):
    from sqlalchemy import text

    engine = desk.practice.repository.engine
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit SET actor = 'someone else'"))
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit"))


def test_a_reply_that_is_not_stop_is_kept_as_feedback(desk):
    review, u = desk.review, desk.users
    patient = desk.ready()[0]
    assert review.reply(u["coordinator"], patient, "email", "Thanks, see you soon") == "feedback"
    history = desk.practice.repository.history(patient, 2**40)
    assert list(history.of_kind("feedback"))[-1].text("comment") == "Thanks, see you soon"


def test_no_thanks_answers_the_latest_unanswered_offer_and_is_kept_as_feedback(tmp_path, matcher):
    desk = build_desk(tmp_path, matcher)
    review, u = desk.review, desk.users
    patient = desk.ready()[0]
    assert review.reply(u["coordinator"], patient, "sms", "No thanks") == "feedback"  # nothing offered yet
    service = desk.practice.evaluate(patient, AS_OF)[1].service.id
    desk.practice.record(patient, service, "presented", moment="rebooking_renewal", channel="sms")
    assert review.reply(u["coordinator"], patient, "sms", "Not interested, thanks") == "declined"
    history = desk.practice.repository.history(patient, 2**40)
    assert [(o.service_id, o.accepted) for o in history.outcomes][-1] == (service, False)
    assert "Not interested, thanks" in [e.text("comment") for e in history.of_kind("feedback")]
    assert review.reply(u["coordinator"], patient, "sms", "no thank you") == "feedback"  # already answered


def test_a_stop_this_evening_holds_in_a_practice_west_of_utc(tmp_path, matcher):
    """At 5 pm in Los Angeles it is already tomorrow in UTC, where events are dated: the STOP
    must still stop the send (and the delivery) that follows it."""
    desk = build_desk(tmp_path, matcher, time_zone="America/Los_Angeles")
    review, u, clock = desk.review, desk.users, desk.review.clock
    draft = review.submit(u["coordinator"], _fresh(desk, 0).id)
    draft = review.approve(u["provider"], draft.id, draft.version)
    clock.advance(hours=10)
    assert clock.now().date() > clock.today()  # evening here, tomorrow in UTC
    review.reply(u["coordinator"], draft.patient_id, draft.channel, "STOP")
    with pytest.raises(Conflict, match="opted out"):
        review.send(u["coordinator"], draft.id)
    assert review.repository.messages(draft_id=draft.id) == []


def test_an_sms_edited_to_give_a_weight_is_refused_at_submit_and_at_send(desk):
    """A lock screen never shows a weight, whoever typed it: the coordinator's edit is held at
    submit, and a text that reached the store approved anyway is held at send."""
    review, u = desk.review, desk.users
    draft = review.create(u["coordinator"], desk.ready()[-1], AS_OF, "sms")
    assert draft.channel == "sms" and draft.passed
    weighed = draft.body.replace("Reply STOP", "You're down 21 lb! Reply STOP")
    edited = review.edit(u["coordinator"], draft.id, draft.version, None, weighed)
    assert edited.status == Status.NEEDS_ATTENTION
    refused = r"cannot submit: discretion failed \(the SMS gives a weight: '21 lb'\)"
    with pytest.raises(Conflict, match=refused):
        review.submit(u["coordinator"], draft.id)

    clean = review.edit(u["coordinator"], draft.id, edited.version, None, draft.body)
    approved = review.approve(u["provider"], draft.id, review.submit(u["coordinator"], clean.id).version)
    approved.body = weighed
    overwrite_draft(review, approved)
    with pytest.raises(Conflict, match="cannot send: discretion failed"):
        review.send(u["coordinator"], draft.id)
    assert not desk.practice.repository.messages(draft_id=draft.id)


def test_reading_patient_data_is_audited_with_who_read_it_and_whose_it_was(desk):
    """The queue, a list of drafts, a patient's history beside a draft and the audit log itself:
    each reading is an entry naming the reader and the patients they were shown."""
    review, u = desk.review, desk.users
    reader = u["provider2"]
    queue = review.queue(reader, AS_OF)
    rows = review.drafts(reader)
    row = rows[0]
    events = review.history(reader, row["id"])
    trail = review.audit(reader, draft_id=row["id"])
    log = review.audit(u["admin"], user=reader.id, limit=4)
    assert [e.action for e in log] == ["read_queue", "read_drafts", "read_history", "read_audit"]
    assert log[0].detail["patients"] == [r["patient_id"] for r in queue["ready"]]
    assert log[1].detail["patients"] == sorted({r["patient_id"] for r in rows})
    assert (log[2].patient_id, log[2].detail["draft"], log[2].detail["events"]) == (
        row["patient_id"],
        row["id"],
        len(events),
    )
    assert log[3].detail == {"filters": {"draft_id": row["id"]}, "entries": len(trail)}


def test_the_chain_holds_after_every_kind_of_write_and_only_qa_and_admins_check_it(desk):
    """By now this module has written the log every way the product does: the import's consent
    changes, views, edits, sends, deliveries, replies and refusals."""
    review, u = desk.review, desk.users
    for role in ("coordinator", "provider"):
        with pytest.raises(Forbidden):
            review.verify_audit(u[role])
    check = review.verify_audit(u["qa"])
    assert check.intact and check.entries == check.head
    actions = {e.action for e in review.audit(u["qa"])}
    assert {"consent_changed", "create", "edit", "send", "delivered", "read_queue"} <= actions
