"""The sales orders' repository: orders with their lines, waiting lines and shipments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from more_itertools import sliced
from sqlalchemy import Connection, and_, bindparam, func, insert, literal_column, or_, select, update

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.bulk import insert_rows
from pegboard.adapters.db.plan_inputs import note_lines, note_placed, note_shipping
from pegboard.adapters.db.repositories.item_cache import TransactionItemCache
from pegboard.adapters.db.repositories.values import money_or_none
from pegboard.adapters.db.slices import in_slices
from pegboard.adapters.db.stock_totals import StockTotals
from pegboard.domain.allocation import WaitingLine
from pegboard.domain.quantities import Quantity
from pegboard.domain.sales import LineKind, OrderStatus, SalesOrder, SalesOrderLine, Shipment, ShipPolicy

# Statements built once: building a SELECT with an IN list on every call cost more client CPU
# than executing it (see BENCHMARKS.md). Expanding parameters take the lists.
#: Lines holding stock, picked from the SKU's part of ix_order_lines_item (which carries
#: `allocated`) before any row is read.
_RESERVED = t.order_lines.c.allocated > literal_column("0")
_ORDERS_BY_REF = select(t.sales_orders).where(
    t.sales_orders.c.order_ref.in_(bindparam("refs", expanding=True))
)
_LINES_OF_ORDERS = (
    select(t.order_lines, t.items.c.sku)
    .join(t.items, t.items.c.id == t.order_lines.c.item_id)
    .where(t.order_lines.c.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(t.order_lines.c.order_id, t.order_lines.c.line_no)
)


_LINE_STATE = ("allocated_quantity", "shipped_quantity", "cancelled_quantity", "backordered_on")


def insert_lines(
    conn: Connection, totals: StockTotals, lines: Sequence[tuple[int, SalesOrderLine, int]]
) -> None:
    """Write new order lines, given as (order row id, line, item row id), and their allocations
    and backorders to the items' totals: the one way lines enter `order_lines`."""
    insert_rows(conn, t.order_lines, [line_row(*line) for line in lines])
    note_lines(conn, len(lines))
    for _, line, item_id in lines:
        totals.add(item_id, allocated=line.allocated_quantity, waiting=line.backordered_quantity)


def line_row(order_id: int, line: SalesOrderLine, item_id: int) -> dict[str, Any]:
    """An order line as its `order_lines` row (the bench loader writes lines through it too)."""
    return {
        "order_id": order_id,
        "line_no": line.line_no,
        "item_id": item_id,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "allocated": line.allocated_quantity,
        "shipped": line.shipped_quantity,
        "cancelled": line.cancelled_quantity,
        "backordered_on": line.backordered_on,
        "first_backordered_on": line.backordered_on,
        "kind": line.kind.value,
        "options": line.options,
    }


def _backordered_before(line: SalesOrderLine, state: Any) -> Decimal:
    """The line's backordered quantity in an earlier state (allocated, shipped, cancelled, ...)."""
    if line.kind is not LineKind.STOCK:
        return Decimal(0)
    allocated, shipped, cancelled = state[:3]
    return Decimal(line.quantity - allocated - shipped - cancelled)


def _ships(line: SalesOrderLine, old: tuple[Any, ...]) -> bool:
    """Whether the line's only change since `old` is allocated stock shipped."""
    moved = line.shipped_quantity - old[1]
    return bool(
        moved > 0
        and line.allocated_quantity == old[0] - moved
        and line.cancelled_quantity == old[2]
        and line.backordered_on == old[3]
    )


def _backorder_history(now_on: date | None, before: Any, today: date) -> dict[str, Any]:
    """The KPIs' history of a line's backorder: its first day kept, the day it left it recorded."""
    if now_on is not None:
        first = t.order_lines.c.first_backordered_on
        return {"first_backordered_on": func.coalesce(first, now_on), "backorder_ended_on": None}
    if before is not None:
        return {"backorder_ended_on": today}
    return {}


def _shipment_history(line: SalesOrderLine, shipped_before: Any, today: date) -> dict[str, Any]:
    """The KPIs' record of a line's shipments: first and last day, and whether the first was whole."""
    if line.shipped_quantity <= shipped_before:
        return {}
    found: dict[str, Any] = {"last_shipped_on": today}
    if not shipped_before:
        found |= {"first_shipped_on": today, "shipped_whole_at_once": line.shipped_quantity == line.quantity}
    return found


