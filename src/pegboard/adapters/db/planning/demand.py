"""The demand in the planning snapshot: open lines, preorders, drop-ship lines, held complete orders."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import Future
from datetime import date
from decimal import Decimal
from itertools import repeat
from typing import Any

from sqlalchemy import BigInteger, Connection, select, type_coerce

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.placed_orders import placed_orders
from pegboard.adapters.db.planning.line_columns import (
    OpenLines,
    demands_of_columns,
    known_items,
    open_line_columns,
)
from pegboard.adapters.db.planning.queries import (
    Decimals,
    among_items,
    among_refs,
    driver_rows,
    local_settings,
)
from pegboard.adapters.db.slices import in_ids
from pegboard.adapters.db.stock_totals import StockTotals
from pegboard.domain.quantities import from_units
from pegboard.domain.sales import LineKind
from pegboard.planning.snapshot import BackorderDemand, DemandColumns, DropshipDemand, HeldLine

#: The states of an order that is still to ship.
ACTIVE = ("open", "partially_shipped")
#: The memory PostgreSQL may sort the open lines in: a million lines do not fit in its default
#: `work_mem` (4 MB), and sorting them on disk doubled the query. Only for that query: the BOM
#: walks size their hash tables by the planner's guess, as large as this allows.
SORT_MEMORY = "256MB"


class DemandQueries:
    """Reads the open demand planning serves."""

    conn: Connection
    totals: StockTotals

    def placed(self, order_refs: Collection[str]) -> tuple[dict[str, Decimal], list[BackorderDemand]] | None:
        """What these orders took from stock and their backorders (`placed_orders`)."""
        return placed_orders(self.conn, order_refs)

    def _whole_order_items(self, ids: list[int]) -> set[int]:
        """The items of every unfinished line of the ship-complete orders with an unfinished line of
        `ids` (waiting or allocated and held: `planning.scope.snapshot_scope`)."""
        so, ol = t.sales_orders.c, t.order_lines.c
        unfinished = ol.quantity > ol.shipped + ol.cancelled
        waiting = select(ol.order_id).where(in_ids(ol.item_id, ids, self.conn), unfinished)
        query = (
            select(ol.item_id)
            .distinct()
            .join(t.sales_orders, so.id == ol.order_id)
            .where(
                so.ship_policy == "complete",
                so.status.in_(ACTIVE),
                so.id.in_(waiting),
                ol.quantity > ol.shipped + ol.cancelled,
            )
        )
        return set(self.conn.execute(query).scalars()) if ids else set()

    def _ship_complete(self, order_refs: set[str]) -> frozenset[str]:
        """Those of these orders that ship complete."""
        so = t.sales_orders.c
        query = select(so.order_ref).where(so.ship_policy == "complete", so.status.in_(ACTIVE))
        return (
            frozenset(self.conn.execute(among_refs(query, so.order_ref, order_refs)).scalars()) & order_refs
        )

    def _held(self, order_refs: frozenset[str]) -> list[HeldLine]:
        """The lines of these orders allocated whole (nothing of them waits), held for the others."""
        if not order_refs:
            return []
        so, ol, it = t.sales_orders.c, t.order_lines.c, t.items.c
        query = (
            select(so.order_ref, ol.line_no, it.sku, type_coerce(ol.allocated, BigInteger), ol.id)
            .join(t.sales_orders, so.id == ol.order_id)
            .join(t.items, it.id == ol.item_id)
            .where(
                so.ship_policy == "complete",
                so.status.in_(ACTIVE),
                ol.allocated > 0,
                ol.quantity == ol.allocated + ol.shipped + ol.cancelled,
            )
            .order_by(so.id, ol.line_no)
        )
        rows = self.conn.execute(among_refs(query, so.order_ref, order_refs))
        decimal = Decimals()  # raw micro-units, each distinct value converted once
        return [
            HeldLine(ref, line_no, sku, decimal(units), line_id)
            for ref, line_no, sku, units, line_id in rows
            if ref in order_refs
        ]

    def _demands(
        self,
        sku_of: dict[int, str],
        ids: list[int] | None,
        release_of: dict[str, date],
        orders: Collection[str] | None = None,
        beside: Future[OpenLines | None] | None = None,
    ) -> tuple[Sequence[BackorderDemand], DemandColumns | None]:
        """Every open line (of these items, of these orders) that is not drop-shipped, by order
        then line; a whole snapshot's on PostgreSQL as columns too (`open_line_columns`), or as
        `beside` reads them (`open_lines_beside`)."""
        if ids is None and orders is None and self.conn.dialect.name == "postgresql":
            if beside is not None:
                read = beside.result()
            else:
                read = open_line_columns(self.conn)
            if read is not None and known_items(read, sku_of):
                return demands_of_columns(read, sku_of, release_of, self._options_of)
        return self._demand_rows(sku_of, ids, release_of, orders), None

    def _options_of(self, line_ids: list[int]) -> dict[int, str]:
        """The options of these lines, by line id."""
        ol = t.order_lines.c
        query = select(ol.id, ol.options).where(in_ids(ol.id, line_ids, self.conn))
        return dict(self.conn.execute(query).all())

    def _demand_rows(
        self,
        sku_of: dict[int, str],
        ids: list[int] | None,
        release_of: dict[str, date],
        orders: Collection[str] | None = None,
    ) -> list[BackorderDemand]:
        so, ol = t.sales_orders, t.order_lines
        # The open quantity is worked out by the database, as raw micro-units: one conversion
        # per distinct value instead of four Decimals per line.
        open_units = type_coerce(ol.c.quantity - ol.c.allocated - ol.c.shipped - ol.c.cancelled, BigInteger)
        query = select(
            ol.c.kind,
            so.c.order_ref,
            ol.c.line_no,
            ol.c.item_id,
            open_units,
            so.c.priority,
            so.c.ordered_at,
            so.c.id,
            ol.c.id,
            ol.c.options,
        )
        if orders is not None:
            query = query.where(so.c.order_ref.in_(sorted(orders)))
        with local_settings(self.conn, work_mem=SORT_MEMORY):
            rows = driver_rows(
                self.conn,
                among_items(query, ol.c.item_id, ids, self.conn)
                .join(so, so.c.id == ol.c.order_id)
                .where(
                    ol.c.quantity > ol.c.allocated + ol.c.shipped + ol.c.cancelled,
                    ol.c.kind != LineKind.DROPSHIP.value,
                )
                .order_by(so.c.id, ol.c.line_no),
            )
        if not rows:
            return []
        # Column by column, each value looked up by C code (`map`), not line by line in Python.
        kinds, refs, line_nos, item_ids, units, priorities, times, sequences, line_ids, options = zip(
            *rows, strict=True
        )
        skus = list(map(sku_of.__getitem__, item_ids))
        decimals = {u: from_units(u) for u in set(units)}
        preorder = LineKind.PREORDER.value
        releases: Iterable[date | None] = (
            [release_of.get(sku) if kind == preorder else None for kind, sku in zip(kinds, skus, strict=True)]
            if preorder in kinds
            else repeat(None)
        )
        found = list(
            map(
                BackorderDemand,
                refs,
                line_nos,
                skus,
                map(decimals.__getitem__, units),
                priorities,
                times,
                sequences,
                releases,
                line_ids,
                options,
            )
        )
        return found

    def _dropships(
        self,
        sku_of: dict[int, str],
        ids: list[int] | None,
        orders: Collection[str] | None = None,
        rows: Sequence[Any] | None = None,
    ) -> list[DropshipDemand]:
        """Open drop-ship lines with the PO line that serves each (its expected date); of
        `orders` only, when given; from `rows` when read already (`dropship_rows`)."""
        found: dict[tuple[str, int], DropshipDemand] = {}
        for r in dropship_rows(self.conn, ids, orders) if rows is None else rows:
            # One PO line serves a drop-ship line; should there be more, the first one speaks.
            found.setdefault(
                (r.order_ref, r.line_no),
                DropshipDemand(
                    order_ref=r.order_ref,
                    line_no=r.line_no,
                    sku=sku_of[r.item_id],
                    quantity=r.quantity - r.allocated - r.shipped - r.cancelled,
                    po_ref=r.po_ref,
                    supplier=r.supplier,
                    expected_date=r.expected_date,
                    line_id=r.line_id,
                ),
            )
        return list(found.values())


def dropship_rows(
    conn: Connection, ids: list[int] | None = None, orders: Collection[str] | None = None
) -> Sequence[Any]:
    """The open drop-ship lines (of these items, of these orders) with the PO lines that serve them,
    by order, line and PO line."""
    so, ol, po, pol = t.sales_orders, t.order_lines, t.purchase_orders, t.purchase_order_lines
    query = (
        select(
            so.c.order_ref,
            ol.c.line_no,
            ol.c.item_id,
            ol.c.quantity,
            ol.c.allocated,
            ol.c.shipped,
            ol.c.cancelled,
            ol.c.id.label("line_id"),
            po.c.po_ref,
            t.suppliers.c.name.label("supplier"),
            pol.c.expected_date,
        )
        .join(so, so.c.id == ol.c.order_id)
        .outerjoin(pol, pol.c.order_line_id == ol.c.id)
        .outerjoin(po, po.c.id == pol.c.po_id)
        .outerjoin(t.suppliers, t.suppliers.c.id == po.c.supplier_id)
        .where(
            ol.c.kind == LineKind.DROPSHIP.value,
            ol.c.quantity > ol.c.allocated + ol.c.shipped + ol.c.cancelled,
        )
        .order_by(so.c.id, ol.c.line_no, pol.c.id)
    )
    if orders is not None:
        query = query.where(so.c.order_ref.in_(sorted(orders)))
    return conn.execute(among_items(query, ol.c.item_id, ids, conn)).all()
