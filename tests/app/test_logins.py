"""Logins through the service layer: guessing is throttled and locked out per account and per
client address, every failure is audited, reserved ids cannot be taken, passwords change and
API tokens expire."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from assistant.app.accounts import SYSTEM
from assistant.app.drafting import Drafting
from assistant.app.practice import Practice
from assistant.app.review import Review
from assistant.clock import Clock
from assistant.errors import Forbidden, InputError, TooManyAttempts, Unauthenticated
from assistant.settings import Settings
from tests.conftest import NOW

PASSWORD = "correct horse battery"


@pytest.fixture
def review(tmp_path) -> Review:
    """A desk of its own, on a clock of its own (the tests move it), with two users."""
    settings = Settings(
        home=tmp_path,
        llm="none",
        login_max_failures=3,
        login_max_failures_per_address=5,
        login_window_minutes=10,
        login_lockout_minutes=15,
    )
    practice = Practice(settings, clock=Clock.fixed(NOW))
    desk = Review(practice, Drafting(practice))
    for user_id in ("maria", "drlee", "admin1"):
        desk.accounts.add(user_id, "admin" if user_id == "admin1" else "coordinator", PASSWORD)
    return desk


def _fail(review: Review, user_id: str, times: int, address: str = "10.0.0.1") -> None:
    for _ in range(times):
        with pytest.raises(Unauthenticated):
            review.login(user_id, "not the password", address)


def test_after_too_many_wrong_passwords_even_the_right_one_is_refused_until_the_lockout_ends(review):
    _fail(review, "maria", 3)
    with pytest.raises(TooManyAttempts, match="15 minutes") as locked:
        review.login("maria", PASSWORD, "10.0.0.2")
    assert locked.value.retry_after == 15 * 60

    review.clock.advance(minutes=14)
    with pytest.raises(TooManyAttempts) as still:
        review.login("maria", PASSWORD, "10.0.0.2")
    assert still.value.retry_after == 60
    review.clock.advance(minutes=1)
    user, _ = review.login("maria", PASSWORD, "10.0.0.2")
    assert user.id == "maria"


def test_a_lockout_of_one_account_leaves_the_others_alone(review):
    _fail(review, "maria", 3)
    assert review.login("drlee", PASSWORD, "10.0.0.1")[0].id == "drlee"


def test_failures_outside_the_window_do_not_add_up(review):
    _fail(review, "maria", 2)
    review.clock.advance(minutes=11)
    _fail(review, "maria", 2)
    assert review.login("maria", PASSWORD)[0].id == "maria"


def test_a_successful_login_clears_the_accounts_count(review):
    _fail(review, "maria", 2)
    review.login("maria", PASSWORD)
    _fail(review, "maria", 2)
    assert review.login("maria", PASSWORD)[0].id == "maria"


def test_one_address_guessing_across_accounts_is_locked_out(review):
    for user_id in ("maria", "drlee", "nobody", "admin1", "someone"):
        _fail(review, user_id, 1, address="203.0.113.9")
    with pytest.raises(TooManyAttempts):
        review.login("maria", PASSWORD, "203.0.113.9")
    assert review.login("maria", PASSWORD, "198.51.100.7")[0].id == "maria"  # another address


def test_unknown_ids_are_locked_out_like_known_ones(review):
    """Otherwise a 429 would tell a guesser which ids exist."""
    _fail(review, "nobody", 3)
    with pytest.raises(TooManyAttempts):
        review.login("nobody", PASSWORD)


def test_the_counts_are_shared_by_every_process_on_the_database(review):
    _fail(review, "maria", 3)
    other = Review(Practice(review.practice.settings, clock=review.clock), review.drafting)
    with pytest.raises(TooManyAttempts):
        other.login("maria", PASSWORD)


def test_every_failed_login_is_audited_with_the_reason_and_never_the_password(review):
    admin = review.accounts.get("admin1")
    review.accounts.disable("drlee")
    _fail(review, "nobody", 1)
    _fail(review, "maria", 3)
    with pytest.raises(Unauthenticated, match="disabled"):
        review.login("drlee", PASSWORD, "10.0.0.1")
    with pytest.raises(TooManyAttempts):
        review.login("maria", PASSWORD, "10.0.0.1")

    failed = [e for e in review.audit(admin) if e.action == "login_failed"]
    assert [(e.detail["user"], e.detail["reason"]) for e in failed] == [
        ("nobody", "unknown user"),
        ("maria", "wrong password"),
        ("maria", "wrong password"),
        ("maria", "wrong password"),
        ("drlee", "disabled"),
        ("maria", "locked"),
    ]
    assert all(e.detail["address"] == "10.0.0.1" and e.actor == "anonymous" for e in failed)
    assert not any("not the password" in str(e.detail) or PASSWORD in str(e.detail) for e in failed)


@pytest.mark.parametrize("reserved", ["system", "cli", "crosssell", "anonymous", " System "])
def test_the_products_own_ids_cannot_be_taken(review, reserved):
    with pytest.raises(InputError, match="reserved"):
        review.add_user(SYSTEM, reserved, "admin", PASSWORD)


def test_a_password_change_ends_the_other_sessions_and_the_old_password(review):
    maria, here = review.login("maria", PASSWORD)
    _, elsewhere = review.login("maria", PASSWORD)
    review.change_password(maria, PASSWORD, "a brand new secret", here)

    assert review.accounts.authenticate(here).id == "maria"
    with pytest.raises(Unauthenticated):
        review.accounts.authenticate(elsewhere)
    with pytest.raises(Unauthenticated):
        review.login("maria", PASSWORD)
    assert review.login("maria", "a brand new secret")[0].id == "maria"
    changed = [e for e in review.audit(review.accounts.get("admin1")) if e.action == "password_changed"]
    assert [e.actor for e in changed] == ["maria"]


def test_a_wrong_current_password_is_refused_and_counts_as_a_failed_login(review):
    maria, session = review.login("maria", PASSWORD)
    for _ in range(3):
        with pytest.raises(Forbidden, match="current password"):
            review.change_password(maria, "a wrong guess", "a brand new secret", session)
    with pytest.raises(TooManyAttempts):
        review.change_password(maria, PASSWORD, "a brand new secret", session)
    with pytest.raises(InputError, match="8 characters"):
        review.change_password(maria, PASSWORD, "short", session)


def test_an_admin_sets_a_password_and_lifts_a_lockout(review):
    admin = review.accounts.get("admin1")
    _, session = review.login("maria", PASSWORD)
    _fail(review, "maria", 3)
    review.set_password(admin, "maria", "set by the admin")
    with pytest.raises(Unauthenticated):
        review.accounts.authenticate(session)
    assert review.login("maria", "set by the admin")[0].id == "maria"
    with pytest.raises(Forbidden):
        review.set_password(review.accounts.get("maria"), "admin1", "not allowed at all")


def test_an_api_token_with_an_expiry_stops_working_then(review):
    admin = review.accounts.get("admin1")
    token, issued = review.issue_token(admin, "maria", timedelta(days=30))
    assert issued.expires_at == review.clock.now() + timedelta(days=30)
    review.clock.advance(days=29, hours=23)
    assert review.accounts.authenticate(token).id == "maria"
    review.clock.advance(hours=1)
    with pytest.raises(Unauthenticated, match="expired"):
        review.accounts.authenticate(token)


def test_an_expiry_is_a_time_to_come(review):
    admin = review.accounts.get("admin1")
    with pytest.raises(InputError, match="future"):
        review.issue_token(admin, "maria", datetime(2020, 1, 1))
    _, issued = review.issue_token(admin, "maria", datetime(2027, 1, 1))
    assert issued.expires_at is not None and issued.expires_at.isoformat() == "2027-01-01T00:00:00+00:00"


def test_a_tokens_last_use_is_kept_to_the_minute(review):
    admin = review.accounts.get("admin1")
    token, issued = review.issue_token(admin, "maria")
    assert issued.last_used_at is None and issued.expires_at is None
    first = review.clock.now()
    review.accounts.authenticate(token)
    review.clock.advance(seconds=30)
    review.accounts.authenticate(token)  # within the minute: not written again

    def api_token():
        return next(t for t in review.tokens(admin, "maria") if t.kind == "api")

    assert api_token().last_used_at == first
    review.clock.advance(seconds=30)
    review.accounts.authenticate(token)
    assert api_token().last_used_at == first + timedelta(minutes=1)