class SqlOrders:
    """Sales orders with their lines, and the shipments made for them."""

    def __init__(
        self, conn: Connection, item_cache: TransactionItemCache, now: datetime, totals: StockTotals
    ) -> None:
        self.conn, self.item_cache, self.now, self.totals = conn, item_cache, now, totals
        self.row_ids: dict[str, int] = {}
        self.seen: dict[str, tuple[object, ...]] = {}
        #: Every order this transaction loaded or added: the unit of work collects their events.
        self.touched: list[SalesOrder] = []

    def _snapshot(self, order: SalesOrder) -> tuple[object, ...]:
        return (
            order.status,
            tuple(tuple(getattr(line, a) for a in _LINE_STATE) for line in order.lines),
        )

    def get(self, order_ref: str, *, lock: bool = False) -> SalesOrder | None:
        query = select(t.sales_orders).where(t.sales_orders.c.order_ref == order_ref)
        if lock:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        if row is None:
            return None
        return self._load([row])[order_ref]

    def get_many(self, order_refs: Iterable[str]) -> dict[str, SalesOrder]:
        refs = sorted(set(order_refs))
        found: dict[str, SalesOrder] = {}
        for some in sliced(refs, 500):
            rows = self.conn.execute(_ORDERS_BY_REF, {"refs": some}).all()
            found.update(self._load(rows))
        return found

    def _load(self, rows: Sequence[Any]) -> dict[str, SalesOrder]:
        by_id = {r.id: r for r in rows}
        lines: dict[int, list[SalesOrderLine]] = {i: [] for i in by_id}
        if by_id:
            for r in self.conn.execute(_LINES_OF_ORDERS, {"order_ids": list(by_id)}):
                lines[r.order_id].append(
                    SalesOrderLine(
                        line_no=r.line_no,
                        sku=r.sku,
                        quantity=Quantity(r.quantity),
                        unit_price=money_or_none(r.unit_price),
                        allocated_quantity=r.allocated,
                        shipped_quantity=r.shipped,
                        cancelled_quantity=r.cancelled,
                        backordered_on=r.backordered_on,
                        kind=LineKind(r.kind),
                        options=r.options,
                    )
                )
        found = {}
        for row_id, r in by_id.items():
            order = SalesOrder(
                order_ref=r.order_ref,
                customer=r.customer,
                email=r.email,
                ordered_at=r.ordered_at,
                priority=r.priority,
                ship_policy=ShipPolicy(r.ship_policy),
                status=OrderStatus(r.status),
                ship_to=r.ship_to,
                source=r.source,
                financial_status=r.financial_status,
                requested_date=r.requested_date,
                lines=lines[row_id],
            )
            self.row_ids[order.order_ref] = row_id
            self.seen[order.order_ref] = self._snapshot(order)
            found[order.order_ref] = order
        self.touched += found.values()
        return found

    def add(self, order: SalesOrder) -> None:
        self.add_many([order])

    def add_many(self, orders: Sequence[SalesOrder]) -> None:
        """Insert new orders and their lines in as few statements as the driver allows."""
        if not orders:
            return
        ids = self.item_cache.resolve(line.sku for order in orders for line in order.lines)
        written = insert_rows(
            self.conn,
            t.sales_orders,
            [
                {
                    "order_ref": order.order_ref,
                    "customer": order.customer,
                    "email": order.email,
                    "ordered_at": order.ordered_at,
                    "priority": order.priority,
                    "ship_policy": order.ship_policy.value,
                    "status": order.status.value,
                    "created_at": self.now,
                    "ship_to": order.ship_to,
                    "source": order.source,
                    "financial_status": order.financial_status,
                    "requested_date": order.requested_date,
                }
                for order in orders
            ],
            returning=["order_ref", "id"],
        )
        self.row_ids.update(written)
        self.touched += orders
        for order in orders:
            self.seen[order.order_ref] = self._snapshot(order)
        lines = [
            (self.row_ids[order.order_ref], line, ids[line.sku]) for order in orders for line in order.lines
        ]
        insert_lines(self.conn, self.totals, lines)
        note_placed(self.conn, [order.order_ref for order in orders], len(lines))

    def save(self, order: SalesOrder) -> None:
        """Write the order's status and every line whose quantities changed since it was loaded."""
        row_id = self.row_ids[order.order_ref]
        before = self.seen[order.order_ref]
        after = self._snapshot(order)
        if before == after:
            return
        old_lines: Any = before[1]
        changed = [
            (line, old)
            for line, old in zip(order.lines, old_lines, strict=True)
            if tuple(getattr(line, a) for a in _LINE_STATE) != old
        ]
        shipping = all(_ships(line, old) for line, old in changed)
        if before[0] != after[0]:
            self.conn.execute(
                update(t.sales_orders).where(t.sales_orders.c.id == row_id).values(status=order.status.value)
            )
            if shipping:
                note_shipping(self.conn, "UPDATE", "sales_orders")
        for line, old in changed:
            if shipping:
                note_shipping(self.conn, "UPDATE", "order_lines")
            self.totals.add(
                self.item_cache.id(line.sku),
                allocated=line.allocated_quantity - old[0],
                waiting=line.backordered_quantity - _backordered_before(line, old),
            )
            self.conn.execute(
                update(t.order_lines)
                .where(t.order_lines.c.order_id == row_id, t.order_lines.c.line_no == line.line_no)
                .values(
                    allocated=line.allocated_quantity,
                    shipped=line.shipped_quantity,
                    cancelled=line.cancelled_quantity,
                    backordered_on=line.backordered_on,
                    **_backorder_history(line.backordered_on, old[3], self.now.date()),
                    **_shipment_history(line, old[1], self.now.date()),
                )
            )
        self.seen[order.order_ref] = after

    def _waiting_query(self, item_ids: Sequence[int], condition: Any) -> list[WaitingLine]:
        query = (
            select(
                t.sales_orders.c.order_ref,
                t.sales_orders.c.priority,
                t.sales_orders.c.ordered_at,
                t.sales_orders.c.id.label("sequence"),
                t.order_lines.c.line_no,
                t.order_lines.c.item_id,
                t.order_lines.c.quantity,
                t.order_lines.c.allocated,
                t.order_lines.c.shipped,
                t.order_lines.c.cancelled,
            )
            .join(t.sales_orders, t.sales_orders.c.id == t.order_lines.c.order_id)
            .where(t.order_lines.c.item_id.in_(item_ids), condition)
        )
        return [
            WaitingLine(
                order_ref=r.order_ref,
                line_no=r.line_no,
                sku=self.item_cache.skus[r.item_id],
                backordered_quantity=r.quantity - r.allocated - r.shipped - r.cancelled,
                priority=r.priority,
                ordered_at=r.ordered_at,
                sequence=r.sequence,
            )
            for r in self.conn.execute(query)
        ]

    def waiting(self, skus: Iterable[str], *, options: str = "") -> list[WaitingLine]:
        """Lines waiting for stock of these SKUs: stock lines with a backorder, and open preorder
        lines of items released by the unit of work's business date. Drop-ship lines never wait.

        Only lines of this configuration wait (plain lines by default): a configured line
        takes only what an MO of its own configuration makes."""
        ids = self.item_cache.resolve(skus)
        lines = t.order_lines.c
        today = self.now.date()
        terms = self.item_cache.sale_terms(ids)
        found: list[WaitingLine] = []
        for part in in_slices(list(ids.items())):
            released = [i for sku, i in part if terms[sku].released_by(today)]
            kinds: Any = lines.kind == LineKind.STOCK.value
            if released:
                kinds = or_(kinds, and_(lines.kind == LineKind.PREORDER.value, lines.item_id.in_(released)))
            found += self._waiting_query(
                [i for _, i in part],
                and_(
                    lines.quantity > lines.allocated + lines.shipped + lines.cancelled,
                    kinds,
                    lines.options == options,
                ),
            )
        return found

    def released_preorder_skus(self, today: date) -> list[str]:
        """SKUs with open preorder lines whose item's release date has come by `today`."""
        ol, items = t.order_lines.c, t.items.c
        query = (
            select(items.sku)
            .join(t.order_lines, ol.item_id == items.id)
            .where(
                ol.kind == LineKind.PREORDER.value,
                ol.quantity > ol.allocated + ol.shipped + ol.cancelled,
                or_(items.release_date.is_(None), items.release_date <= today),
            )
            .distinct()
            .order_by(items.sku)
        )
        return list(self.conn.execute(query).scalars())

    def holding(self, sku: str) -> list[WaitingLine]:
        """Lines that hold an allocation of this SKU."""
        return self._waiting_query([self.item_cache.id(sku)], _RESERVED)

    def shipment_count(self, order_ref: str) -> int:
        return int(
            self.conn.execute(
                select(func.count())
                .select_from(t.shipments)
                .where(t.shipments.c.order_id == self.row_ids[order_ref])
            ).scalar_one()
        )

    def add_shipment(self, shipment: Shipment) -> None:
        ids = self.item_cache.resolve(line.sku for line in shipment.lines)
        shipment_id = self.conn.execute(
            insert(t.shipments)
            .values(
                shipment_ref=shipment.shipment_ref,
                order_id=self.row_ids[shipment.order_ref],
                shipped_on=shipment.shipped_on,
                tracking=shipment.tracking,
                created_at=self.now,
            )
            .returning(t.shipments.c.id)
        ).scalar_one()
        self.conn.execute(
            insert(t.shipment_lines),
            [
                {
                    "shipment_id": shipment_id,
                    "line_no": line.line_no,
                    "item_id": ids[line.sku],
                    "quantity": line.quantity,
                }
                for line in shipment.lines
            ],
        )
