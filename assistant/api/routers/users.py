"""The practice's users: listing, adding (with their one-time API token), disabling."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import Desk, Me
from assistant.api.schemas import SIGNED_IN, NewUser, UserAdded, UserView

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
