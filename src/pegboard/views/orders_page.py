"""The orders list for people: ranked by priority then date, filtered, a page at a time.

Each order carries an availability mark: everything left is reserved ("in stock"), a date
every waiting line is promised by ("expected"), a line without a date ("open term"), or held
whole under a `complete` ship policy ("on hold"). The promised date is set against the first
date promised (what the customer was first told): a later one is late, in red and in words.
Pages follow the index on (priority DESC, ordered_at, id): the next page starts after a cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection, and_, exists, func, or_, select

from pegboard.adapters.db import tables as t
from pegboard.domain.quantities import ZERO
from pegboard.views.models import late_against_request

PAGE_SIZE = 50
STATUS_CHOICES = (
    ("active", "Open or partly shipped"),
    ("all", "All orders"),
    ("open", "Open"),
    ("partially_shipped", "Partly shipped"),
    ("shipped", "Shipped"),
    ("cancelled", "Cancelled"),
)
ACTIVE = ("open", "partially_shipped")


@dataclass(frozen=True)
class OrderFilters:
    """What the list is narrowed to; `after` is the cursor of the page's first row's predecessor."""

    status: str = "active"
    sku: str = ""
    customer: str = ""
    q: str = ""
    backordered: bool = False
    after: str = ""

    def query(self, **changes: str) -> str:
        """These filters as a query string, with some changed (for links to other pages)."""
        values = {
            "status": self.status,
            "sku": self.sku,
            "customer": self.customer,
            "q": self.q,
            "backordered": "1" if self.backordered else "",
            "after": self.after,
        } | changes
        return urlencode({k: v for k, v in values.items() if v and not (k == "status" and v == "active")})

    def url(self, **changes: str) -> str:
        """The orders list with these filters (some changed)."""
        query = self.query(**changes)
        return f"/orders?{query}" if query else "/orders"


@dataclass(frozen=True)
class Availability:
    """An order's availability mark: kind (in_stock, expected, open_term, on_hold, done) and words."""

    kind: str
    words: str
    expected: date | None = None


@dataclass(frozen=True)
class OrderRow:
    """One order in the list."""

    order_ref: str
    customer: str
    ordered_on: date
    priority: int
    status: str
    ship_policy: str
    total: Decimal | None
    backordered: Decimal
    availability: Availability
    promised: date | None
    first_promised: date | None
    late: str | None
    #: The day the customer asked for (None: not said), and words when the order misses it.
    requested: date | None = None
    late_for_request: str | None = None


@dataclass(frozen=True)
class OrdersPage:
    """A page of the ranked orders, the filters that chose them, and the cursor to the next page."""

    today: date
    filters: OrderFilters
    rows: tuple[OrderRow, ...]
    next_after: str | None
    status_choices: tuple[tuple[str, str], ...] = STATUS_CHOICES
    can_write: bool = False
    notes: tuple[str, ...] = field(default=())


def cursor_of(priority: int, ordered_at: datetime, row_id: int) -> str:
    """The cursor after an order: its place in the ranking."""
    return f"{priority}~{ordered_at.isoformat()}~{row_id}"


def parse_cursor(text: str) -> tuple[int, datetime, int] | None:
    """A cursor's (priority, ordered_at, id); None for anything else."""
    try:
        priority, when, row_id = text.split("~")
        return int(priority), datetime.fromisoformat(when), int(row_id)
    except ValueError:
        return None


def orders_page(conn: Connection, filters: OrderFilters, *, today: date, can_write: bool) -> OrdersPage:
    """The page of orders after the filters' cursor, best ranked first."""
    so, ol, items = t.sales_orders.c, t.order_lines.c, t.items.c
    query = select(
        so.id,
        so.order_ref,
        so.customer,
        so.ordered_at,
        so.priority,
        so.status,
        so.ship_policy,
        so.requested_date,
    ).order_by(so.priority.desc(), so.ordered_at, so.id)
    if filters.status == "active":
        query = query.where(so.status.in_(ACTIVE))
    elif filters.status != "all":
        query = query.where(so.status == filters.status)
    if filters.sku:
        query = query.where(
            exists(
                select(ol.id)
                .join(t.items, items.id == ol.item_id)
                .where(ol.order_id == so.id, items.sku == filters.sku)
            )
        )
    if filters.customer:
        query = query.where(func.lower(so.customer).contains(filters.customer.lower(), autoescape=True))
    if filters.q:
        needle = filters.q.lower()
        query = query.where(
            or_(
                func.lower(so.order_ref).contains(needle, autoescape=True),
                func.lower(so.customer).contains(needle, autoescape=True),
                func.lower(so.email).contains(needle, autoescape=True),
            )
        )
    if filters.backordered:
        query = query.where(
            exists(
                select(ol.id).where(
                    ol.order_id == so.id,
                    ol.quantity > ol.allocated + ol.shipped + ol.cancelled,
                    ol.kind == "stock",
                )
            )
        )
    after = parse_cursor(filters.after) if filters.after else None
    if after is not None:
        priority, when, row_id = after
        query = query.where(
            or_(
                so.priority < priority,
                and_(
                    so.priority == priority,
                    or_(so.ordered_at > when, and_(so.ordered_at == when, so.id > row_id)),
                ),
            )
        )
    found = conn.execute(query.limit(PAGE_SIZE + 1)).all()
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    lines = _lines(conn, [r.id for r in found])
    rows = tuple(_row(r, lines.get(r.id, []), today) for r in found)
    last = found[-1] if found else None
    next_after = cursor_of(last.priority, last.ordered_at, last.id) if more and last is not None else None
    return OrdersPage(today, filters, rows, next_after, can_write=can_write)


