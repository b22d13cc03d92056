"""Links that open one order's status page without a login: long, random, revocable."""

from __future__ import annotations

import secrets

from pegboard.services.ports import UnitOfWork
from pegboard.services.tokens import hash_token

#: 32 random bytes: 43 URL-safe characters, beyond guessing.
TOKEN_BYTES = 32


def issue_link(order_ref: str, *, uow: UnitOfWork) -> str:
    """A new token for a known order's status page (older links stay live); shown once, kept hashed.

    Inside another use case's transaction, pass `SharedTransaction.joining(uow)`.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with uow:
        uow.status_links.add(order_ref, hash_token(token))
        uow.commit()
    return token


def order_ref_for_link(token: str, *, uow: UnitOfWork) -> str | None:
    """The order a live link opens; None for an unknown or revoked token."""
    if len(token) < TOKEN_BYTES:
        return None
    return uow.status_links.order_ref_of(hash_token(token))


def revoke_links(order_ref: str, *, uow: UnitOfWork) -> int:
    """Revoke every live link of a known order; how many were live."""
    with uow:
        revoked = uow.status_links.revoke(order_ref)
        uow.commit()
    return revoked


def status_url(public_url: str, token: str) -> str:
    """The address a customer opens: the public URL, then /status/ and the token."""
    return f"{public_url.rstrip('/')}/status/{token}"
