"""Users, roles, passwords and API tokens. Passwords are hashed with Argon2 (argon2-cffi);
tokens are random and stored only as SHA-256 digests, so a copy of the database logs no one in."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from assistant.clock import Clock
from assistant.domain.review import Role
from assistant.errors import Conflict, InputError, NotFound, Unauthenticated
from assistant.storage.repository import Repository, epoch

USER_ID = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
MIN_PASSWORD = 8
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str
    role: Role
    active: bool = True

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "role": self.role.value, "active": self.active}


SYSTEM = User("system", "crosssell", Role.ADMIN)
"""The actor for work the product does on its own (the demo, a scheduled week)."""


def _user(row: Any) -> User:
    return User(row.id, row.name, Role(row.role), bool(row.active))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Adds, lists and disables users; logs them in; turns a token back into its user."""

    def __init__(self, repository: Repository, clock: Clock, session_hours: float = 12.0) -> None:
        self.repository = repository
        self.clock = clock
        self.session_hours = session_hours

    def add(self, user_id: str, role: str, password: str, name: str = "") -> tuple[User, str]:
        """A new user and their API token (shown once; only its digest is kept)."""
        user_id = user_id.strip().lower()
        if not USER_ID.match(user_id):
            raise InputError(
                f"bad user id {user_id!r}: 2-100 lowercase letters, digits, '.', '_', '-' or '@'"
            )
        try:
            role_value = Role(role)
        except ValueError:
            raise InputError(
                f"unknown role {role!r}; use one of: {', '.join(r.value for r in Role)}"
            ) from None
        _check_password(password)
        row = {
            "id": user_id,
            "name": name or user_id,
            "role": role_value.value,
            "password_hash": _hasher.hash(password),
            "active": True,
            "created_at": epoch(self.clock.now()),
        }
        if not self.repository.add_user(row):
            raise Conflict(f"user {user_id!r} already exists")
        return User(user_id, name or user_id, role_value), self.new_api_token(user_id)

    def list(self) -> list[User]:
        return [_user(r) for r in self.repository.users()]

    def get(self, user_id: str) -> User:
        row = self.repository.user(user_id)
        if row is None:
            raise NotFound(f"unknown user {user_id!r}")
        return _user(row)

    def disable(self, user_id: str) -> User:
        """Disables a user and revokes every token they hold; their audit trail stays."""
        self.get(user_id)
        self.repository.set_user(user_id, active=False)
        self.repository.revoke_tokens(user_id)
        return self.get(user_id)

    def new_api_token(self, user_id: str) -> str:
        """A long-lived token for an integration; replaces the user's previous API token."""
        return self._issue(user_id, "api", None, replace=True)

    def login(self, user_id: str, password: str) -> tuple[User, str]:
        """Checks a password; returns the user and a session token that expires."""
        row = self.repository.user(user_id.strip().lower())
        failure = Unauthenticated("wrong user id or password")
        if row is None:
            _hasher.hash(password)  # the same work as a real check: no timing hint
            raise failure
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise failure from None
        if not row.active:
            raise Unauthenticated(f"user {row.id!r} is disabled")
        expires = self.clock.now() + timedelta(hours=self.session_hours)
        return _user(row), self._issue(row.id, "session", epoch(expires))

    def logout(self, token: str) -> None:
        """Ends one session (or revokes one API token); the user's other tokens stay."""
        self.repository.revoke_token(_digest(token))

    def authenticate(self, token: str | None) -> User:
        if not token:
            raise Unauthenticated("log in first: send 'Authorization: Bearer <token>'")
        row = self.repository.token_user(_digest(token), epoch(self.clock.now()))
        if row is None:
            raise Unauthenticated("the token is unknown, expired or its user is disabled")
        return _user(row)

    def _issue(self, user_id: str, kind: str, expires_at: int | None, replace: bool = False) -> str:
        token = secrets.token_urlsafe(32)
        self.repository.save_token(
            {
                "digest": _digest(token),
                "user_id": user_id,
                "kind": kind,
                "created_at": epoch(self.clock.now()),
                "expires_at": expires_at,
            },
            replace_kind=replace,
        )
        return token


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters")
