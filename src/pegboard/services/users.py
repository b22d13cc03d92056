"""People who sign in to the web app: roles, argon2 password hashes, sessions, throttled failures.

A session is a random token kept by the browser and stored here only as its SHA-256; every
write made through the web is recorded with the user's name (`record_action`).
"""

from __future__ import annotations

import functools
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pegboard.domain.errors import ActionRefused, DuplicateRef, InvalidValue, UnknownReference
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.tokens import RANK, Role, hash_token

MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 100
SESSION_DAYS = 14

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, verified against when the user is unknown so that a failed sign-in
    takes as long whether or not the name exists; made on first use, not at import."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class StoredUser:
    """A user as stored: name, role, password hash, and when they were disabled (if ever)."""

    name: str
    role: str
    password_hash: str
    created_at: datetime
    disabled_at: datetime | None


@dataclass(frozen=True)
class User:
    """A signed-in person: their name and role."""

    name: str
    role: Role

    def may(self, needed: Role) -> bool:
        """Whether this user's role is at least `needed`."""
        return RANK[self.role] >= RANK[needed]

    @property
    def can_write(self) -> bool:
        """Operators and admins do the daily work; viewers only look."""
        return self.may(Role.OPERATOR)


@dataclass(frozen=True)
class UserInfo:
    """A user as `pegboard user list` shows them (never the hash)."""

    name: str
    role: str
    created_at: datetime
    disabled_at: datetime | None


@dataclass(frozen=True)
class Action:
    """One recorded write: who, what, to which document, when."""

    actor: str
    action: str
    ref: str
    detail: str
    created_at: datetime


class UserRepository(Protocol):
    """The people who sign in, their sessions, and the log of what each of them did."""

    def add(self, name: str, role: str, password_hash: str) -> bool: ...

    def get(self, name: str) -> StoredUser | None: ...

    def all(self) -> list[StoredUser]: ...

    def disable(self, name: str) -> bool: ...

    def start_session(self, name: str, token_hash: str, expires_at: datetime) -> None: ...

    def session_user(self, token_hash: str) -> StoredUser | None: ...

    def end_session(self, token_hash: str) -> None: ...

    def record(self, actor: str, action: str, ref: str, detail: str = "") -> None: ...

    def actions(self, ref: str, *, limit: int = 50) -> list[Action]: ...


class WithUsers(UnitOfWork, Protocol):
    """A unit of work that also holds the users."""

    @property
    def users(self) -> UserRepository: ...


class SignInRefused(ActionRefused):
    """The name and password do not match a live user."""

    code = "sign_in_refused"


class TooManyAttempts(ActionRefused):
    """Too many failed sign-ins for this name or from this address: wait, then try again."""

    code = "too_many_attempts"

    def __init__(self, wait_seconds: int) -> None:
        minutes = max(1, -(-wait_seconds // 60))
        super().__init__(f"Too many failed sign-ins. Wait {minutes} minute(s), then try again.")
        self.wait_seconds = wait_seconds


def valid_name(name: str) -> str:
    """A user name is 1 to 100 visible characters without spaces."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH or not name.isprintable() or " " in name:
        raise InvalidValue("name", name, f"must be 1 to {MAX_NAME_LENGTH} visible characters without spaces")
    return name


def create_user(name: str, role: Role, password: str, *, uow: WithUsers) -> None:
    """Add a user whose password has at least 8 characters; a taken name is refused."""
    name = valid_name(name)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(
            "password", "*" * len(password), f"needs at least {MIN_PASSWORD_LENGTH} characters"
        )
    password_hash = _hasher.hash(password)
    with uow:
        if not uow.users.add(name, role.value, password_hash):
            raise DuplicateRef(name, "a user with this name exists")
        uow.commit()


def list_users(*, uow: WithUsers) -> list[UserInfo]:
    """Every user by name, with role and state."""
    with uow:
        return [UserInfo(u.name, u.role, u.created_at, u.disabled_at) for u in uow.users.all()]


def disable_user(name: str, *, uow: WithUsers) -> None:
    """Disable a user: they cannot sign in, and their open sessions end."""
    with uow:
        if not uow.users.disable(name):
            if uow.users.get(name) is None:
                raise UnknownReference(name, field="name")
            raise ActionRefused(f"user {name!r} is already disabled")
        uow.commit()


def ensure_demo_admin(*, uow: WithUsers) -> tuple[str, str] | None:
    """When nobody can sign in yet, create admin "demo" with a random password and return both."""
    with uow:
        if uow.users.all():
            return None
    password = secrets.token_urlsafe(12)
    create_user("demo", Role.ADMIN, password, uow=uow)
    return "demo", password


def sign_in(name: str, password: str, *, uow: WithUsers, clock: Clock) -> tuple[User, str]:
    """The user and a new session token when name and password match a live user; else refused."""
    with uow:
        stored = uow.users.get(name.strip())
        if not _password_matches(stored, password) or stored is None or stored.disabled_at is not None:
            raise SignInRefused("The username or password is not right.")
        token = secrets.token_urlsafe(32)
        uow.users.start_session(stored.name, hash_token(token), clock.now() + timedelta(days=SESSION_DAYS))
        uow.commit()
    return User(stored.name, Role(stored.role)), token


def _password_matches(stored: StoredUser | None, password: str) -> bool:
    try:
        return (
            _hasher.verify(stored.password_hash if stored else _dummy_hash(), password) and stored is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def session_user(token: str | None, *, uow: WithUsers) -> User | None:
    """The live user a session token belongs to; None when signed out, expired or disabled."""
    if not token or len(token) > 200:
        return None
    with uow:
        stored = uow.users.session_user(hash_token(token))
    return None if stored is None else User(stored.name, Role(stored.role))


def sign_out(token: str, *, uow: WithUsers) -> None:
    """End the session this token opened."""
    with uow:
        uow.users.end_session(hash_token(token))
        uow.commit()


def record_action(actor: str, action: str, ref: str, detail: str = "", *, uow: WithUsers) -> None:
    """Record who did what to which document, inside the caller's transaction."""
    uow.users.record(actor, action, ref, detail)


def actions(ref: str, *, uow: WithUsers) -> list[Action]:
    """What people did to a document, newest first."""
    with uow:
        return uow.users.actions(ref)


class LoginThrottle:
    """At most `limit` failed sign-ins per key (a user name, a client address) within `window` seconds."""

    def __init__(self, *, per_name: int, per_address: int, window: float) -> None:
        self.per_name, self.per_address, self.window = per_name, per_address, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, name: str, address: str) -> None:
        """TooManyAttempts when either the name or the address has used up its failures."""
        now = time.monotonic()
        with self._lock:
            waits = [
                self._wait(key, limit, now)
                for key, limit in (
                    (f"name:{name.strip().lower()}", self.per_name),
                    (f"ip:{address}", self.per_address),
                )
            ]
        wait = max(waits)
        if wait > 0:
            raise TooManyAttempts(int(wait) + 1)

    def failed(self, name: str, address: str) -> None:
        """Count a failed sign-in against the name and the address."""
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > 100_000:
                self._failures.clear()
            for key in (f"name:{name.strip().lower()}", f"ip:{address}"):
                self._failures.setdefault(key, deque()).append(now)

    def _wait(self, key: str, limit: int, now: float) -> float:
        times = self._failures.get(key)
        if not times:
            return 0.0
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < limit:
            return 0.0
        return self.window - (now - times[0])
