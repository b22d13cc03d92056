"""The facts the KPIs are worked out from, gathered in SQL as small grouped counts.

Every query groups in the database (by day, or by a few dates per line) so that a year of
history and a hundred thousand orders come back as a few thousand rows; the arithmetic on them
(percentiles, rates, means) is `domain/kpis.py`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    type_coerce,
)

from pegboard.adapters.db import learning
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain.books import Account
from pegboard.domain.errors import UnknownSku, UnknownSupplier
from pegboard.domain.kpis import Period
from pegboard.planning.reliability import Delivery

ZERO = Decimal(0)
MICRO = 1_000_000


@dataclass(frozen=True)
class Scope:
    """Which lines and POs a figure looks at: all, one SKU's, or one supplier's items."""

    sku: str | None = None
    supplier: str | None = None
    #: Row ids of the items in scope; None for every item.
    item_ids: tuple[int, ...] | None = None
    supplier_id: int | None = None

    @property
    def everything(self) -> bool:
        """Nothing narrows the figures: the journal's totals apply as they are."""
        return self.item_ids is None and self.supplier_id is None


def scope(conn: Connection, *, sku: str | None = None, supplier: str | None = None) -> Scope:
    """The scope for a SKU and/or a supplier; an unknown one is refused, naming the field."""
    item_ids: set[int] | None = None
    supplier_id = None
    if sku is not None:
        found = conn.execute(select(t.items.c.id).where(t.items.c.sku == sku)).scalar()
        if found is None:
            raise UnknownSku(sku, field="sku")
        item_ids = {int(found)}
    if supplier is not None:
        sup = conn.execute(select(t.suppliers.c.id).where(t.suppliers.c.name == supplier)).scalar()
        if sup is None:
            raise UnknownSupplier(supplier, field="supplier")
        supplier_id = int(sup)
        theirs = set(conn.execute(select(t.items.c.id).where(t.items.c.supplier_id == supplier_id)).scalars())
        item_ids = theirs if item_ids is None else item_ids & theirs
    return Scope(sku, supplier, None if item_ids is None else tuple(sorted(item_ids)), supplier_id)


def _items(column: Any, where: Scope) -> ColumnElement[bool]:
    if where.item_ids is None:
        return true()
    if not where.item_ids:
        return literal(False)
    return column.in_(where.item_ids)  # type: ignore[no-any-return]


def _day_of(conn: Connection, column: Any) -> ColumnElement[date]:
    """The calendar day of a timestamp column, as a date on both databases."""
    if conn.dialect.name == "postgresql":
        return cast(column, Date)
    return type_coerce(func.date(column), Date)


def _after(day: date) -> date:
    return day + timedelta(days=1)


@dataclass(frozen=True)
class OpenDay:
    """Lines on backorder now that went on backorder on one day: how many, units, value at their price."""

    day: date
    lines: int
    units: Decimal
    value: Decimal


def open_backorders_by_day(conn: Connection, where: Scope = Scope()) -> list[OpenDay]:
    """Stock lines waiting now, grouped by the day they went on backorder (else their order's day).

    Grouped in the database (a few hundred rows, however many lines wait); value is the open
    quantity at the line's unit price (a line without a price adds nothing).
    """
    ol, so = t.order_lines.c, t.sales_orders.c
    open_units = ol.quantity - ol.allocated - ol.shipped - ol.cancelled
    # Micro-units times micro-units: divided back per line, so a sum never overflows.
    value = func.sum(open_units * func.coalesce(ol.unit_price, 0) / MICRO, type_=ExactDecimal())
    waiting = (
        ol.quantity > ol.allocated + ol.shipped + ol.cancelled,
        ol.kind == "stock",
        _items(ol.item_id, where),
    )
    rows = conn.execute(
        select(ol.backordered_on, func.count(), func.sum(open_units, type_=ExactDecimal()), value)
        .where(*waiting)
        .group_by(ol.backordered_on)
    ).all()
    found = [OpenDay(r[0], int(r[1]), r[2], r[3] or ZERO) for r in rows if r[0] is not None]
    if len(found) < len(rows):
        day = _day_of(conn, so.ordered_at)
        undated = conn.execute(
            select(day, func.count(), func.sum(open_units, type_=ExactDecimal()), value)
            .join(t.sales_orders, so.id == ol.order_id)
            .where(*waiting, ol.backordered_on.is_(None))
            .group_by(day)
        ).all()
        found += [OpenDay(r[0], int(r[1]), r[2], r[3] or ZERO) for r in undated]
    return found


def placed_by_day(conn: Connection, period: Period, where: Scope = Scope()) -> dict[date, tuple[int, int]]:
    """Stock lines of orders placed each day: (lines, lines not fully allocated when placed).

    From the rollup `placed_days` (per day and item, kept by triggers, migration 0015).
    """
    pd = t.placed_days.c
    rows = conn.execute(
        select(pd.day, func.sum(pd.lines), func.sum(pd.backordered_at_order))
        .where(pd.day >= period.start, pd.day <= period.end, _items(pd.item_id, where))
        .group_by(pd.day)
        .having(func.sum(pd.lines) > 0)
    ).all()
    return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}