def _lines(conn: Connection, order_ids: Sequence[int]) -> dict[int, list[Any]]:
    if not order_ids:
        return {}
    ol, lp = t.order_lines.c, t.line_promises.c
    found: dict[int, list[Any]] = {}
    for r in conn.execute(
        select(
            ol.order_id,
            ol.kind,
            ol.quantity,
            ol.allocated,
            ol.shipped,
            ol.cancelled,
            ol.unit_price,
            lp.promised_date,
            lp.first_date,
            lp.basis,
        )
        .outerjoin(t.line_promises, lp.line_id == ol.id)
        .where(ol.order_id.in_(list(order_ids)))
    ):
        found.setdefault(r.order_id, []).append(r)
    return found


def _row(order: Any, lines: list[Any], today: date) -> OrderRow:
    total: Decimal | None = None
    allocated = waiting = backordered = ZERO
    dates: list[date] = []
    firsts: list[date] = []
    undated = False
    for line in lines:
        if line.unit_price is not None:
            total = (total or ZERO) + line.quantity * line.unit_price
        open_quantity = line.quantity - line.allocated - line.shipped - line.cancelled
        allocated += line.allocated
        if open_quantity <= 0:
            continue
        waiting += open_quantity
        if line.kind == "stock":
            backordered += open_quantity
        if line.promised_date is None:
            undated = True
        else:
            dates.append(line.promised_date)
        if line.first_date is not None:
            firsts.append(line.first_date)
    promised = max(dates) if dates and not undated else None
    first = max(firsts) if firsts else None
    availability = _availability(order, waiting=waiting, allocated=allocated, promised=promised)
    late = None
    if promised is not None and promised < today:
        late = "overdue"
    elif promised is not None and first is not None and promised > first:
        late = "later than first promised"
    return OrderRow(
        order_ref=order.order_ref,
        customer=order.customer,
        ordered_on=order.ordered_at.date(),
        priority=order.priority,
        status=order.status,
        ship_policy=order.ship_policy,
        total=total,
        backordered=backordered,
        availability=availability,
        promised=promised,
        first_promised=first,
        late=late,
        requested=order.requested_date,
        late_for_request=late_against_request(
            order.requested_date, promised, still_open=order.status in ACTIVE, today=today
        ),
    )


def _availability(order: Any, *, waiting: Decimal, allocated: Decimal, promised: date | None) -> Availability:
    if order.status not in ACTIVE:
        return Availability("done", "shipped" if order.status == "shipped" else "cancelled")
    if waiting == 0:
        return Availability("in_stock", "all in stock")
    if order.ship_policy == "complete" and allocated > 0:
        return Availability("on_hold", "on hold until complete", promised)
    if promised is None:
        return Availability("open_term", "open term")
    return Availability("expected", "expected", promised)


NEW_ORDER_LINES = 5


@dataclass(frozen=True)
class NewOrderPage:
    """The new-order form (phone and counter orders): values as typed, and the SKUs to pick from."""

    values: dict[str, str]
    skus: tuple[tuple[str, str], ...]
    line_count: int = NEW_ORDER_LINES

    def value(self, name: str, default: str = "") -> str:
        """What was typed in a field (kept after a refusal)."""
        return self.values.get(name, default)


def new_order_page(conn: Connection, values: dict[str, str]) -> NewOrderPage:
    """The form with the catalogue's SKUs (up to 2,000) offered as suggestions."""
    items = t.items.c
    skus = tuple(
        (r.sku, r.name) for r in conn.execute(select(items.sku, items.name).order_by(items.sku).limit(2000))
    )
    return NewOrderPage(values, skus)
