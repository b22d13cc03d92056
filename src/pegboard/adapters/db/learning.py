"""The history Pegboard learns from: PO receipts against first expected dates, and daily demand.

Also where computed reorder points are written: the item's values, a history row per change,
and who applied them, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Date, cast, func, insert, select, type_coerce, update

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain.ledger import MoveKind
from pegboard.planning.reliability import Delivery, overdue_lines
from pegboard.planning.reorder import ReorderChange, ReorderItem
from pegboard.planning.snapshot import OpenPurchaseLine


def _day_of(conn: Connection, column: Any) -> ColumnElement[date]:
    """The calendar day of a timestamp column, as a date on both databases."""
    if conn.dialect.name == "postgresql":
        return cast(column, Date)
    return type_coerce(func.date(column), Date)


class SqlLearning:
    """Reads the history for reliability, forecasts and reorder points; writes applied values."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now

    def deliveries(self) -> list[Delivery]:
        """Every receipt into stock against a PO, with the PO line's first expected date."""
        return deliveries(self.conn)

    def daily_demand(self, skus: Sequence[str] | None = None) -> dict[str, dict[date, Decimal]]:
        """Quantity ordered per SKU per day (by the order's date), cancelled or not: what was asked for.

        Summed per day in SQL: a SKU ordered for years has tens of thousands of lines, but only
        one row a day comes back.
        """
        so, ol, it = t.sales_orders, t.order_lines, t.items
        day = _day_of(self.conn, so.c.ordered_at).label("day")
        query = (
            select(it.c.sku, day, type_coerce(func.sum(ol.c.quantity), ExactDecimal()).label("quantity"))
            .join(ol, ol.c.item_id == it.c.id)
            .join(so, so.c.id == ol.c.order_id)
            .group_by(it.c.sku, day)
            .order_by(it.c.sku, day)
        )
        if skus is not None:
            query = query.where(it.c.sku.in_(list(skus)))
        demand: dict[str, dict[date, Decimal]] = {}
        for sku, ordered_on, quantity in self.conn.execute(query):
            demand.setdefault(sku, {})[ordered_on] = quantity
        return demand

    def reorder_items(self) -> list[ReorderItem]:
        """Every item with what its reorder point depends on and its current values."""
        it, sup = t.items, t.suppliers
        rows = self.conn.execute(
            select(
                it.c.sku,
                it.c.procurement,
                sup.c.name.label("supplier"),
                func.coalesce(it.c.lead_time_days, sup.c.lead_time_days).label("lead_time_days"),
                it.c.cost,
                it.c.safety_stock,
                it.c.reorder_point,
                it.c.service_level,
            )
            .outerjoin(sup, sup.c.id == it.c.supplier_id)
            .order_by(it.c.sku)
        )
        return [
            ReorderItem(
                sku=r.sku,
                procurement=r.procurement,
                supplier=r.supplier,
                lead_time_days=r.lead_time_days,
                cost=r.cost,
                safety_stock=r.safety_stock,
                reorder_point=r.reorder_point,
                service_level=r.service_level,
            )
            for r in rows
        ]

    def apply_reorder_points(self, changes: Sequence[ReorderChange], *, actor: str) -> None:
        """Write each item's new safety stock and reorder point, and keep the old ones as history."""
        it = t.items
        for c in changes:
            self.conn.execute(
                update(it)
                .where(it.c.sku == c.sku)
                .values(safety_stock=c.new_safety_stock, reorder_point=c.new_reorder_point)
            )
        if changes:
            self.conn.execute(
                insert(t.reorder_point_changes),
                [
                    {
                        "sku": c.sku,
                        "old_safety_stock": c.old_safety_stock,
                        "new_safety_stock": c.new_safety_stock,
                        "old_reorder_point": c.old_reorder_point,
                        "new_reorder_point": c.new_reorder_point,
                        "service_level": c.service_level,
                        "applied_by": actor,
                        "applied_at": self.now,
                    }
                    for c in changes
                ],
            )

    def set_service_level(self, sku: str, level: Decimal | None) -> bool:
        """Give one item its own target service level (None: the shop's setting); False if no such SKU."""
        done = self.conn.execute(update(t.items).where(t.items.c.sku == sku).values(service_level=level))
        return done.rowcount > 0