@dataclass(frozen=True)
class ShippedGroup:
    """Lines alike in their shipment dates, promise and order day; `lines` says how many.

    `whole_at_once`: the line's first shipment carried its whole quantity. `complete`: nothing is
    left open (shipped plus cancelled is the quantity). `promised`: a promise was ever stored;
    `first_promise` the first dated one (None with `promised`: open term so far).
    """

    first_shipped: date
    last_shipped: date
    whole_at_once: bool
    complete: bool
    promised: bool
    first_promise: date | None
    ordered_on: date
    lines: int


def shipped_lines(conn: Connection, period: Period, where: Scope = Scope()) -> list[ShippedGroup]:
    """Lines whose first or last shipment falls in the period, grouped by what the figures need.

    For every item, from the rollup `shipped_days` (kept by triggers, migration 0016). Each line
    keeps the days of its first and last shipment (`first_shipped_on`,
    `last_shipped_on`, indexed), so one period of a long history is read by index.
    """
    if where.item_ids is None:
        return _shipped_rollup(conn, period)
    ol, so, lp = t.order_lines.c, t.sales_orders.c, t.line_promises.c
    in_period = or_(
        and_(ol.first_shipped_on >= period.start, ol.first_shipped_on <= period.end),
        and_(ol.last_shipped_on >= period.start, ol.last_shipped_on <= period.end),
    )
    complete = ol.shipped + ol.cancelled == ol.quantity
    promised = lp.line_id.is_not(None)
    # The order's day matters only for a line never promised a date (due within handling days).
    ordered = case((lp.first_date.is_(None), _day_of(conn, so.ordered_at)), else_=None)
    keys = (
        ol.first_shipped_on,
        ol.last_shipped_on,
        ol.shipped_whole_at_once,
        complete,
        promised,
        lp.first_date,
        ordered,
    )
    rows = conn.execute(
        select(*keys, func.count())
        .join(t.sales_orders, so.id == ol.order_id)
        .outerjoin(t.line_promises, lp.line_id == ol.id)
        .where(in_period, _items(ol.item_id, where))
        .group_by(*keys)
    ).all()
    return [
        ShippedGroup(
            r[0],
            r[1],
            bool(r[2]),
            bool(r[3]),
            bool(r[4]),
            r[5],
            r[6] if r[6] is not None else r[0],
            int(r[7]),
        )
        for r in rows
    ]


#: What `shipped_days` stores for "none" (its key columns cannot be NULL).
_NO_DATE = date(1, 1, 1)


def _shipped_rollup(conn: Connection, period: Period) -> list[ShippedGroup]:
    """`shipped_lines` for every item, from the rollup kept by triggers (migration 0016)."""
    sd = t.shipped_days.c
    rows = conn.execute(
        select(
            sd.first_shipped_on,
            sd.last_shipped_on,
            sd.whole_at_once,
            sd.complete,
            sd.promised,
            sd.first_promise,
            sd.ordered_on,
            sd.lines,
        ).where(
            sd.lines > 0,
            or_(
                and_(sd.first_shipped_on >= period.start, sd.first_shipped_on <= period.end),
                and_(sd.last_shipped_on >= period.start, sd.last_shipped_on <= period.end),
            ),
        )
    ).all()
    return [
        ShippedGroup(
            r[0],
            r[1],
            bool(r[2]),
            bool(r[3]),
            bool(r[4]),
            None if r[5] == _NO_DATE else r[5],
            r[0] if r[6] == _NO_DATE else r[6],
            int(r[7]),
        )
        for r in rows
    ]


def orders_completed(
    conn: Connection, period: Period, where: Scope = Scope()
) -> dict[tuple[date, date], int]:
    """Orders shipped complete whose last shipment falls in the period: {(ordered on, last shipped): n}.

    Only shipments from the period's first day on are read (by index): an order whose last
    shipment is in the period has it among them, and one with a later shipment is left out by
    the HAVING. Grouping after the join keeps the planner's estimates (and its hash join) right.
    """
    sh, so, ol = t.shipments.c, t.sales_orders.c, t.order_lines.c
    per_order = (
        select(_day_of(conn, so.ordered_at).label("ordered_on"), func.max(sh.shipped_on).label("last_on"))
        .join(t.sales_orders, so.id == sh.order_id)
        .where(so.status == "shipped", sh.shipped_on >= period.start)
        .group_by(so.id, so.ordered_at)
        .having(func.max(sh.shipped_on) <= period.end)
    )
    if where.item_ids is not None:
        per_order = per_order.where(so.id.in_(select(ol.order_id).where(_items(ol.item_id, where))))
    last = per_order.subquery()
    query = select(last.c.ordered_on, last.c.last_on, func.count()).group_by(
        last.c.ordered_on, last.c.last_on
    )
    return {(r[0], r[1]): int(r[2]) for r in conn.execute(query)}


@dataclass(frozen=True)
class BackorderHistory:
    """Lines by the day they first went on backorder and by the day they left it (to the period's
    end), and the backorders served in the period: {(went on, left): n}."""

    opened: dict[date, int]
    ended: dict[date, int]
    served: dict[tuple[date, date], int]


