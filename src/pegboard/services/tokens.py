"""API tokens: created once, shown once, stored hashed; a role decides what a token may do."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable

from cachetools import TTLCache

from pegboard.domain.errors import DuplicateRef, Forbidden, InvalidValue, Unauthorised, UnknownReference
from pegboard.services.ports import StoredToken, UnitOfWork
from pegboard.services.roles import Role as Role

#: A token's last use is written at most this often (seconds): no write on every request.
RECORD_USE_EVERY = 60.0


class UnknownToken(UnknownReference):
    """No API token has this name."""

    code = "unknown_token"
    kind = "token"


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


def list_tokens(*, uow: UnitOfWork) -> list[StoredToken]:
    """Every token by name, live or revoked; the secrets are not stored, so never shown."""
    with uow:
        return uow.tokens.all()


def revoke_token(name: str, *, uow: UnitOfWork) -> tuple[StoredToken, bool]:
    """Revoke the token called `name`: (the token as now stored, whether this call revoked it)."""
    with uow:
        revoked = uow.tokens.revoke(name)
        found = uow.tokens.get(name)
        if found is None:
            raise UnknownToken(name, field="name")
        uow.commit()
    return found, revoked


def record_use(name: str, *, uow: UnitOfWork) -> None:
    """Note that the token called `name` was used now."""
    with uow:
        uow.tokens.record_use(name)
        uow.commit()


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

    Revoking a token through this process forgets it at once (`forget`); a revocation made
    elsewhere (the CLI, another worker) bites within `seconds`, kept short for that reason: a
    check per request would cost a query on the busiest path, the order intake. Unknown tokens
    are never cached, so a new token works at once. The cache also decides when a token's use
    is due to be written (at most once every `record_every` seconds per token). Both memories
    hold at most `size` tokens (cachetools' TTL caches, the oldest dropped first).
    """

    def __init__(self, seconds: float, *, record_every: float = RECORD_USE_EVERY, size: int = 10_000) -> None:
        self.seconds, self.record_every = seconds, record_every
        #: token hash -> (name, role), while trusted
        self._seen: TTLCache[str, tuple[str, Role]] = TTLCache(size, max(seconds, 0.0), timer=time.monotonic)
        #: names whose use was written in the last `record_every` seconds
        self._recorded: TTLCache[str, bool] = TTLCache(size, max(record_every, 0.0), timer=time.monotonic)
        self._lock = threading.Lock()

    def recall(self, token: str | None, needed: Role) -> tuple[str, Role] | None:
        """As `authorise` from memory alone: None when the token was not checked recently,
        or when its use is due to be written."""
        if not token or self.seconds <= 0:
            return None
        with self._lock:
            hit = self._seen.get(hash_token(token))
            if hit is None or hit[0] not in self._recorded:
                return None
        return require(*hit, needed)

    def authorise(
        self, token: str | None, needed: Role, *, uow: UnitOfWork, record: Callable[[str], None]
    ) -> tuple[str, Role]:
        """As `authorise`, answered from memory when the token was checked recently; the
        token's use is passed to `record` when due."""
        if not token or self.seconds <= 0:
            name, role = identify(token, uow=uow)
            self.used(name, record)
            return require(name, role, needed)
        key = hash_token(token)
        with self._lock:
            hit = self._seen.get(key)
        if hit is None:
            hit = identify(token, uow=uow)
            with self._lock:
                self._seen[key] = hit
        self.used(hit[0], record)
        return require(*hit, needed)

    def used(self, name: str, record: Callable[[str], None]) -> None:
        """Pass the token's use to `record` if it was not recorded in the last `record_every` seconds."""
        with self._lock:
            if name in self._recorded:
                return
            if self.record_every > 0:
                self._recorded[name] = True
        record(name)

    def forget(self, name: str) -> None:
        """Trust the token called `name` no longer: its next use is checked against the database."""
        with self._lock:
            for key in [key for key, hit in self._seen.items() if hit[0] == name]:
                self._seen.pop(key, None)
