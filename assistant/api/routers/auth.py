"""Logging in and out, and who the token belongs to."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import Desk, Me, Token
from assistant.api.schemas import LoggedOut, Login, Session, UserView, errors

router = APIRouter(tags=["auth"], responses=errors(401, 422, 500))


@router.post("/auth/token", response_model=Session)
def login(body: Login, review: Desk) -> dict:
    """Exchange a user id and password for a session token (Bearer)."""
    user, token = review.login(body.user_id, body.password)
    return {
        "token": token,
        "token_type": "bearer",
        "user": user.as_dict(),
        "expires_in_hours": review.accounts.session_hours,
    }


@router.post("/auth/logout", response_model=LoggedOut)
def logout(user: Me, review: Desk, session: Token) -> dict:
    """Ends this session: the token stops working at once."""
    assert session is not None  # `Me` has already checked the token
    review.logout(session)
    return {"logged_out": user.id}


@router.get("/me", response_model=UserView)
def me(user: Me) -> dict:
    return user.as_dict()