def deliveries(
    conn: Connection,
    *,
    received_from: date | None = None,
    received_to: date | None = None,
    item_ids: Sequence[int] | None = None,
    supplier_id: int | None = None,
    suppliers: Sequence[str] | None = None,
) -> list[Delivery]:
    """Receipts into stock against a PO, with the PO line's first expected date: every one, or
    those received in `received_from`..`received_to` (both included), of some items or a supplier
    (by id, or some by name).

    The history planning learns from (`planning/reliability.py`) and the KPIs' supplier figures
    read the same receipts, so both judge a supplier by one definition.
    """
    sm, po, pol, sup, it = t.stock_moves, t.purchase_orders, t.purchase_order_lines, t.suppliers, t.items
    query = (
        select(
            sup.c.name,
            it.c.sku,
            po.c.po_ref,
            po.c.created_at,
            func.min(pol.c.expected_date).label("expected_date"),
            sm.c.moved_on,
            sm.c.quantity,
        )
        .join(po, po.c.po_ref == sm.c.reference)
        .join(sup, sup.c.id == po.c.supplier_id)
        .join(it, it.c.id == sm.c.item_id)
        .join(pol, (pol.c.po_id == po.c.id) & (pol.c.item_id == sm.c.item_id))
        .where(sm.c.kind == MoveKind.RECEIPT.value, sm.c.quantity > 0)
        .group_by(sm.c.id, sup.c.name, it.c.sku, po.c.po_ref, po.c.created_at, sm.c.moved_on, sm.c.quantity)
        .order_by(sm.c.id)
    )
    if received_from is not None:
        query = query.where(sm.c.moved_on >= received_from)
    if received_to is not None:
        query = query.where(sm.c.moved_on <= received_to)
    if item_ids is not None:
        query = query.where(sm.c.item_id.in_(list(item_ids)))
    if supplier_id is not None:
        query = query.where(po.c.supplier_id == supplier_id)
    if suppliers is not None:
        query = query.where(sup.c.name.in_(list(suppliers)))
    rows = conn.execute(query).all()
    changes = _reschedules(conn, {r.po_ref for r in rows})
    found = []
    for r in rows:
        moved = changes.get(r.po_ref, [])
        first = r.expected_date
        if moved:
            first = moved[0].old_date if moved[0].old_date is not None else moved[0].new_date
        before = [c.new_date for c in moved if c.changed_on < r.moved_on]
        found.append(
            Delivery(
                supplier=r.name,
                sku=r.sku,
                po_ref=r.po_ref,
                ordered_on=r.created_at.date(),
                first_expected=first,
                received_on=r.moved_on,
                quantity=r.quantity,
                last_stated=before[-1] if before else None,
            )
        )
    return found


def overdue(conn: Connection, today: date, *, suppliers: Sequence[str] | None = None) -> list[Delivery]:
    """The open PO lines (of these suppliers, or every one) past their stated date by `today`, as
    deliveries not received yet (`planning.reliability.overdue_lines`); drop-ship lines too (their
    supplier is as late for them)."""
    po, pol, sup, it = t.purchase_orders, t.purchase_order_lines, t.suppliers, t.items
    query = (
        select(po.c.po_ref, it.c.sku, pol.c.quantity, pol.c.received, pol.c.expected_date, sup.c.name)
        .join(po, po.c.id == pol.c.po_id)
        .join(sup, sup.c.id == po.c.supplier_id)
        .join(it, it.c.id == pol.c.item_id)
        .where(
            pol.c.received < pol.c.quantity,
            po.c.status.not_in(["received", "cancelled"]),
            pol.c.expected_date < today,
        )
        .order_by(pol.c.id)
    )
    if suppliers is not None:
        query = query.where(sup.c.name.in_(list(suppliers)))
    lines = (
        OpenPurchaseLine(
            r.po_ref, r.sku, r.quantity - r.received, r.expected_date, r.name, r.created_at.date()
        )
        for r in conn.execute(query.add_columns(po.c.created_at))
    )
    return overdue_lines(lines, today)


def _reschedules(conn: Connection, po_refs: set[str]) -> dict[str, list[Any]]:
    """Of the POs `po_refs`, each rescheduled one's date changes (`old_date`, `new_date`,
    `changed_on`) in the order they were made."""
    if not po_refs:
        return {}
    ch = t.expected_date_changes.c
    found: dict[str, list[Any]] = {}
    for r in conn.execute(
        select(ch.supply_ref, ch.old_date, ch.new_date, ch.changed_on).where(ch.kind == "po").order_by(ch.id)
    ):
        if r.supply_ref in po_refs:
            found.setdefault(r.supply_ref, []).append(r)
    return found
