"""API tokens: created once, shown once, stored hashed; a role decides what a token may do."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from enum import StrEnum

from pegboard.domain.errors import DuplicateRef, Forbidden, InvalidValue, Unauthorised
from pegboard.services.ports import UnitOfWork


class Role(StrEnum):
    """Viewers read; operators also run the daily work; admins also manage tokens."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"


RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}


def hash_token(token: str) -> str:
    """Tokens are kept as SHA-256 hex digests; the token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(name: str, role: Role, *, uow: UnitOfWork) -> str:
    """Create a token for `name` with `role` and return it; it cannot be shown again."""
    if not name.strip():
        raise InvalidValue("name", name, "is required")
    token = "pgb_" + secrets.token_urlsafe(32)
    with uow:
        if not uow.tokens.add(name.strip(), role.value, hash_token(token)):
            raise DuplicateRef(name, "a token with this name exists")
        uow.commit()
    return token


def identify(token: str | None, *, uow: UnitOfWork) -> tuple[str, Role]:
    """The (name, role) of a live token; Unauthorised when it is missing, unknown or revoked."""
    if not token:
        raise Unauthorised("a bearer token is required")
    with uow:
        found = uow.tokens.role_of(hash_token(token))
    if found is None:
        raise Unauthorised("the bearer token is unknown or revoked")
    return found[0], Role(found[1])


def require(name: str, role: Role, needed: Role) -> tuple[str, Role]:
    """The caller when `role` is at least `needed`; else Forbidden."""
    if RANK[role] < RANK[needed]:
        raise Forbidden(f"token {name!r} is a {role}; this needs {needed}")
    return name, role


def authorise(token: str | None, needed: Role, *, uow: UnitOfWork) -> tuple[str, Role]:
    """The token's (name, role) if it exists and its role is at least `needed`; else 401 or 403."""
    return require(*identify(token, uow=uow), needed)


class TokenCache:
    """Tokens recently found live, trusted for `seconds` without asking the database again.

    A revoked token therefore keeps working for at most `seconds`; unknown tokens are never
    cached, so a new token works at once.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._seen: dict[str, tuple[float, str, Role]] = {}
        self._lock = threading.Lock()

    def recall(self, token: str | None, needed: Role) -> tuple[str, Role] | None:
        """As `authorise` from memory alone: None when the token was not checked recently."""
        if not token or self.seconds <= 0:
            return None
        with self._lock:
            hit = self._seen.get(hash_token(token))
        if hit is None or time.monotonic() - hit[0] >= self.seconds:
            return None
        return require(hit[1], hit[2], needed)

    def authorise(self, token: str | None, needed: Role, *, uow: UnitOfWork) -> tuple[str, Role]:
        """As `authorise`, answered from memory when the token was checked recently."""
        if not token or self.seconds <= 0:
            return authorise(token, needed, uow=uow)
        key = hash_token(token)
        now = time.monotonic()
        with self._lock:
            hit = self._seen.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            return require(hit[1], hit[2], needed)
        name, role = identify(token, uow=uow)
        with self._lock:
            if len(self._seen) > 10_000:
                self._seen.clear()
            self._seen[key] = (now, name, role)
        return require(name, role, needed)


def revoke_token(name: str, *, uow: UnitOfWork) -> None:
    """Revoke the live token called `name`; an unknown or already revoked name is refused."""
    with uow:
        if not uow.tokens.revoke(name):
            raise InvalidValue("name", name, "is no live token")
        uow.commit()
