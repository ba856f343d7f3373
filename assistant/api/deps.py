"""What a route needs besides its body: the desk, who is asking, the drafting turn, today."""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.api.schemas import DAY_DEFAULT_TODAY, Day
from assistant.app.accounts import User
from assistant.app.review import Review

bearer = HTTPBearer(auto_error=False)


def desk(request: Request) -> Review:
    return request.app.state.review


Desk = Annotated[Review, Depends(desk)]


def token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str | None:
    """The bearer token, or None (the desk answers 401 for a missing or unknown one)."""
    return credentials.credentials if credentials else None


Token = Annotated[str | None, Depends(token)]


def current_user(review: Desk, session: Token) -> User:
    return review.accounts.authenticate(session)


Me = Annotated[User, Depends(current_user)]


def drafting_lock(request: Request) -> threading.Lock:
    """One drafting run at a time: the embedding model and the vector store are shared."""
    return request.app.state.drafting_lock


DraftingLock = Annotated[threading.Lock, Depends(drafting_lock)]


def today(review: Desk) -> date:
    """The practice clock's today: the default `as_of` of every read and every drafting run."""
    return review.clock.today()


Today = Annotated[date, Depends(today)]


def as_of_or_today(
    day: Today, as_of: Annotated[Day | None, Query(description=DAY_DEFAULT_TODAY)] = None
) -> date:
    return as_of or day


AsOf = Annotated[date, Depends(as_of_or_today)]
