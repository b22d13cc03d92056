"""Backorder facts: open backorders by day, lines placed by day, backorder history, stockout days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Date, bindparam, func, literal_column, or_, select, text

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.kpis.scope import MICRO, ZERO, Scope, day_after, day_of, items_in_scope
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain.kpis import Period


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
        items_in_scope(ol.item_id, where),
    )
    rows = conn.execute(
        select(ol.backordered_on, func.count(), func.sum(open_units, type_=ExactDecimal()), value)
        .where(*waiting)
        .group_by(ol.backordered_on)
    ).all()
    found = [OpenDay(r[0], int(r[1]), r[2], r[3] or ZERO) for r in rows if r[0] is not None]
    if len(found) < len(rows):
        day = day_of(conn, so.ordered_at)
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
        .where(pd.day >= period.start, pd.day <= period.end, items_in_scope(pd.item_id, where))
        .group_by(pd.day)
        .having(func.sum(pd.lines) > 0)
    ).all()
    return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}


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
    scoped = items_in_scope(ol.item_id, where)
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


def stockout_days(conn: Connection, period: Period, where: Scope = Scope()) -> dict[str, int]:
    """Days in the period each SKU ended with nothing on hand, from its first ledger movement on.

    The ledger summed per SKU and day (`stock_days`, kept by triggers with every movement,
    migration 0015; one row per SKU and day, so only the history before the period is summed,
    into one opening row); a balance holds until the SKU's next day with movements.
    """
    after_end = day_after(period.end)
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