def backorder_history(conn: Connection, period: Period, where: Scope = Scope()) -> BackorderHistory:
    """Counts by day from each line's backorder history (`first_backordered_on`, `backorder_ended_on`).

    A line that left backorder before the period adds one and takes one away on every day of it,
    so it is left out of both counts.
    """
    ol = t.order_lines.c
    scoped = _items(ol.item_id, where)
    opened = conn.execute(
        select(ol.first_backordered_on, func.count())
        .where(
            ol.first_backordered_on <= period.end,
            or_(ol.backorder_ended_on.is_(None), ol.backorder_ended_on >= period.start),
            scoped,
        )
        .group_by(ol.first_backordered_on)
    ).all()
    # The lines that left backorder in the period, once: by the days they went on and left it,
    # and whether any of it was cancelled (a served backorder had nothing cancelled).
    uncancelled = ol.cancelled == literal_column("0")
    left = conn.execute(
        select(ol.first_backordered_on, ol.backorder_ended_on, uncancelled, func.count())
        .where(
            ol.backorder_ended_on >= period.start,
            ol.backorder_ended_on <= period.end,
            ol.first_backordered_on.is_not(None),
            scoped,
        )
        .group_by(ol.first_backordered_on, ol.backorder_ended_on, uncancelled)
    ).all()
    ended: dict[date, int] = {}
    served: dict[tuple[date, date], int] = {}
    for went, gone, uncancelled, n in left:
        ended[gone] = ended.get(gone, 0) + int(n)
        if uncancelled:
            served[(went, gone)] = served.get((went, gone), 0) + int(n)
    return BackorderHistory({r[0]: int(r[1]) for r in opened}, ended, served)


def deliveries(conn: Connection, period: Period, where: Scope = Scope()) -> list[Delivery]:
    """PO receipts into stock in the period, of the items (or the supplier) in scope.

    The same receipts and first expected dates planning learns supplier reliability from
    (`adapters/db/learning.py`), only narrowed to the period.
    """
    return learning.deliveries(
        conn,
        received_from=period.start,
        received_to=period.end,
        item_ids=where.item_ids,
        supplier_id=where.supplier_id,
    )


def stockout_days(conn: Connection, period: Period, where: Scope = Scope()) -> dict[str, int]:
    """Days in the period each SKU ended with nothing on hand, from its first ledger movement on.

    The ledger summed per SKU and day (`stock_days`, kept by triggers with every movement,
    migration 0015; one row per SKU and day, so only the history before the period is summed,
    into one opening row); a balance holds until the SKU's next day with movements.
    """
    after_end = _after(period.end)
    if conn.dialect.name == "postgresql":
        span = "(COALESCE(next_day, :after_end) - day)"
    else:
        span = "CAST(julianday(COALESCE(next_day, :after_end)) - julianday(day) AS INTEGER)"
    scoped = "" if where.item_ids is None else "AND item_id IN :item_ids"
    if where.item_ids is not None and not where.item_ids:
        return {}
    sql = f"""
        WITH daily AS (
            SELECT item_id, :start AS day, SUM(quantity) AS q
            FROM stock_days WHERE moved_on < :start {scoped} GROUP BY item_id
            UNION ALL
            SELECT item_id, moved_on AS day, quantity AS q
            FROM stock_days WHERE moved_on >= :start AND moved_on <= :end {scoped}
        ), balances AS (
            SELECT item_id, day,
                   SUM(q) OVER (PARTITION BY item_id ORDER BY day) AS balance,
                   LEAD(day) OVER (PARTITION BY item_id ORDER BY day) AS next_day
            FROM daily
        )
        SELECT items.sku, SUM({span}) AS days
        FROM balances JOIN items ON items.id = balances.item_id
        WHERE balance <= 0
        GROUP BY items.sku
    """
    statement = text(sql).bindparams(
        bindparam("start", type_=Date), bindparam("end", type_=Date), bindparam("after_end", type_=Date)
    )
    params: dict[str, Any] = {"start": period.start, "end": period.end, "after_end": after_end}
    if where.item_ids is not None:
        statement = statement.bindparams(bindparam("item_ids", expanding=True))
        params["item_ids"] = list(where.item_ids)
    return {sku: int(days) for sku, days in conn.execute(statement, params) if days}


def journal_figures(conn: Connection, period: Period) -> tuple[Decimal, Decimal]:
    """(Deposits held at the period's end, revenue booked in the period) from the journal."""
    je, jl = t.journal_entries.c, t.journal_lines.c
    net = func.sum(jl.credit - jl.debit, type_=ExactDecimal())
    deposits = conn.execute(
        select(net)
        .join(t.journal_entries, je.id == jl.entry_id)
        .where(jl.account == Account.DEPOSITS.value, je.booked_on <= period.end)
    ).scalar()
    revenue = conn.execute(
        select(net)
        .join(t.journal_entries, je.id == jl.entry_id)
        .where(
            jl.account == Account.REVENUE.value,
            je.booked_on >= period.start,
            je.booked_on <= period.end,
        )
    ).scalar()
    return deposits or ZERO, revenue or ZERO
