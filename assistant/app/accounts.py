"""Users, roles, passwords and API tokens. Passwords are hashed with Argon2 (argon2-cffi);
tokens are random and stored only as SHA-256 digests, so a copy of the database logs no one in.
Failed logins are counted per account and per client address in the database, and past a limit
every login there is refused for a while, the right password too: guessing stays slow."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from assistant.clock import Clock
from assistant.domain.review import Role
from assistant.errors import Conflict, InputError, LoginRefused, NotFound, TooManyAttempts, Unauthenticated
from assistant.settings import Settings
from assistant.storage.repository import Repository, epoch, from_epoch, maybe_from_epoch

USER_ID = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
RESERVED = frozenset({"system", "cli", "crosssell", "anonymous", "attribution", "worker", "holdout"})
"""Ids the product itself acts or logs under: a person with one would pass for the product."""
MIN_PASSWORD = 8
TOKEN_USE_EVERY = 60
"""Seconds between two writes of a token's `last_used_at`: a read stays a read."""
_hasher = PasswordHasher()

Expiry = datetime | timedelta | None
"""When a token stops working: at an instant, after a while from now, or never."""


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """How many failed logins an account, and a client address, may have within `window`
    before every login there is refused for `lockout`."""

    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)

    @classmethod
    def of(cls, settings: Settings) -> LoginLimits:
        return cls(
            settings.login_max_failures,
            settings.login_max_failures_per_address,
            timedelta(minutes=settings.login_window_minutes),
            timedelta(minutes=settings.login_lockout_minutes),
        )


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
ANONYMOUS = User("anonymous", "not logged in", Role.COORDINATOR, active=False)
"""Who the audit log names for what no one logged in did: a failed login."""


@dataclass(frozen=True, slots=True)
class Token:
    """A token as an admin may see it: its kind and times, never the token or its digest."""

    kind: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None

    def as_dict(self) -> dict:
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "kind": self.kind,
            "created_at": iso(self.created_at),
            "expires_at": iso(self.expires_at),
            "last_used_at": iso(self.last_used_at),
        }


