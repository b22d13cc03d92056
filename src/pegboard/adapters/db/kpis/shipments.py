"""Shipment facts: shipped lines grouped by what the figures need, completed orders, supplier deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, and_, case, func, or_, select

from pegboard.adapters.db import learning
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.kpis.scope import Scope, day_of, items_in_scope
from pegboard.domain.kpis import Period
from pegboard.planning.reliability import Delivery


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
    ordered = case((lp.first_date.is_(None), day_of(conn, so.ordered_at)), else_=None)
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
        .where(in_period, items_in_scope(ol.item_id, where))
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
        select(day_of(conn, so.ordered_at).label("ordered_on"), func.max(sh.shipped_on).label("last_on"))
        .join(t.sales_orders, so.id == sh.order_id)
        .where(so.status == "shipped", sh.shipped_on >= period.start)
        .group_by(so.id, so.ordered_at)
        .having(func.max(sh.shipped_on) <= period.end)
    )
    if where.item_ids is not None:
        per_order = per_order.where(so.id.in_(select(ol.order_id).where(items_in_scope(ol.item_id, where))))
    last = per_order.subquery()
    query = select(last.c.ordered_on, last.c.last_on, func.count()).group_by(
        last.c.ordered_on, last.c.last_on
    )
    return {(r[0], r[1]): int(r[2]) for r in conn.execute(query)}


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
