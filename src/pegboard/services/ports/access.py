"""Access: status links, API tokens, and the stored answers of requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class StatusLinks(Protocol):
    """Links to an order's status page, kept only as token hashes; a revoked link opens nothing."""

    def add(self, order_ref: str, token_hash: str) -> None: ...

    def order_ref_of(self, token_hash: str) -> str | None: ...

    def revoke(self, order_ref: str) -> int: ...


@dataclass(frozen=True)
class StoredToken:
    """An API token as listed: who, what role, when made, last used and revoked; never the secret."""

    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenRepository(Protocol):
    """API tokens by name, kept only as hashes; a revoked token is never live again."""

    def add(self, name: str, role: str, token_hash: str) -> bool: ...

    def role_of(self, token_hash: str) -> tuple[str, str] | None: ...

    def revoke(self, name: str) -> bool: ...

    def all(self) -> list[StoredToken]: ...

    def get(self, name: str) -> StoredToken | None: ...

    def record_use(self, name: str) -> None: ...


class RequestRepository(Protocol):
    """Answers to write requests by token and idempotency key: a repeat gets the same answer."""

    def get(self, key: str, *, owner: str = "") -> tuple[str, int, str] | None: ...

    def save(
        self, key: str, request_hash: str, status_code: int, response: str, *, owner: str = ""
    ) -> None: ...
