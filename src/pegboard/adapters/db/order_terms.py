"""Writing an order's priority and ship policy (its lines and status are written by SqlOrders)."""

from __future__ import annotations

from sqlalchemy import Connection, update

from pegboard.adapters.db import tables as t


class SqlOrderTerms:
    """An order's terms, changed after it was placed."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def set_terms(self, order_ref: str, *, priority: int, ship_policy: str) -> None:
        """Store the order's priority and ship policy."""
        self.conn.execute(
            update(t.sales_orders)
            .where(t.sales_orders.c.order_ref == order_ref)
            .values(priority=priority, ship_policy=ship_policy)
        )
