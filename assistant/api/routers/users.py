"""The practice's users: listing, adding (with their one-time API token), disabling, setting a
password, and their tokens (a new API token, with an expiry; each token's last use)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from assistant.api.deps import Desk, Me
from assistant.api.schemas import (
    SIGNED_IN,
    NewToken,
    NewUser,
    PasswordChanged,
    PasswordSet,
    TokenIssued,
    TokenView,
    UserAdded,
    UserView,
)

router = APIRouter(tags=["users"], responses=SIGNED_IN)


@router.get("/users", response_model=list[UserView])
def users(user: Me, review: Desk) -> list[dict]:
    return [u.as_dict() for u in review.users(user)]


@router.post("/users", status_code=201, response_model=UserAdded)
def add_user(body: NewUser, user: Me, review: Desk) -> dict:
    """Adds a user; the answer holds their API token, shown this once."""
    added, token = review.add_user(user, body.user_id, body.role.value, body.password, body.name)
    return {"user": added.as_dict(), "token": token}


@router.post("/users/{user_id}/disable", response_model=UserView)
def disable_user(user_id: str, user: Me, review: Desk) -> dict:
    return review.disable_user(user, user_id).as_dict()


@router.post("/users/{user_id}/password", response_model=PasswordChanged)
def set_password(user_id: str, body: PasswordSet, user: Me, review: Desk) -> dict:
    """Sets a user's password (admins): their sessions end and a login lockout is lifted."""
    review.set_password(user, user_id, body.password)
    return {"password_changed": user_id}


@router.post("/users/{user_id}/token", status_code=201, response_model=TokenIssued)
def issue_token(user_id: str, user: Me, review: Desk, body: NewToken | None = None) -> dict:
    """A new API token for the user (their old one stops working), shown this once; without
    a body it never expires."""
    body = body or NewToken()
    days = body.expires_in_days
    expires = timedelta(days=days) if days is not None else body.expires_at
    token, issued = review.issue_token(user, user_id, expires)
    return {"user": user_id, "token": token, "expires_at": issued.expires_at}


@router.get("/users/{user_id}/tokens", response_model=list[TokenView])
def tokens(user_id: str, user: Me, review: Desk) -> list[dict]:
    """The user's live tokens: kind, expiry and last use (never the tokens themselves)."""
    return [t.as_dict() for t in review.tokens(user, user_id)]
