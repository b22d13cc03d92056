"""One order's status for its customer: lines, shipments, and when each waiting line should ship."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from pegboard.adapters.db import tables as t
from pegboard.domain.options import parse_choices
from pegboard.planning.result import OPEN_TERM, PLANNED_MO, PLANNED_PO, STOCK
from pegboard.planning.terms import RELEASE
from pegboard.views.wording import Source, Waiting, explain, held_by, source_of, waited_on

_NAMED_BASES = {STOCK, PLANNED_PO, PLANNED_MO, OPEN_TERM, RELEASE}


@dataclass(frozen=True)
class WaitingPart:
    """Part of a waiting line that comes from one supply: how many, when (None: open term), and why."""

    quantity: Decimal
    promised_date: date | None
    explanation: str


@dataclass(frozen=True)
class LineStatus:
    """One line: quantities by state and, while some of it waits, its promised date in plain words.

    `waiting` is the open quantity (a preorder's or a backorder's); `explanation` is None when
    nothing waits. `parts` lists the supplies when the waiting quantity comes from more than one.
    """

    line_no: int
    sku: str
    name: str
    kind: str
    ordered: Decimal
    shipped: Decimal
    allocated: Decimal
    backordered: Decimal
    preordered: Decimal
    cancelled: Decimal
    promised_date: date | None
    explanation: str | None
    parts: tuple[WaitingPart, ...]
    #: A configured line's choices (`COLOUR=green;HILT=engraved`); "" = the plain item.
    options: str = ""

    @property
    def waiting(self) -> Decimal:
        """What is still owed and not yet reserved from stock."""
        return self.backordered + self.preordered

    @property
    def choices(self) -> str:
        """The choices in words, "COLOUR: green, HILT: engraved" ("" for a plain line)."""
        return ", ".join(f"{option}: {value}" for option, value in parse_choices(self.options).items())


@dataclass(frozen=True)
class ShippedLine:
    """What one shipment carried of one line."""

    sku: str
    name: str
    quantity: Decimal


@dataclass(frozen=True)
class ShipmentStatus:
    """A parcel that left: when, its tracking number, and what was in it."""

    shipment_ref: str
    shipped_on: date
    tracking: str | None
    lines: tuple[ShippedLine, ...]


@dataclass(frozen=True)
class OrderOverview:
    """One order as its customer sees it; nothing of any other order."""

    order_ref: str
    customer: str
    ordered_on: date
    status: str
    ship_policy: str
    lines: tuple[LineStatus, ...]
    shipments: tuple[ShipmentStatus, ...]

    @property
    def whole(self) -> bool:
        """Nothing of the order waits for stock any more."""
        return all(line.waiting == 0 for line in self.lines)

    @property
    def ships_on(self) -> date | None:
        """The latest date of the waiting lines: a ship-complete order's date (None: some has none)."""
        days = [line.promised_date for line in self.lines if line.waiting > 0]
        return None if not days or None in days else max(d for d in days if d is not None)


def order_status(conn: Connection, order_ref: str) -> OrderOverview | None:
    """The order's lines, shipments and promises, read in one transaction; None for an unknown ref."""
    so = t.sales_orders.c
    order = conn.execute(
        select(so.id, so.order_ref, so.customer, so.ordered_at, so.status, so.ship_policy).where(
            so.order_ref == order_ref
        )
    ).one_or_none()
    if order is None:
        return None
    rows = _lines(conn, order.id)
    promises = _promises(conn, [r.id for r in rows])
    context = _Context.read(conn, promises.values())
    return OrderOverview(
        order_ref=order.order_ref,
        customer=order.customer,
        ordered_on=order.ordered_at.date(),
        status=order.status,
        ship_policy=order.ship_policy,
        lines=tuple(_line_status(r, promises.get(r.id), context) for r in rows),
        shipments=_shipments(conn, order.id),
    )


def _lines(conn: Connection, order_id: int) -> list[Any]:
    ol, items, suppliers = t.order_lines, t.items, t.suppliers
    return list(
        conn.execute(
            select(
                ol.c.id,
                ol.c.line_no,
                ol.c.kind,
                ol.c.quantity,
                ol.c.allocated,
                ol.c.shipped,
                ol.c.cancelled,
                ol.c.options,
                items.c.sku,
                items.c.name,
                items.c.release_date,
                suppliers.c.name.label("supplier"),
            )
            .join(items, items.c.id == ol.c.item_id)
            .outerjoin(suppliers, suppliers.c.id == items.c.supplier_id)
            .where(ol.c.order_id == order_id)
            .order_by(ol.c.line_no)
        )
    )


@dataclass(frozen=True)
class _Stored:
    promised_date: date | None
    reason: str
    basis: str
    parts: tuple[tuple[Decimal, date | None, str, str], ...]


def _promises(conn: Connection, line_ids: list[int]) -> dict[int, _Stored]:
    lp, pp = t.line_promises.c, t.promise_parts.c
    found = {}
    for r in conn.execute(
        select(lp.line_id, lp.promised_date, lp.reason, lp.basis, pp.parts)
        .join(t.promise_parts, pp.parts_key == lp.parts_key)
        .where(lp.line_id.in_(line_ids))
    ):
        found[r.line_id] = _Stored(r.promised_date, r.reason, r.basis, _parts(r.parts))
    return found


