"""Shopify bookkeeping in SQL: deliveries already taken, and each Shopify order's state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.bulk import insert_rows
from pegboard.adapters.db.repositories import TransactionItemCache, insert_lines
from pegboard.adapters.db.stock_totals import StockTotals
from pegboard.domain.errors import UnknownOrder
from pegboard.domain.quantities import ZERO
from pegboard.domain.sales import SalesOrder, SalesOrderLine
from pegboard.services.ports import ShopifyOrderRecord


def _insert_new(dialect: Any, table: Any, key: str) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING key: a row back only when it was new."""
    return dialect.insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])


# Built once: the webhook path runs these on every delivery (see BENCHMARKS.md on statement cost).
_NEW_EVENT = {
    "postgresql": _insert_new(postgresql, t.shopify_events, "event_id"),
    "sqlite": _insert_new(sqlite, t.shopify_events, "event_id"),
}
_NEW_ORDER = {
    "postgresql": _insert_new(postgresql, t.shopify_orders, "shopify_order_id"),
    "sqlite": _insert_new(sqlite, t.shopify_orders, "shopify_order_id"),
}
_ORDERS = t.shopify_orders.c
_LOCK_ORDER = select(t.shopify_orders).where(_ORDERS.shopify_order_id == bindparam("id")).with_for_update()
_COLUMNS = tuple(column.name for column in t.shopify_orders.columns)
#: The SET clause comes from the parameters given: the fields that changed.
_SAVE = update(t.shopify_orders).where(_ORDERS.shopify_order_id == bindparam("id"))


def _record(row: Any) -> ShopifyOrderRecord:
    return ShopifyOrderRecord(
        shopify_order_id=row.shopify_order_id,
        order_ref=row.order_ref,
        state=row.state,
        problem=row.problem,
        shop_updated_at=row.shop_updated_at,
        financial_status=row.financial_status,
        payload=row.payload,
        received_at=row.received_at,
    )


