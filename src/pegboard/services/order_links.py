"""Operators issue and revoke the links to an order's status page; each call is one transaction."""

from __future__ import annotations

from pegboard.domain.errors import UnknownOrder
from pegboard.services.ports import UnitOfWork
from pegboard.services.status_links import issue_status_link, revoke_status_links


def status_url(public_url: str, token: str) -> str:
    """The address a customer opens: the public URL, then /status/ and the token."""
    return f"{public_url.rstrip('/')}/status/{token}"


def issue_link(order_ref: str, *, uow: UnitOfWork) -> str:
    """A new status-page token for a known order (UnknownOrder otherwise); older links stay live."""
    with uow:
        if uow.orders.get(order_ref) is None:
            raise UnknownOrder(order_ref, field="order_ref")
        token = issue_status_link(order_ref, uow=uow)
        uow.commit()
    return token


def revoke_links(order_ref: str, *, uow: UnitOfWork) -> int:
    """Revoke every live link of a known order (UnknownOrder otherwise); how many were live."""
    with uow:
        if uow.orders.get(order_ref) is None:
            raise UnknownOrder(order_ref, field="order_ref")
        revoked = revoke_status_links(order_ref, uow=uow)
        uow.commit()
    return revoked
