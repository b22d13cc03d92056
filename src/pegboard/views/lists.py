"""Lists of orders, backorders, preorders and supply orders, filtered and paginated.

A line's open quantity (ordered minus allocated, shipped and cancelled) is a backorder on a
stock line, a preorder on a preorder line and with the supplier on a drop-ship line: each is
counted in its own figure, never in another's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from more_itertools import sliced
from sqlalchemy import Connection, and_, literal, select, union_all

from pegboard.adapters.db import tables as t
from pegboard.domain.quantities import ZERO
from pegboard.domain.sales import LineKind
from pegboard.planning.result import FeasibleDates
from pegboard.views.models import BackorderView, OrderLineView, OrderView, PreorderView, SupplyView
from pegboard.views.stored_plan import PlanState

STOCK, PREORDER, DROPSHIP = (kind.value for kind in LineKind)


def orders(
    conn: Connection,
    *,
    status: str | None = None,
    sku: str | None = None,
    order_ref: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[OrderView]:
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
    lines: dict[int, list[OrderLineView]] = {r.id: [] for r in rows}
    ids = list(lines)
    for chunk in sliced(ids, 1000):
        for r in conn.execute(
            select(ol, t.items.c.sku)
            .join(t.items, t.items.c.id == ol.c.item_id)
            .where(ol.c.order_id.in_(chunk))
            .order_by(ol.c.order_id, ol.c.line_no)
        ):
            open_quantity = r.quantity - r.allocated - r.shipped - r.cancelled
            lines[r.order_id].append(
                OrderLineView(
                    line_no=r.line_no,
                    sku=r.sku,
                    kind=r.kind,
                    quantity=r.quantity,
                    allocated=r.allocated,
                    shipped=r.shipped,
                    backordered=open_quantity if r.kind == STOCK else ZERO,
                    preordered=open_quantity if r.kind == PREORDER else ZERO,
                    awaiting_supplier=open_quantity if r.kind == DROPSHIP else ZERO,
                    cancelled=r.cancelled,
                    unit_price=r.unit_price,
                    backordered_on=r.backordered_on,
                    options=r.options,
                )
            )
    return [
        OrderView(
            order_ref=r.order_ref,
            customer=r.customer,
            email=r.email,
            ordered_at=r.ordered_at,
            priority=r.priority,
            ship_policy=r.ship_policy,
            status=r.status,
            ship_to=r.ship_to,
            requested_date=r.requested_date,
            lines=tuple(lines[r.id]),
        )
        for r in rows
    ]


def backorders(
    conn: Connection,
    *,
    today: date,
    sku: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[BackorderView]:
    """Open backorders, oldest first: what is owed, since when, and how many days it waits.

    Only stock lines: a preorder or a drop-ship line's open quantity is not a backorder.
    """
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
        .where(ol.c.quantity > ol.c.allocated + ol.c.shipped + ol.c.cancelled, ol.c.kind == STOCK)
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
            BackorderView(
                order_ref=r.order_ref,
                line_no=r.line_no,
                sku=r.sku,
                quantity=r.quantity - r.allocated - r.shipped - r.cancelled,
                opened_at=opened,
                age_days=max((today - opened).days, 0),
                customer=r.customer,
                priority=r.priority,
            )
        )
    return found


def preorders(
    conn: Connection,
    *,
    today: date,
    sku: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[PreorderView]:
    """Open preorders, earliest release first: what the customers chose to wait for, and until when.

    `released` says the release date has come (the line now waits for stock like a backorder,
    still counted here).
    """
    so, ol = t.sales_orders, t.order_lines
    query = (
        select(
            so.c.order_ref,
            so.c.customer,
            so.c.priority,
            so.c.ordered_at,
            ol.c.line_no,
            t.items.c.sku,
            t.items.c.release_date,
            ol.c.quantity,
            ol.c.allocated,
            ol.c.shipped,
            ol.c.cancelled,
        )
        .join(so, so.c.id == ol.c.order_id)
        .join(t.items, t.items.c.id == ol.c.item_id)
        .where(ol.c.quantity > ol.c.allocated + ol.c.shipped + ol.c.cancelled, ol.c.kind == PREORDER)
        .order_by(t.items.c.release_date.nulls_first(), so.c.ordered_at, so.c.id, ol.c.line_no)
    )
    if sku:
        query = query.where(t.items.c.sku == sku)
    if limit is not None:
        query = query.limit(limit)
    query = query.offset(offset)
    return [
        PreorderView(
            order_ref=r.order_ref,
            line_no=r.line_no,
            sku=r.sku,
            quantity=r.quantity - r.allocated - r.shipped - r.cancelled,
            release_date=r.release_date,
            released=r.release_date is None or r.release_date <= today,
            ordered_at=r.ordered_at.date(),
            customer=r.customer,
            priority=r.priority,
        )
        for r in conn.execute(query)
    ]


def supply(conn: Connection, *, include_closed: bool = False, sku: str | None = None) -> list[SupplyView]:
    """Open purchase and manufacturing orders, one row per SKU, earliest expected first.

    `dropship` marks a drop-ship PO (its supplier ships to the customer of `order_ref`).
    """
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
            t.sales_orders.c.order_ref,
            literal("").label("options"),
        )
        .join(po, po.c.id == pol.c.po_id)
        .join(t.items, t.items.c.id == pol.c.item_id)
        .join(t.suppliers, t.suppliers.c.id == po.c.supplier_id)
        .outerjoin(t.sales_orders, t.sales_orders.c.id == po.c.order_id)
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
        literal(None).label("order_ref"),
        mo.c.options,
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
        SupplyView(
            ref=r.ref,
            kind=r.kind,
            sku=r.sku,
            quantity=r.quantity,
            received=r.received,
            expected_date=r.expected_date,
            status=r.status,
            supplier=r.supplier,
            dropship=r.order_ref is not None,
            order_ref=r.order_ref,
            options=r.options,
        )
        for r in rows
    ]


def with_feasible(rows: list[SupplyView], dates: dict[str, FeasibleDates]) -> list[SupplyView]:
    """The supply rows with each open MO's feasible dates and why they moved (`planning.late_supply`)."""
    return [
        row
        if row.kind != "mo" or row.ref not in dates
        else replace(
            row,
            feasible_start=dates[row.ref].start_date,
            feasible_due=dates[row.ref].finish_date,
            late_because=dates[row.ref].late_because,
        )
        for row in rows
    ]


def with_feasible_as_of(
    rows: list[SupplyView],
    stored: dict[str, FeasibleDates],
    now: dict[str, FeasibleDates],
    *,
    state: PlanState,
    today: date,
) -> list[SupplyView]:
    """`with_feasible`, each dated MO also saying how old its dates are: those the stored plan kept
    carry its day and whether planning's inputs changed since (`plan_state`); those dated on the
    read (`now`: opened since the plan, or no plan stored) carry today and are never out of date."""

    def aged(row: SupplyView) -> SupplyView:
        if row.kind != "mo":
            return row
        if row.ref in stored and state.planned_on is not None:
            return replace(row, plan_as_of=state.planned_on, plan_out_of_date=state.out_of_date)
        if row.ref in now:
            return replace(row, plan_as_of=today, plan_out_of_date=False)
        return row

    return [aged(row) for row in with_feasible(rows, stored | now)]