def _parts(text: str) -> tuple[tuple[Decimal, date | None, str, str], ...]:
    """The stored parts: (quantity, date, reason, basis), as `planning.promises.by_line` wrote them."""
    try:
        raw = json.loads(text)
    except ValueError:
        return ()
    return tuple(
        (
            Decimal(str(p["quantity"])),
            date.fromisoformat(p["date"]) if p.get("date") else None,
            str(p.get("reason", "")),
            str(p.get("basis", "")),
        )
        for p in raw
        if isinstance(p, dict) and "quantity" in p
    )


@dataclass(frozen=True)
class _Context:
    """The names a promise's words need: which refs are POs or MOs, suppliers, component names."""

    purchase_suppliers: dict[str, str]
    making_refs: set[str]
    item_names: dict[str, str]

    @classmethod
    def read(cls, conn: Connection, promises: Iterable[_Stored]) -> _Context:
        reasons, refs = [], set()
        for p in promises:
            for reason, basis in [(p.reason, p.basis), *((q[2], q[3]) for q in p.parts)]:
                reasons.append(reason)
                if basis not in _NAMED_BASES:
                    refs.add(basis)
        skus = {c.sku for c in map(waited_on, reasons) if c is not None}
        skus |= {sku for sku in map(held_by, reasons) if sku is not None}
        po, mo, items = t.purchase_orders.c, t.manufacturing_orders.c, t.items.c
        suppliers: dict[str, str] = {}
        if refs:
            query = (
                select(po.po_ref, t.suppliers.c.name.label("supplier"))
                .join(t.suppliers, t.suppliers.c.id == po.supplier_id)
                .where(po.po_ref.in_(refs))
            )
            suppliers = {r.po_ref: r.supplier for r in conn.execute(query)}
        made = set(conn.execute(select(mo.mo_ref).where(mo.mo_ref.in_(refs))).scalars()) if refs else set()
        names: dict[str, str] = {}
        if skus:
            names = {
                r.sku: r.name for r in conn.execute(select(items.sku, items.name).where(items.sku.in_(skus)))
            }
        return cls(suppliers, made, names)

    def waiting(self, row: Any, *, promised_date: date | None, reason: str, basis: str | None) -> Waiting:
        """The plain data `wording.explain` needs for one waiting quantity of a line."""
        component = waited_on(reason) if basis is not None else None
        # Only a component the catalogue knows is named: a reason read wrongly says nothing odd.
        name = None if component is None else self.item_names.get(component.sku)
        holding = held_by(reason) if basis is not None else None
        supplier = self.purchase_suppliers.get(basis or "") or row.supplier
        return Waiting(
            item_name=row.name,
            promised_date=promised_date,
            basis=basis,
            reason=reason,
            source=(
                Source.OPEN_TERM
                if basis is None
                else source_of(
                    basis, reason, purchase_refs=self.purchase_suppliers, making_refs=self.making_refs
                )
            ),
            kind=row.kind,
            component=name,
            component_made=name is not None and component is not None and component.made,
            supplier=supplier,
            release_date=row.release_date,
            ships_with=None if holding is None else self.item_names.get(holding, holding),
        )


def _line_status(row: Any, stored: _Stored | None, context: _Context) -> LineStatus:
    open_quantity = row.quantity - row.allocated - row.shipped - row.cancelled
    preorder = row.kind == "preorder"
    promised_date: date | None = None
    explanation: str | None = None
    parts: tuple[WaitingPart, ...] = ()
    if open_quantity > 0:
        if stored is None:
            explanation = explain(context.waiting(row, promised_date=None, reason="", basis=None))
        else:
            promised_date = stored.promised_date
            explanation = explain(
                context.waiting(row, promised_date=promised_date, reason=stored.reason, basis=stored.basis)
            )
            if len(stored.parts) > 1:
                parts = tuple(
                    WaitingPart(
                        quantity,
                        day,
                        explain(context.waiting(row, promised_date=day, reason=reason, basis=basis)),
                    )
                    for quantity, day, reason, basis in stored.parts
                )
    zero = Decimal(0)
    return LineStatus(
        line_no=row.line_no,
        sku=row.sku,
        name=row.name,
        kind=row.kind,
        ordered=row.quantity,
        shipped=row.shipped,
        allocated=row.allocated,
        backordered=zero if preorder else open_quantity,
        preordered=open_quantity if preorder else zero,
        cancelled=row.cancelled,
        promised_date=promised_date,
        explanation=explanation,
        parts=parts,
        options=row.options,
    )


def _shipments(conn: Connection, order_id: int) -> tuple[ShipmentStatus, ...]:
    sh, sl, items = t.shipments.c, t.shipment_lines.c, t.items.c
    found = list(
        conn.execute(
            select(sh.id, sh.shipment_ref, sh.shipped_on, sh.tracking)
            .where(sh.order_id == order_id)
            .order_by(sh.shipped_on, sh.id)
        )
    )
    carried: dict[int, list[ShippedLine]] = {r.id: [] for r in found}
    if carried:
        for r in conn.execute(
            select(sl.shipment_id, items.sku, items.name, sl.quantity)
            .join(t.items, items.id == sl.item_id)
            .where(sl.shipment_id.in_(list(carried)))
            .order_by(sl.shipment_id, sl.line_no, sl.id)
        ):
            carried[r.shipment_id].append(ShippedLine(r.sku, r.name, r.quantity))
    return tuple(
        ShipmentStatus(r.shipment_ref, r.shipped_on, r.tracking, tuple(carried[r.id])) for r in found
    )
