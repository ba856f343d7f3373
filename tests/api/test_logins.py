"""Logins over HTTP: 429 with Retry-After once an account or an address has failed too often,
the failures in the audit log, reserved ids, changing a password, tokens that expire."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.app.drafting import Drafting
from assistant.app.practice import Practice
from assistant.app.review import Review
from assistant.clock import Clock
from assistant.settings import Settings
from tests.conftest import NOW

PASSWORD = "correct horse battery"
WRONG = {"user_id": "maria", "password": "not the password"}
RIGHT = {"user_id": "maria", "password": PASSWORD}


@pytest.fixture
def review(tmp_path) -> Review:
    settings = Settings(
        home=tmp_path,
        llm="none",
        login_max_failures=3,
        login_max_failures_per_address=4,
        login_lockout_minutes=10,
    )
    practice = Practice(settings, clock=Clock.fixed(NOW))
    desk = Review(practice, Drafting(practice))
    desk.accounts.add("maria", "coordinator", PASSWORD)
    desk.accounts.add("admin1", "admin", PASSWORD)
    return desk


def _client(review: Review, address: str = "10.0.0.1") -> TestClient:
    return TestClient(create_app(review), client=(address, 50000))


def _bearer(client: TestClient, user_id: str, password: str = PASSWORD) -> dict[str, str]:
    answer = client.post("/v1/auth/token", json={"user_id": user_id, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_wrong_passwords_lead_to_429_with_retry_after_and_the_right_one_waits(review):
    with _client(review) as client:
        for _ in range(3):
            assert client.post("/v1/auth/token", json=WRONG).status_code == 401
        locked = client.post("/v1/auth/token", json=RIGHT)
        assert locked.status_code == 429
        assert locked.headers["Retry-After"] == "600"
        assert locked.json() == {"error": "too many failed logins: try again in 10 minutes", "status": 429}
        assert client.post("/auth/token", json=RIGHT).status_code == 429  # the old path too

        review.clock.advance(minutes=10)
        assert client.post("/v1/auth/token", json=RIGHT).status_code == 200


def test_one_address_trying_many_accounts_is_locked_out_and_others_are_not(review):
    with _client(review, "203.0.113.9") as guesser:
        for user_id in ("maria", "admin1", "nobody", "someone"):
            answer = guesser.post("/v1/auth/token", json={"user_id": user_id, "password": "a guess!"})
            assert answer.status_code == 401
        assert guesser.post("/v1/auth/token", json=RIGHT).status_code == 429
    with _client(review, "198.51.100.7") as colleague:
        assert colleague.post("/v1/auth/token", json=RIGHT).status_code == 200


def test_each_failure_is_in_the_audit_log_with_the_address(review):
    with _client(review) as client:
        client.post("/v1/auth/token", json=WRONG)
        client.post("/v1/auth/token", json={"user_id": "nobody", "password": "x"})
        admin = _bearer(client, "admin1")
        log = client.get("/v1/audit", headers=admin).json()
    failed = [e for e in log if e["action"] == "login_failed"]
    assert [e["detail"] for e in failed] == [
        {"user": "maria", "reason": "wrong password", "address": "10.0.0.1"},
        {"user": "nobody", "reason": "unknown user", "address": "10.0.0.1"},
    ]


def test_system_cannot_be_created(review):
    with _client(review) as client:
        answer = client.post(
            "/v1/users",
            headers=_bearer(client, "admin1"),
            json={"user_id": "system", "role": "admin", "password": PASSWORD},
        )
    assert answer.status_code == 422
    assert "reserved" in answer.json()["error"]


def test_a_password_change_keeps_this_session_and_ends_the_others(review):
    with _client(review) as client:
        here, elsewhere = _bearer(client, "maria"), _bearer(client, "maria")
        change = {"current_password": PASSWORD, "new_password": "a brand new secret"}
        answer = client.post("/v1/auth/password", headers=here, json=change)
        assert answer.status_code == 200 and answer.json() == {"password_changed": "maria"}

        assert client.get("/v1/me", headers=here).status_code == 200
        assert client.get("/v1/me", headers=elsewhere).status_code == 401
        assert client.post("/v1/auth/token", json=RIGHT).status_code == 401
        _bearer(client, "maria", "a brand new secret")

        wrong = {"current_password": "not it at all", "new_password": "another new one"}
        refused = client.post("/auth/password", headers=here, json=wrong)
        assert refused.status_code == 403 and "current password" in refused.json()["error"]
        short = {"current_password": "a brand new secret", "new_password": "short"}
        assert client.post("/v1/auth/password", headers=here, json=short).status_code == 422


def test_an_admin_sets_a_password_and_the_users_sessions_end(review):
    with _client(review) as client:
        admin, maria = _bearer(client, "admin1"), _bearer(client, "maria")
        answer = client.post("/v1/users/maria/password", headers=admin, json={"password": "set by admin"})
        assert answer.status_code == 200
        assert client.get("/v1/me", headers=maria).status_code == 401
        _bearer(client, "maria", "set by admin")
        mine = client.post("/v1/users/admin1/password", headers=maria, json={"password": "not allowed"})
        assert mine.status_code == 401  # maria's session ended with the reset


def test_an_api_token_expires_and_its_last_use_is_shown(review):
    with _client(review) as client:
        admin = _bearer(client, "admin1")
        issued = client.post("/v1/users/maria/token", headers=admin, json={"expires_in_days": 7})
        assert issued.status_code == 201, issued.text
        body = issued.json()
        assert body["expires_at"] == "2026-12-01T15:00:00Z"
        token = {"Authorization": f"Bearer {body['token']}"}
        assert client.get("/v1/me", headers=token).status_code == 200

        listed = client.get("/v1/users/maria/tokens", headers=admin).json()
        api = next(t for t in listed if t["kind"] == "api")
        assert api["last_used_at"] == "2026-11-24T15:00:00Z" and "token" not in api and "digest" not in api

        review.clock.advance(days=7)
        expired = client.get("/v1/me", headers=token)
        assert expired.status_code == 401 and "expired" in expired.json()["error"]
        forever = client.post("/v1/users/maria/token", headers=_bearer(client, "admin1"))
        assert forever.status_code == 201 and forever.json()["expires_at"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"expires_in_days": 0},
        {"expires_in_days": 1e308},
        {"expires_at": "2020-01-01T00:00:00Z"},
        {"expires_in_days": 1, "expires_at": "2030-01-01T00:00:00Z"},
    ],
)
def test_a_bad_expiry_is_422(review, body):
    with _client(review) as client:
        answer = client.post("/v1/users/maria/token", headers=_bearer(client, "admin1"), json=body)
    assert answer.status_code == 422, answer.text
