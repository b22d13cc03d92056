"""Today: what needs attention now, and a strip of figures about backorders and promises.

Read in one transaction. `figures` is the read model the KPI work extends: open backorder
lines and units, the oldest backorder's age, lines shipped complete in the last 30 days,
and the share of those promised a date that shipped on or before the first date promised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, and_, exists, func, or_, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.kpis import open_backorders_by_day
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain.quantities import ZERO

#: How many rows each list of the page shows; the heading says how many there are in all.
SHOWN = 10
#: Supply due within this many days counts as "due".
DUE_WITHIN_DAYS = 7
#: The window for lines shipped complete and promises kept.
RECENT_DAYS = 30
#: Backorder ages by bucket: (label, first day, last day or None).
AGE_BUCKETS = (
    ("0 to 7 days", 0, 7),
    ("8 to 14 days", 8, 14),
    ("15 to 30 days", 15, 30),
    ("over 30 days", 31, None),
)
OPEN_SUPPLY = ("open", "partially_received", "partially_completed")
ACTIVE = ("open", "partially_shipped")
#: Lists counted one by one stop here (Today must stay quick at 100k orders).
COUNT_CAP = 1000

T = TypeVar("T")


@dataclass(frozen=True)
class AgeBucket:
    """Open backorder lines whose age falls in one range of days."""

    label: str
    lines: int
    units: Decimal
    old: bool

    @property
    def short(self) -> str:
        """The range alone, for a chart's axis: "0-7", "over 30"."""
        return self.label.removesuffix(" days").replace(" to ", "–")


@dataclass(frozen=True)
class Figures:
    """The strip of figures at the top of Today."""

    open_backorder_lines: int
    open_backorder_units: Decimal
    oldest_backorder_days: int | None
    shipped_complete_lines: int
    promises_judged: int
    promises_kept: int
    ages: tuple[AgeBucket, ...]

    @property
    def promises_kept_share(self) -> Decimal | None:
        """Promises kept as a fraction 0..1; None when no promised line shipped complete lately."""
        if not self.promises_judged:
            return None
        return Decimal(self.promises_kept) / Decimal(self.promises_judged)

    @property
    def promises_kept_percent(self) -> str:
        """The share as a whole percentage ("92 %"), or a dash when no promise could be judged yet."""
        share = self.promises_kept_share
        return "–" if share is None else f"{round(share * 100)} %"


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


@dataclass(frozen=True)
class TodayPage:
    """Everything Today shows, read at one moment."""

    today: date
    figures: Figures
    ready: Counted[ReadyOrder]
    backorders: Counted[AgedBackorder]
    supply_due: Counted[DueSupply]
    mos_to_start: Counted[MoToStart]
    held: Counted[HeldShopOrder]
    parked: Counted[ParkedEvent]


def today_page(conn: Connection, *, today: date) -> TodayPage:
    """Today's page for the business date `today`."""
    strip = figures(conn, today=today)
    return TodayPage(
        today=today,
        figures=strip,
        ready=ready_to_ship(conn),
        backorders=oldest_backorders(conn, today=today, total=strip.open_backorder_lines),
        supply_due=supply_due(conn, today=today),
        mos_to_start=mos_to_start(conn, today=today),
        held=held_shop_orders(conn),
        parked=parked_events(conn),
    )


def _waiting_stock_lines() -> tuple[ColumnElement[bool], ...]:
    ol = t.order_lines.c
    return (ol.quantity > ol.allocated + ol.shipped + ol.cancelled, ol.kind == "stock")


def figures(conn: Connection, *, today: date) -> Figures:
    """Open backorders (lines, units, age buckets, oldest) and the last 30 days' shipped lines.

    Backorders are summed per opening day in the database (a few hundred rows, however many
    lines wait); a line without an opening day counts from its order's date.
    """
    # The same grouping as the KPIs' open backorders (one query for both, in adapters/db/kpis.py).
    per_day = [(r.day, r.lines, r.units) for r in open_backorders_by_day(conn)]
    lines, total, oldest = 0, Decimal(0), None
    counts = dict.fromkeys((label for label, _, _ in AGE_BUCKETS), 0)
    sums: dict[str, Decimal] = dict.fromkeys(counts, Decimal(0))
    for day, count, open_units in per_day:
        age = max((today - day).days, 0)
        lines, total = lines + count, total + open_units
        oldest = age if oldest is None else max(oldest, age)
        for label, first, last in AGE_BUCKETS:
            if age >= first and (last is None or age <= last):
                counts[label] += count
                sums[label] += open_units
    shipped, judged, kept = _recently_complete(conn, since=today - timedelta(days=RECENT_DAYS))
    return Figures(
        open_backorder_lines=lines,
        open_backorder_units=total,
        oldest_backorder_days=oldest,
        shipped_complete_lines=shipped,
        promises_judged=judged,
        promises_kept=kept,
        ages=tuple(
            AgeBucket(label, counts[label], sums[label], old=first > RECENT_DAYS)
            for label, first, _ in AGE_BUCKETS
        ),
    )


def _recently_complete(conn: Connection, *, since: date) -> tuple[int, int, int]:
    """Lines made complete by a shipment since `since`; how many had a promise; how many kept it."""
    sh, sl, ol, lp = t.shipments.c, t.shipment_lines.c, t.order_lines.c, t.line_promises.c
    last = func.max(sh.shipped_on).label("last_shipped")
    rows = conn.execute(
        select(ol.id, last, lp.first_date)
        .select_from(t.shipment_lines)
        .join(t.shipments, sh.id == sl.shipment_id)
        .join(t.order_lines, (ol.order_id == sh.order_id) & (ol.line_no == sl.line_no))
        .outerjoin(t.line_promises, lp.line_id == ol.id)
        .where(sh.shipped_on >= since, ol.shipped > 0, ol.shipped + ol.cancelled == ol.quantity)
        .group_by(ol.id, lp.first_date)
    ).all()
    judged = [r for r in rows if r.first_date is not None]
    kept = sum(1 for r in judged if r.last_shipped <= r.first_date)
    return len(rows), len(judged), kept


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
