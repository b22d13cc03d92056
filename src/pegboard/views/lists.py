"""Lists of orders, backorders and supply orders, filtered and paginated."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, literal, select, union_all

from pegboard.adapters.db import tables as t
from pegboard.views.json import day, number

Json = dict[str, Any]


def orders(
    conn: Connection,
    *,
    status: str | None = None,
    sku: str | None = None,
    order_ref: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Json]:
    """Orders oldest first, each with its lines and their quantities by state."""
    so, ol = t.sales_orders, t.order_lines
    query = select(so).order_by(so.c.ordered_at, so.c.id)
    if status:
        query = query.where(so.c.status == status)
    if order_ref:
        query = query.where(so.c.order_ref == order_ref)
    if sku:
        query = query.where(
            so.c.id.in_(
                select(ol.c.order_id).join(t.items, t.items.c.id == ol.c.item_id).where(t.items.c.sku == sku)
            )
        )
    if limit is not None:
        query = query.limit(limit)
    query = query.offset(offset)
    rows = conn.execute(query).all()
    lines: dict[int, list[Json]] = {r.id: [] for r in rows}
    ids = list(lines)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for r in conn.execute(
            select(ol, t.items.c.sku)
            .join(t.items, t.items.c.id == ol.c.item_id)
            .where(ol.c.order_id.in_(chunk))
            .order_by(ol.c.order_id, ol.c.line_no)
        ):
            lines[r.order_id].append(
                {
                    "line_no": r.line_no,
                    "sku": r.sku,
                    "quantity": number(r.quantity),
                    "allocated": number(r.allocated),
                    "shipped": number(r.shipped),
                    "backordered": number(r.quantity - r.allocated - r.shipped - r.cancelled),
                    "cancelled": number(r.cancelled),
                    "unit_price": number(r.unit_price),
                    "backordered_on": day(r.backordered_on),
                }
            )
    return [
        {
            "order_ref": r.order_ref,
            "customer": r.customer,
            "email": r.email,
            "ordered_at": r.ordered_at.isoformat(timespec="seconds"),
            "priority": r.priority,
            "ship_policy": r.ship_policy,
            "status": r.status,
            "lines": lines[r.id],
        }
        for r in rows
    ]


def backorders(
    conn: Connection,
    *,
    today: date,
    sku: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Json]:
    """Open backorders, oldest first: what is owed, since when, and how many days it waits."""
    so, ol = t.sales_orders, t.order_lines
    query = (
        select(
            so.c.order_ref,
            so.c.customer,
            so.c.priority,
            ol.c.line_no,
            t.items.c.sku,
            ol.c.quantity,
            ol.c.allocated,
            ol.c.shipped,
            ol.c.cancelled,
            ol.c.backordered_on,
            so.c.ordered_at,
        )
        .join(so, so.c.id == ol.c.order_id)
        .join(t.items, t.items.c.id == ol.c.item_id)
        .where(ol.c.quantity > ol.c.allocated + ol.c.shipped + ol.c.cancelled)
        .order_by(ol.c.backordered_on, so.c.ordered_at, so.c.id, ol.c.line_no)
    )
    if sku:
        query = query.where(t.items.c.sku == sku)
    if limit is not None:
        query = query.limit(limit)
    query = query.offset(offset)
    found = []
    for r in conn.execute(query):
        opened = r.backordered_on or r.ordered_at.date()
        found.append(
            {
                "order_ref": r.order_ref,
                "line_no": r.line_no,
                "sku": r.sku,
                "quantity": number(r.quantity - r.allocated - r.shipped - r.cancelled),
                "opened_at": day(opened),
                "age_days": max((today - opened).days, 0),
                "customer": r.customer,
                "priority": r.priority,
            }
        )
    return found


def supply(conn: Connection, *, include_closed: bool = False, sku: str | None = None) -> list[Json]:
    """Open purchase and manufacturing orders, one row per SKU, earliest expected first."""
    po, pol, mo = t.purchase_orders, t.purchase_order_lines, t.manufacturing_orders
    purchases = (
        select(
            po.c.po_ref.label("ref"),
            literal("po").label("kind"),
            t.items.c.sku,
            pol.c.quantity,
            pol.c.received,
            pol.c.expected_date,
            po.c.status,
            t.suppliers.c.name.label("supplier"),
            pol.c.line_no,
        )
        .join(po, po.c.id == pol.c.po_id)
        .join(t.items, t.items.c.id == pol.c.item_id)
        .join(t.suppliers, t.suppliers.c.id == po.c.supplier_id)
    )
    making = select(
        mo.c.mo_ref.label("ref"),
        literal("mo").label("kind"),
        t.items.c.sku,
        mo.c.quantity,
        mo.c.completed.label("received"),
        mo.c.finish_date.label("expected_date"),
        mo.c.status,
        literal(None).label("supplier"),
        literal(1).label("line_no"),
    ).join(t.items, t.items.c.id == mo.c.item_id)
    if not include_closed:
        purchases = purchases.where(
            and_(pol.c.received < pol.c.quantity, po.c.status.not_in(["received", "cancelled"]))
        )
        making = making.where(mo.c.status.not_in(["completed", "cancelled"]))
    if sku:
        purchases = purchases.where(t.items.c.sku == sku)
        making = making.where(t.items.c.sku == sku)
    combined = union_all(purchases, making).subquery()
    rows = conn.execute(
        select(combined).order_by(
            combined.c.expected_date.nulls_last(), combined.c.kind, combined.c.ref, combined.c.line_no
        )
    )
    return [
        {
            "ref": r.ref,
            "kind": r.kind,
            "sku": r.sku,
            "quantity": number(r.quantity),
            "received": number(r.received),
            "expected_date": day(r.expected_date),
            "status": r.status,
            "supplier": r.supplier,
        }
        for r in rows
    ]
