"""What orders just placed took from stock and wait for, as the quotes' kept leftover takes them
(`planning.leftover.Leftover.with_placed`)."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from sqlalchemy import Connection, select

from pegboard.adapters.db import tables as t
from pegboard.domain.sales import LineKind
from pegboard.planning.snapshot import BackorderDemand


def placed_orders(
    conn: Connection, order_refs: Collection[str]
) -> tuple[dict[str, Decimal], list[BackorderDemand]] | None:
    """The stock these orders took (allocated or shipped since, per SKU) and their backorders,
    as a snapshot reads them; None when one of them is not a plain stock order as placed (a
    preorder, drop-ship or configured line, a line cancelled since, or an order not found)."""
    so, ol, it = t.sales_orders.c, t.order_lines.c, t.items.c
    rows = conn.execute(
        select(
            so.order_ref,
            so.priority,
            so.ordered_at,
            so.id.label("order_id"),
            ol.line_no,
            ol.id.label("line_id"),
            ol.kind,
            ol.options,
            ol.quantity,
            ol.allocated,
            ol.shipped,
            ol.cancelled,
            it.sku,
        )
        .join(t.order_lines, ol.order_id == so.id)
        .join(t.items, it.id == ol.item_id)
        .where(so.order_ref.in_(sorted(set(order_refs))))
        .order_by(so.id, ol.line_no)
    ).all()
    if {r.order_ref for r in rows} != set(order_refs):
        return None
    taken: dict[str, Decimal] = {}
    demands: list[BackorderDemand] = []
    for r in rows:
        if r.kind != LineKind.STOCK.value or r.options or r.cancelled > 0:
            return None
        given = r.allocated + r.shipped
        if given > 0:
            taken[r.sku] = taken.get(r.sku, Decimal(0)) + given
        waiting = r.quantity - given
        if waiting > 0:
            demands.append(
                BackorderDemand(
                    r.order_ref,
                    r.line_no,
                    r.sku,
                    waiting,
                    r.priority,
                    r.ordered_at,
                    r.order_id,
                    line_id=r.line_id,
                )
            )
    return taken, demands
