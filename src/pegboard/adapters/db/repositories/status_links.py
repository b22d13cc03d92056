"""Links to order-status pages, stored only as hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from pegboard.adapters.db import tables as t
from pegboard.domain.errors import UnknownOrder


class SqlStatusLinks:
    """Links to order-status pages, kept only as SHA-256 hashes of their tokens."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now

    def _order_id(self, order_ref: str) -> int:
        order_id = self.conn.execute(
            select(t.sales_orders.c.id).where(t.sales_orders.c.order_ref == order_ref)
        ).scalar_one_or_none()
        if order_id is None:
            raise UnknownOrder(order_ref, field="order_ref")
        return int(order_id)

    def add(self, order_ref: str, token_hash: str) -> None:
        """Keep a new link to a known order (UnknownOrder otherwise)."""
        self.conn.execute(
            insert(t.status_links).values(
                order_id=self._order_id(order_ref), token_hash=token_hash, created_at=self.now
            )
        )

    def order_ref_of(self, token_hash: str) -> str | None:
        """The order a live (not revoked) link opens."""
        return self.conn.execute(
            select(t.sales_orders.c.order_ref)
            .join(t.status_links, t.status_links.c.order_id == t.sales_orders.c.id)
            .where(t.status_links.c.token_hash == token_hash, t.status_links.c.revoked_at.is_(None))
        ).scalar_one_or_none()

    def revoke(self, order_ref: str) -> int:
        """Revoke every live link of a known order (UnknownOrder otherwise); the number revoked."""
        order_id = self._order_id(order_ref)
        done = self.conn.execute(
            update(t.status_links)
            .where(t.status_links.c.order_id == order_id, t.status_links.c.revoked_at.is_(None))
            .values(revoked_at=self.now)
        )
        return int(done.rowcount)
