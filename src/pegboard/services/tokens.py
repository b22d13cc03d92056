"""API tokens: created once, shown once, stored hashed; a role decides what a token may do."""

from __future__ import annotations

import hashlib
import secrets
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


def authorise(token: str | None, needed: Role, *, uow: UnitOfWork) -> tuple[str, Role]:
    """The token's (name, role) if it exists and its role is at least `needed`; else Forbidden."""
    if not token:
        raise Unauthorised("a bearer token is required")
    with uow:
        found = uow.tokens.role_of(hash_token(token))
    if found is None:
        raise Unauthorised("the bearer token is unknown or revoked")
    name, role = found[0], Role(found[1])
    if RANK[role] < RANK[needed]:
        raise Forbidden(f"token {name!r} is a {role}; this needs {needed}")
    return name, role