def _user(row: Any) -> User:
    return User(row.id, row.name, Role(row.role), bool(row.active))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Adds, lists and disables users; logs them in; turns a token back into its user."""

    def __init__(
        self,
        repository: Repository,
        clock: Clock,
        session_hours: float = 12.0,
        limits: LoginLimits | None = None,
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.session_hours = session_hours
        self.limits = limits or LoginLimits()

    def add(self, user_id: str, role: str, password: str, name: str = "") -> tuple[User, str]:
        """A new user and their API token (shown once; only its digest is kept)."""
        user_id = user_id.strip().lower()
        if not USER_ID.match(user_id):
            raise InputError(
                f"bad user id {user_id!r}: 2-100 lowercase letters, digits, '.', '_', '-' or '@'"
            )
        if user_id in RESERVED:
            raise InputError(
                f"the user id {user_id!r} is reserved: the product records its own work under it"
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

    def tokens(self, user_id: str) -> list[Token]:
        """The user's live tokens: sessions and their API token, with when each was last used."""
        self.get(user_id)
        now = epoch(self.clock.now())
        return [
            Token(
                r.kind,
                from_epoch(r.created_at),
                maybe_from_epoch(r.expires_at),
                maybe_from_epoch(r.last_used_at),
            )
            for r in self.repository.tokens(user_id)
            if r.expires_at is None or r.expires_at > now
        ]

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

    def new_api_token(self, user_id: str, expires: Expiry = None) -> str:
        """A token for an integration, working until `expires` (None: until it is replaced);
        replaces the user's previous API token."""
        return self._issue(user_id, "api", self._expires_at(expires), replace=True)

    def login(self, user_id: str, password: str, address: str | None = None) -> tuple[User, str]:
        """Checks a password; returns the user and a session token that expires. `address`
        is the client's: failures are counted against it as well as against the account."""
        row = self._verified(user_id, password, address)
        self.repository.clear_login_failures(_account(row.id))
        expires = self.clock.now() + timedelta(hours=self.session_hours)
        return _user(row), self._issue(row.id, "session", epoch(expires))

    def change_password(
        self, user_id: str, current: str, new: str, address: str | None = None, keep: str | None = None
    ) -> None:
        """The user's own change: `current` is checked (and counted, like a login, when wrong);
        every other session of theirs ends, but for the one whose token is `keep`."""
        _check_password(new)
        if new == current:
            raise InputError("the new password is the current one")
        row = self._verified(user_id, current, address)
        self.repository.clear_login_failures(_account(row.id))
        self._set_password(row.id, new, _digest(keep) if keep else None)

    def set_password(self, user_id: str, new: str) -> None:
        """An admin's reset: every session of the user ends, and a lockout of the account is
        lifted. Their API token stays (an integration is renewed with `new_api_token`)."""
        self.get(user_id)
        _check_password(new)
        self._set_password(user_id, new, None)
        self.repository.clear_login_failures(_account(user_id))

    def logout(self, token: str) -> None:
        """Ends one session (or revokes one API token); the user's other tokens stay."""
        self.repository.revoke_token(_digest(token))

    def authenticate(self, token: str | None) -> User:
        if not token:
            raise Unauthenticated("log in first: send 'Authorization: Bearer <token>'")
        now, digest = epoch(self.clock.now()), _digest(token)
        row = self.repository.token_user(digest, now)
        if row is None:
            raise Unauthenticated("the token is unknown, expired or its user is disabled")
        if row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_EVERY:
            self.repository.token_used(digest, now)
        return _user(row)

    def _verified(self, user_id: str, password: str, address: str | None) -> Any:
        """The user a password is right for. While the account or the address is locked out,
        nothing is checked; a wrong password counts against both."""
        tried = user_id.strip().lower()
        limits = {_account(tried): self.limits.per_account}
        if address:
            limits[f"address:{address[:150]}"] = self.limits.per_address
        now = epoch(self.clock.now())
        locked_until = self.repository.login_lock(list(limits), now)
        if locked_until is not None:
            wait = locked_until - now
            raise TooManyAttempts(f"too many failed logins: try again in {_minutes(wait)}", wait)
        try:
            return self._check(tried, password)
        except LoginRefused:
            window, lockout = (int(d.total_seconds()) for d in (self.limits.window, self.limits.lockout))
            self.repository.count_login_failure(limits, now, now - window, now + lockout)
            raise

    def _check(self, user_id: str, password: str) -> Any:
        row = self.repository.user(user_id)
        if row is None:
            _hasher.hash(password)  # the same work as a real check: no timing hint
            raise LoginRefused("wrong user id or password", "unknown user")
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise LoginRefused("wrong user id or password", "wrong password") from None
        if not row.active:
            raise LoginRefused(f"user {row.id!r} is disabled", "disabled")
        return row

    def _set_password(self, user_id: str, password: str, keep: str | None) -> None:
        self.repository.set_user(user_id, password_hash=_hasher.hash(password))
        self.repository.revoke_tokens(user_id, kind="session", keep=keep)

    def _expires_at(self, expires: Expiry) -> int | None:
        """`expires` as epoch seconds; a time without a zone is the practice's."""
        if expires is None:
            return None
        now = self.clock.now()
        if isinstance(expires, timedelta):
            at = now + expires
        else:
            at = expires if expires.tzinfo else expires.replace(tzinfo=self.clock.time_zone)
        if at <= now:
            raise InputError(f"a token's expiry must be in the future, not {at.isoformat()}")
        return epoch(at)

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


def _account(user_id: str) -> str:
    """The failure counter of an account (of an id tried, whether or not anyone has it)."""
    return f"user:{user_id[:150]}"


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters")
