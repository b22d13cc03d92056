"""Today's lists of what needs attention now, each counted (up to a cap) and cut to a page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, and_, exists, func, or_, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain.quantities import ZERO

#: How many rows each list of the page shows; the heading says how many there are in all.
SHOWN = 10
#: Supply due within this many days counts as "due".
DUE_WITHIN_DAYS = 7
OPEN_SUPPLY = ("open", "partially_received", "partially_completed")
ACTIVE = ("open", "partially_shipped")
#: Lists counted one by one stop here (Today must stay quick at 100k orders).
COUNT_CAP = 1000

T = TypeVar("T")


@dataclass(frozen=True)
class ReadyOrder:
    """An order with stock reserved that can ship now (under its ship policy)."""

    order_ref: str
    customer: str
    ordered_on: date
    priority: int
    allocated: Decimal
    waiting: Decimal


@dataclass(frozen=True)
class AgedBackorder:
    """An open backorder line: since when it waits and its promised date (None: open term or no plan)."""

    order_ref: str
    sku: str
    quantity: Decimal
    age_days: int
    promised_date: date | None
    late: bool


@dataclass(frozen=True)
class DueSupply:
    """A PO line due within a week or already late."""

    ref: str
    supplier: str
    sku: str
    open_quantity: Decimal
    expected_date: date
    late: bool


@dataclass(frozen=True)
class MoToStart:
    """A manufacturing order whose start date has come (or comes within a few days)."""

    ref: str
    sku: str
    quantity: Decimal
    start_date: date
    finish_date: date
    overdue: bool


@dataclass(frozen=True)
class HeldShopOrder:
    """A Shopify order held with a problem to fix."""

    shopify_order_id: str
    order_ref: str
    problem: str
    received_at: datetime


@dataclass(frozen=True)
class ParkedEvent:
    """A notification that failed too often and waits for a retry."""

    id: str
    event_type: str
    order_ref: str | None
    last_error: str
    parked_at: datetime


@dataclass(frozen=True)
class Counted(Generic[T]):
    """The first rows of a list and how many there are in all."""

    rows: tuple[T, ...]
    total: int
    #: True when there are more than `total` (counting stopped at a cap).
    capped: bool = False

    @property
    def count_words(self) -> str:
        """How many, in words for a heading: "12", "1,000+"."""
        return f"{self.total:,}" + ("+" if self.capped else "")


def _waiting_stock_lines() -> tuple[ColumnElement[bool], ...]:
    ol = t.order_lines.c
    return (ol.quantity > ol.allocated + ol.shipped + ol.cancelled, ol.kind == "stock")


def ready_to_ship(conn: Connection) -> Counted[ReadyOrder]:
    """Orders with reserved stock that may leave now: any for `partial`, whole ones for `complete`.

    Orders holding stock are found through the index of allocated lines; only the shown ones
    have their quantities summed.
    """
    ol, so = t.order_lines.c, t.sales_orders.c
    held, waiting = t.order_lines.alias("held"), t.order_lines.alias("waiting")
    holding = exists(select(held.c.id).where(held.c.order_id == so.id, held.c.allocated > 0))
    # A scalar subquery, not NOT EXISTS: PostgreSQL would hash every waiting line for the latter.
    whole = (
        select(func.min(waiting.c.id))
        .where(
            waiting.c.order_id == so.id,
            waiting.c.quantity > waiting.c.allocated + waiting.c.shipped + waiting.c.cancelled,
        )
        .scalar_subquery()
        .is_(None)
    )
    ready = and_(so.status.in_(ACTIVE), holding, or_(so.ship_policy != "complete", whole))
    rank = (so.priority.desc(), so.ordered_at, so.id)
    # Counted up to a cap: past it the page says "1,000+", and the count stays cheap. In rank
    # order, so PostgreSQL walks the orders' rank index and probes each order's lines until the
    # cap, rather than gathering every order that holds stock first (45k lines at 100k orders).
    counted = select(so.id).where(ready).order_by(*rank).limit(COUNT_CAP + 1).subquery()
    total = int(conn.execute(select(func.count()).select_from(counted)).scalar_one())
    shown = conn.execute(
        select(so.id, so.order_ref, so.customer, so.ordered_at, so.priority)
        .where(ready)
        .order_by(*rank)
        .limit(SHOWN)
    ).all()
    sums: dict[int, tuple[Decimal, Decimal]] = {}
    if shown:
        for r in conn.execute(
            select(
                ol.order_id,
                func.sum(ol.allocated, type_=ExactDecimal()),
                func.sum(ol.quantity - ol.allocated - ol.shipped - ol.cancelled, type_=ExactDecimal()),
            )
            .where(ol.order_id.in_([r.id for r in shown]))
            .group_by(ol.order_id)
        ):
            sums[r[0]] = (r[1], r[2])
    rows = tuple(
        ReadyOrder(r.order_ref, r.customer, r.ordered_at.date(), r.priority, *sums.get(r.id, (ZERO, ZERO)))
        for r in shown
    )
    return Counted(rows, min(total, COUNT_CAP), capped=total > COUNT_CAP)


def oldest_backorders(conn: Connection, *, today: date, total: int) -> Counted[AgedBackorder]:
    """The oldest open backorder lines (of `total`) with their promised dates; late when past."""
    ol, so, lp, items = t.order_lines.c, t.sales_orders.c, t.line_promises.c, t.items.c
    oldest = (
        select(ol.id)
        .where(*_waiting_stock_lines())
        .order_by(ol.backordered_on, ol.id)
        .limit(SHOWN)
        .subquery()
    )
    rows = conn.execute(
        select(
            so.order_ref,
            items.sku,
            ol.quantity,
            ol.allocated,
            ol.shipped,
            ol.cancelled,
            ol.backordered_on,
            so.ordered_at,
            lp.promised_date,
        )
        .join(t.sales_orders, so.id == ol.order_id)
        .join(t.items, items.id == ol.item_id)
        .outerjoin(t.line_promises, lp.line_id == ol.id)
        .where(ol.id.in_(select(oldest.c.id)))
        .order_by(ol.backordered_on, ol.id)
    )
    found = []
    for r in rows:
        opened = r.backordered_on or r.ordered_at.date()
        found.append(
            AgedBackorder(
                r.order_ref,
                r.sku,
                r.quantity - r.allocated - r.shipped - r.cancelled,
                max((today - opened).days, 0),
                r.promised_date,
                late=r.promised_date is not None and r.promised_date < today,
            )
        )
    return Counted(tuple(found), total)


def supply_due(conn: Connection, *, today: date) -> Counted[DueSupply]:
    """PO lines still open and due within a week, or late; earliest first."""
    po, pol, items, sup = t.purchase_orders.c, t.purchase_order_lines.c, t.items.c, t.suppliers.c
    due = (
        select(pol.id)
        .join(t.purchase_orders, po.id == pol.po_id)
        .where(
            pol.received < pol.quantity,
            po.status.in_(OPEN_SUPPLY),
            pol.expected_date <= today + timedelta(days=DUE_WITHIN_DAYS),
        )
    )
    # Counted in the database; only the shown lines are read (thousands fall due after a plan).
    total = int(conn.execute(select(func.count()).select_from(due.subquery())).scalar_one())
    # The first lines picked before items and suppliers are joined, so only those are looked up.
    first = due.order_by(pol.expected_date, po.po_ref, pol.line_no).limit(SHOWN).scalar_subquery()
    rows = conn.execute(
        select(po.po_ref, sup.name, items.sku, pol.quantity, pol.received, pol.expected_date)
        .join(t.purchase_orders, po.id == pol.po_id)
        .join(t.items, items.id == pol.item_id)
        .join(t.suppliers, sup.id == po.supplier_id)
        .where(pol.id.in_(first))
        .order_by(pol.expected_date, po.po_ref, pol.line_no)
    ).all()
    found = [
        DueSupply(r.po_ref, r.name, r.sku, r.quantity - r.received, r.expected_date, r.expected_date < today)
        for r in rows
    ]
    return Counted(tuple(found), total)


def mos_to_start(conn: Connection, *, today: date) -> Counted[MoToStart]:
    """Open MOs not started yet whose start date is within two days (or past); earliest first."""
    mo, items = t.manufacturing_orders.c, t.items.c
    starting = (mo.status == "open", mo.completed == 0, mo.start_date <= today + timedelta(days=2))
    total = int(conn.execute(select(func.count()).where(*starting)).scalar_one())
    rows = conn.execute(
        select(mo.mo_ref, items.sku, mo.quantity, mo.start_date, mo.finish_date)
        .join(t.items, items.id == mo.item_id)
        .where(*starting)
        .order_by(mo.start_date, mo.mo_ref)
        .limit(SHOWN)
    ).all()
    found = [
        MoToStart(r.mo_ref, r.sku, r.quantity, r.start_date, r.finish_date, overdue=r.start_date < today)
        for r in rows
    ]
    return Counted(tuple(found), total)


def held_shop_orders(conn: Connection) -> Counted[HeldShopOrder]:
    """Shopify orders held with a problem, oldest first."""
    so = t.shopify_orders.c
    rows = conn.execute(
        select(so.shopify_order_id, so.order_ref, so.problem, so.received_at)
        .where(so.state == "held")
        .order_by(so.received_at)
    ).all()
    found = [
        HeldShopOrder(r.shopify_order_id, r.order_ref or "", r.problem or "", r.received_at) for r in rows
    ]
    return Counted(tuple(found[:SHOWN]), len(found))


def parked_events(conn: Connection) -> Counted[ParkedEvent]:
    """Notifications parked after too many failures, newest first."""
    ob = t.outbox.c
    base = select(ob.id, ob.event_type, ob.order_ref, ob.last_error, ob.parked_at).where(
        ob.parked_at.is_not(None), ob.delivered_at.is_(None)
    )
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = conn.execute(base.order_by(ob.parked_at.desc()).limit(SHOWN))
    found = [ParkedEvent(r.id, r.event_type, r.order_ref, r.last_error or "", r.parked_at) for r in rows]
    return Counted(tuple(found), int(total))
