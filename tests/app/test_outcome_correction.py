"""A recorded answer can be changed or undone: the correction replaces the earlier outcome, so
learning and attribution read only the corrected one, and it is audited with before and after."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.domain.attribution import unanswered
from assistant.domain.conversion import answered
from assistant.domain.review import Status
from assistant.errors import Conflict, Forbidden, InputError
from tests.review_desk import build_desk
from tests.test_sending import _approved


@pytest.fixture(scope="module")
def desk(tmp_path_factory, matcher):
    return build_desk(tmp_path_factory.mktemp("correct"), matcher)


def _sent(desk):
    draft = _approved(desk, "email")
    return desk.review.send(desk.users["coordinator"], draft.id)


def _answers(desk, draft) -> list[bool]:
    """What learning reads as this offer's answer(s)."""
    offers, outcomes = desk.review.repository.offers_and_outcomes(2**40)
    pairs, unprompted = answered(offers, outcomes, date(2100, 1, 1), 10**6)
    mine = [a for o, a in pairs if o.patient_id == draft.patient_id and o.service_id == draft.offer]
    extra = [o for o in unprompted if o.patient_id == draft.patient_id and o.service_id == draft.offer]
    assert not extra, "a correction must not leave a second answer behind"
    return mine


def _outcomes(desk, draft):
    history = desk.review.repository.history(draft.patient_id, 2**40)
    return [o for o in history.outcomes if o.service_id == draft.offer]


def test_a_corrected_outcome_replaces_the_earlier_one_and_is_audited(desk):
    review, u = desk.review, desk.users
    draft = _sent(desk)
    accepted = review.outcome(u["coordinator"], draft.id, True, draft.version)
    assert _answers(desk, draft) == [True]
    corrected = review.correct_outcome(u["coordinator"], draft.id, False, accepted.version)
    assert corrected.status == Status.DECLINED and corrected.version == accepted.version + 1
    assert [o.accepted for o in _outcomes(desk, draft)] == [False]
    assert _answers(desk, draft) == [False]
    entry = review.audit(u["qa"], draft_id=draft.id)[-1]
    assert entry.action == "outcome_corrected" and entry.actor == "coordinator1"
    assert entry.detail["before"] == {"outcome": "accepted"}
    assert entry.detail["after"] == {"outcome": "declined"}


def test_an_undone_outcome_leaves_the_offer_unanswered_and_it_can_be_answered_again(desk):
    review, u = desk.review, desk.users
    draft = _sent(desk)
    declined = review.outcome(u["coordinator"], draft.id, False, draft.version)
    undone = review.correct_outcome(u["coordinator"], draft.id, None, declined.version)
    assert undone.status == Status.SENT and _outcomes(desk, draft) == []
    history = review.repository.history(draft.patient_id, 2**40)
    assert draft.offer in {o.service_id for o in unanswered(history)}  # attribution may hear it again
    assert review.audit(u["qa"], draft_id=draft.id)[-1].detail["after"] == {"outcome": None}
    again = review.outcome(u["coordinator"], draft.id, True, undone.version)
    assert again.status == Status.ACCEPTED and [o.accepted for o in _outcomes(desk, draft)] == [True]


def test_an_outcome_recorded_before_outcomes_had_the_drafts_id_is_corrected_too(desk):
    review, u = desk.review, desk.users
    draft = _sent(desk)
    answered_ = review.outcome(u["coordinator"], draft.id, True, draft.version)
    # As the desk recorded it before: under a made-up id of the patient's.
    with review.repository.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE outcomes SET id = ? WHERE id = ?",
            (f"{draft.patient_id}-offer_accepted-0123456789", f"{draft.id}-outcome"),
        )
    review.correct_outcome(u["coordinator"], draft.id, False, answered_.version)
    assert [o.accepted for o in _outcomes(desk, draft)] == [False]
    assert _answers(desk, draft) == [False]


def test_a_correction_is_refused_where_there_is_nothing_to_correct_or_it_is_not_theirs(desk):
    review, u = desk.review, desk.users
    draft = _sent(desk)
    with pytest.raises(Conflict, match="only an accepted or declined one"):
        review.correct_outcome(u["coordinator"], draft.id, True, draft.version)
    done = review.outcome(u["coordinator"], draft.id, True, draft.version)
    with pytest.raises(InputError, match="already accepted"):
        review.correct_outcome(u["coordinator"], draft.id, True, done.version)
    with pytest.raises(Forbidden):
        review.correct_outcome(u["qa"], draft.id, False, done.version)
    with pytest.raises(Conflict, match="changed since you opened it"):
        review.correct_outcome(u["coordinator"], draft.id, False, draft.version)
    assert [o.accepted for o in _outcomes(desk, draft)] == [True]