class SqlShopify:
    """Shopify webhook events by id, and the Shopify orders with their state and last payload."""

    def __init__(
        self, conn: Connection, item_cache: TransactionItemCache, now: datetime, totals: StockTotals
    ) -> None:
        self.conn, self.item_cache, self.now, self.totals = conn, item_cache, now, totals
        self.dialect = conn.dialect.name
        #: Each claimed row as it stands in this transaction, so a save writes only what changed.
        self.claimed: dict[str, ShopifyOrderRecord] = {}

    def record_event(self, event_id: str, topic: str, shopify_order_id: str | None) -> bool:
        """Remember a delivery; False when this event id was taken before (a replay)."""
        row = self.conn.execute(
            _NEW_EVENT[self.dialect],
            {
                "event_id": event_id,
                "topic": topic,
                "shopify_order_id": shopify_order_id,
                "received_at": self.now,
            },
        ).first()
        return row is not None

    def record_events(self, events: Sequence[tuple[str, str, str | None]]) -> set[str]:
        """Remember many deliveries (event id, topic, Shopify order id) at once; the ids that were new."""
        if not events:
            return set()
        rows = insert_rows(
            self.conn,
            t.shopify_events,
            [
                {"event_id": e, "topic": topic, "shopify_order_id": order_id, "received_at": self.now}
                for e, topic, order_id in events
            ],
            returning=["event_id"],
            skip_conflicts_on="event_id",
        )
        return {row[0] for row in rows}

    def claim_new(self, records: Sequence[ShopifyOrderRecord]) -> set[str]:
        """Write the rows of orders heard of for the first time; the ids written (others existed)."""
        if not records:
            return set()
        rows = insert_rows(
            self.conn,
            t.shopify_orders,
            [{name: getattr(r, name) for name in _COLUMNS} for r in records],
            returning=["shopify_order_id"],
            skip_conflicts_on="shopify_order_id",
        )
        return {row[0] for row in rows}

    def claim(self, record: ShopifyOrderRecord) -> ShopifyOrderRecord | None:
        """Lock the order's row for this transaction: None when it is new (`record` now holds it).

        A new order's row is written as `record` at once, so that the common outcome (placed as
        expected) needs no second write. A concurrent delivery of the same order waits here
        until this transaction ends, so two deliveries of one order apply one after the other.
        """
        values = {name: getattr(record, name) for name in _COLUMNS}
        if self.conn.execute(_NEW_ORDER[self.dialect], values).first() is not None:
            self.claimed[record.shopify_order_id] = record
            return None
        row = self.conn.execute(_LOCK_ORDER, {"id": record.shopify_order_id}).first()
        assert row is not None, "a conflicting row cannot vanish inside its lock"
        self.claimed[record.shopify_order_id] = stored = _record(row)
        return stored

    def save(self, record: ShopifyOrderRecord) -> None:
        """Write the order's state over its claimed row: only the fields that changed, if any."""
        before = self.claimed.get(record.shopify_order_id)
        changed = {
            name: getattr(record, name)
            for name in _COLUMNS
            if before is None or getattr(before, name) != getattr(record, name)
        }
        if changed:
            self.conn.execute(_SAVE, {"id": record.shopify_order_id, **changed})
            self.claimed[record.shopify_order_id] = record

    def get(self, shopify_order_id: str) -> ShopifyOrderRecord | None:
        row = self.conn.execute(
            select(t.shopify_orders).where(t.shopify_orders.c.shopify_order_id == shopify_order_id)
        ).first()
        return None if row is None else _record(row)

    def held(self) -> list[ShopifyOrderRecord]:
        """Held orders, oldest first."""
        rows = self.conn.execute(
            select(t.shopify_orders)
            .where(t.shopify_orders.c.state == "held")
            .order_by(t.shopify_orders.c.received_at, t.shopify_orders.c.shopify_order_id)
        )
        return [_record(row) for row in rows]

    def of_order(self, order_ref: str) -> ShopifyOrderRecord | None:
        """The Shopify order behind a Pegboard sales order, if it came from the shop."""
        row = self.conn.execute(
            select(t.shopify_orders).where(t.shopify_orders.c.order_ref == order_ref).limit(1)
        ).first()
        return None if row is None else _record(row)

    def set_financial_status(self, order_ref: str, financial_status: str | None) -> None:
        """Record the shop's payment state on the sales order."""
        self.conn.execute(
            update(t.sales_orders)
            .where(t.sales_orders.c.order_ref == order_ref)
            .values(financial_status=financial_status)
        )

    def add_lines(self, order: SalesOrder, lines: Sequence[SalesOrderLine]) -> None:
        """Append lines to a stored order and write its status (call after any `orders.save`)."""
        order_id = self.conn.execute(
            select(t.sales_orders.c.id).where(t.sales_orders.c.order_ref == order.order_ref)
        ).scalar_one_or_none()
        if order_id is None:
            raise UnknownOrder(order.order_ref, field="order_ref")
        ids = self.item_cache.resolve(line.sku for line in lines)
        insert_lines(self.conn, self.totals, [(order_id, line, ids[line.sku]) for line in lines])
        self.conn.execute(
            update(t.sales_orders).where(t.sales_orders.c.id == order_id).values(status=order.status.value)
        )

    def shipped_through(self, order_ref: str, shipment_ref: str) -> dict[str, Decimal]:
        """Quantity shipped per SKU by this shipment and every earlier one of the same order."""
        this = (
            select(t.shipments.c.id, t.shipments.c.order_id)
            .where(t.shipments.c.shipment_ref == shipment_ref)
            .subquery()
        )
        rows = self.conn.execute(
            select(t.items.c.sku, func.sum(t.shipment_lines.c.quantity))
            .select_from(t.shipment_lines)
            .join(t.shipments, t.shipments.c.id == t.shipment_lines.c.shipment_id)
            .join(this, this.c.order_id == t.shipments.c.order_id)
            .join(t.sales_orders, t.sales_orders.c.id == t.shipments.c.order_id)
            .join(t.items, t.items.c.id == t.shipment_lines.c.item_id)
            .where(t.shipments.c.id <= this.c.id, t.sales_orders.c.order_ref == order_ref)
            .group_by(t.items.c.sku)
        )
        return {sku: total if total is not None else ZERO for sku, total in rows}
