"""Stock per item: the figures of the stock list, and one item with its ledger, BOM and projection.

`incoming` is what open POs (not drop-ship) and open MOs still bring; `required` is what is
owed: the item's backorders and what open MOs still need of it as a component. The shortage
is what neither stock nor incoming supply covers of `required` plus the safety stock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, func, or_, select

from pegboard.adapters.db import tables as t
from pegboard.views.sql import units

ZERO = Decimal(0)


@dataclass(frozen=True)
class ItemRow:
    """One item's stock figures."""

    sku: str
    name: str
    procurement: str
    unit: str
    on_hand: Decimal
    allocated: Decimal
    incoming: Decimal
    required: Decimal
    safety_stock: Decimal
    reorder_point: Decimal | None
    #: The part of `allocated` that quotes hold for checkouts (not yet any order's).
    held: Decimal = ZERO

    @property
    def allocated_to_orders(self) -> Decimal:
        """Allocated to order lines: what quotes hold is the rest of `allocated`."""
        return self.allocated - self.held

    @property
    def available(self) -> Decimal:
        """On hand and not reserved for an order."""
        return self.on_hand - self.allocated

    @property
    def shortage(self) -> Decimal:
        """What stock and incoming supply leave uncovered of what is owed plus the safety stock."""
        return max(self.required + self.safety_stock - self.available - self.incoming, ZERO)

    @property
    def below_reorder_point(self) -> bool:
        """Available stock plus incoming supply is at or under the reorder point."""
        return self.reorder_point is not None and self.available + self.incoming <= self.reorder_point


def item_rows(
    conn: Connection,
    *,
    search: str | None = None,
    sku: str | None = None,
    short_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[ItemRow]:
    """Items by SKU, with their figures; `search` matches SKU or name, `sku` one SKU exactly,
    `short_only` keeps the items short of something."""
    it = t.items
    query = select(
        it.c.id,
        it.c.sku,
        it.c.name,
        it.c.procurement,
        it.c.unit,
        it.c.on_hand,
        it.c.allocated,
        it.c.waiting,
        it.c.safety_stock,
        it.c.reorder_point,
    ).order_by(it.c.sku)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(it.c.sku).like(pattern), func.lower(it.c.name).like(pattern)))
    if sku is not None:
        query = query.where(it.c.sku == sku)
    if not short_only:
        query = query.limit(limit).offset(offset)
    rows = conn.execute(query).all()
    ids = [r.id for r in rows]
    owed = {r.id: r.waiting for r in rows if r.waiting}
    incoming, required, held = _incoming(conn, ids), _required(conn, owed, ids), _held(conn, ids)
    found = [
        ItemRow(
            sku=r.sku,
            name=r.name,
            procurement=r.procurement,
            unit=r.unit,
            on_hand=r.on_hand,
            allocated=r.allocated,
            incoming=incoming.get(r.id, ZERO),
            required=required.get(r.id, ZERO),
            safety_stock=r.safety_stock,
            reorder_point=r.reorder_point,
            held=held.get(r.id, ZERO),
        )
        for r in rows
    ]
    if short_only:
        found = [row for row in found if row.shortage > 0][offset : offset + limit]
    return found


def _sums(conn: Connection, query: Select[Any]) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = {}
    for item_id, quantity in conn.execute(query):
        totals[item_id] = totals.get(item_id, ZERO) + quantity
    return totals


def _incoming(conn: Connection, ids: Iterable[int]) -> dict[int, Decimal]:
    """Per item id: open quantities of open POs (drop-ship ones excluded) and of open MOs."""
    wanted = list(ids)
    po, pol, mo = t.purchase_orders, t.purchase_order_lines, t.manufacturing_orders
    bought = _sums(
        conn,
        select(pol.c.item_id, units(pol.c.quantity - pol.c.received))
        .join(po, po.c.id == pol.c.po_id)
        .where(
            pol.c.item_id.in_(wanted),
            pol.c.received < pol.c.quantity,
            po.c.order_id.is_(None),
            po.c.status.not_in(["received", "cancelled"]),
        ),
    )
    made = _sums(
        conn,
        select(mo.c.item_id, units(mo.c.quantity - mo.c.completed)).where(
            mo.c.item_id.in_(wanted), mo.c.status.not_in(["completed", "cancelled"])
        ),
    )
    return {k: bought.get(k, ZERO) + made.get(k, ZERO) for k in bought.keys() | made.keys()}


def _held(conn: Connection, ids: Iterable[int]) -> dict[int, Decimal]:
    """Per item id: what quotes' holds still in force hold (counted in `items.allocated`)."""
    h, hl = t.quote_holds, t.quote_hold_lines
    return _sums(
        conn,
        select(hl.c.item_id, hl.c.quantity)
        .join(h, h.c.id == hl.c.hold_id)
        .where(hl.c.item_id.in_(list(ids)), h.c.status == "held"),
    )


def _required(conn: Connection, owed: dict[int, Decimal], ids: Iterable[int]) -> dict[int, Decimal]:
    """Per item id: open backorders (`owed`, the units waiting kept on each item's row), plus what
    open MOs still need of it as a component beyond what is reserved for them (reserved stock is
    already counted in `allocated`)."""
    wanted = list(ids)
    mo, bl, r = t.manufacturing_orders, t.bom_lines, t.mo_reservations
    open_mo = mo.c.status.not_in(["completed", "cancelled"])
    needed: dict[int, Decimal] = {}
    for component_id, per, open_quantity in conn.execute(
        select(bl.c.component_id, bl.c.quantity, units(mo.c.quantity - mo.c.completed))
        .join(mo, mo.c.item_id == bl.c.parent_id)
        .where(bl.c.component_id.in_(wanted), open_mo)
    ):
        needed[component_id] = needed.get(component_id, ZERO) + per * open_quantity
    reserved = _sums(
        conn,
        select(r.c.item_id, r.c.quantity)
        .join(mo, mo.c.id == r.c.mo_id)
        .where(r.c.item_id.in_(wanted), open_mo),
    )
    for component_id, quantity in reserved.items():
        needed[component_id] = needed.get(component_id, ZERO) - quantity
    return {k: owed.get(k, ZERO) + needed.get(k, ZERO) for k in owed.keys() | needed.keys()}


@dataclass(frozen=True)
class ItemsPage:
    """The /items page: a page of items with their figures, filtered by a search or to shortages."""

    #: This page of items, by SKU.
    rows: tuple[ItemRow, ...]
    #: The SKU or name searched for (empty: every item).
    search: str
    #: Only items short of something.
    short_only: bool
    #: How many items come before this page.
    offset: int
    #: Items per page.
    limit: int
    #: Another page follows this one.
    more: bool
