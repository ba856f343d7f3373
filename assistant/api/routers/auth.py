"""Logging in and out, changing one's password, and who the token belongs to."""

from __future__ import annotations

from fastapi import APIRouter, Request

from assistant.api.deps import Desk, Me, Token
from assistant.api.schemas import LoggedOut, Login, PasswordChange, PasswordChanged, Session, UserView, errors

router = APIRouter(tags=["auth"], responses=errors(401, 422, 429, 500, 503))


def _address(request: Request) -> str | None:
    """The client's address, counted for failed logins (behind a proxy: run uvicorn with
    `--proxy-headers` and `--forwarded-allow-ips`, so this is the client's, not the proxy's)."""
    return request.client.host if request.client else None


@router.post("/auth/token", response_model=Session)
def login(body: Login, review: Desk, request: Request) -> dict:
    """Exchange a user id and password for a session token (Bearer). After repeated failures
    on the account or from the address, logins are refused for a while (429, Retry-After)."""
    user, token = review.login(body.user_id, body.password, _address(request))
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


@router.post("/auth/password", response_model=PasswordChanged, responses=errors(403))
def change_password(body: PasswordChange, user: Me, review: Desk, session: Token, request: Request) -> dict:
    """Changes your own password; your other sessions end, this one stays (403: the current
    password is wrong, which counts as a failed login)."""
    review.change_password(user, body.current_password, body.new_password, session, _address(request))
    return {"password_changed": user.id}


@router.get("/me", response_model=UserView)
def me(user: Me) -> dict:
    return user.as_dict()
