"""Backorders consolidated per SKU: how much waits, for whom, since when, and on what supply.

Only stock lines count (a preorder or a drop-ship line's open quantity is no backorder). A
line's promise is the one the last plan stored; its parts name the supply they rest on.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, select

from pegboard.adapters.db import tables as t
from pegboard.domain.sales import LineKind
from pegboard.views.sql import dates_in_words, units
from pegboard.views.stated import NOT_A_REF, Stated, stated_beside


@dataclass(frozen=True)
class BackorderLine:
    """One waiting order line and its promise (None: open term or not planned yet)."""

    order_ref: str
    line_no: int
    customer: str
    priority: int
    quantity: Decimal
    opened_on: date
    age_days: int
    promised_date: date | None
    planned: bool
    reason: str
    supply_refs: tuple[str, ...]
    #: The date on the suppliers' stated dates, when their history moved the promise off it.
    stated: Stated | None = None


@dataclass(frozen=True)
class SkuBackorders:
    """What waits for one SKU: units, orders, oldest age, the promise range and the supply pegged."""

    sku: str
    name: str
    procurement: str
    units: Decimal
    orders: int
    oldest_days: int
    earliest_promise: date | None
    latest_promise: date | None
    #: Some line has no dated promise (open term, or no plan has promised it yet).
    undated: bool
    supply_refs: tuple[str, ...]
    #: The oldest lines (all of them, unless the page caps how many are listed).
    lines: tuple[BackorderLine, ...]
    #: How many lines wait in all.
    line_count: int


def backorders_by_sku(
    conn: Connection,
    *,
    today: date,
    sku: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    lines_per_sku: int | None = None,
) -> list[SkuBackorders]:
    """SKUs with open backorders, the oldest wait first, each with its lines oldest first.

    SKUs are ranked and paged in SQL (`limit`, `offset`); the figures count every waiting line
    of the SKUs on the page (units kept on the item's row, the rest summed in SQL), and only the
    `lines_per_sku` oldest are read (0: none, for a page that loads them when asked).
    """
    if sku is None:
        heads = _ranked(conn, limit=limit, offset=offset)
        figures = _figures(conn, [item_id for item_id, _ in heads])
    else:
        # One SKU: its oldest opening day comes with its figures (no pass of its own).
        ids = list(conn.execute(select(t.items.c.id).where(t.items.c.sku == sku)).scalars())
        figures = _figures(conn, ids)
        heads = [(item_id, f.oldest) for item_id, f in figures.items()][offset:]
        heads = heads if limit is None else heads[:limit]
    ids = [item_id for item_id, _ in heads]
    lines = _lines(conn, ids, today=today, per_item=lines_per_sku) if lines_per_sku != 0 else {}
    found = []
    for item_id, oldest in heads:
        f = figures[item_id]
        found.append(
            SkuBackorders(
                sku=f.sku,
                name=f.name,
                procurement=f.procurement,
                units=f.units,
                orders=f.orders,
                oldest_days=max((today - (oldest or today)).days, 0),
                earliest_promise=f.earliest,
                latest_promise=f.latest,
                undated=f.dated < f.line_count,
                supply_refs=f.supply_refs,
                lines=tuple(lines.get(item_id, ())),
                line_count=f.line_count,
            )
        )
    return found


def _waiting() -> tuple[ColumnElement[bool], ...]:
    """A stock line with an open rest (the condition of the partial indexes on waiting lines)."""
    ol = t.order_lines.c
    return ol.quantity > ol.allocated + ol.shipped + ol.cancelled, ol.kind == LineKind.STOCK.value


#: Waiting lines read per round trip while looking for the oldest-waiting SKUs.
_WALK_BATCH = 500


def _ranked(conn: Connection, *, limit: int | None, offset: int) -> list[tuple[int, date | None]]:
    """(item id, oldest opening day) of the SKUs on the page: the oldest wait first, then item id.

    A page of the whole list walks the waiting lines oldest first (`ix_order_lines_waiting_age`)
    until it knows enough SKUs; SKUs whose lines have no opening day come last. Otherwise (no
    limit, or too few dated SKUs) every waiting line is grouped per item.
    """
    if limit is not None:
        walked = _oldest_waiting_items(conn, offset + limit)
        if walked is not None:
            return walked[offset:]
    ol = t.order_lines.c
    oldest = func.min(ol.backordered_on)
    query = (
        select(ol.item_id, oldest.label("oldest"))
        .where(*_waiting())
        .group_by(ol.item_id)
        .order_by(oldest.asc().nulls_last(), ol.item_id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [(r.item_id, r.oldest) for r in conn.execute(query)]


def _oldest_waiting_items(conn: Connection, count: int) -> list[tuple[int, date | None]] | None:
    """The first `count` items by their oldest dated waiting line; None when fewer items have one.

    Every line of the day on which the `count`-th item turns up is read too, so that items
    tied on that day are ranked by id as the grouped query ranks them.
    """
    ol = t.order_lines.c
    query = (
        select(ol.item_id, ol.backordered_on)
        .where(*_waiting(), ol.backordered_on.is_not(None))
        .order_by(ol.backordered_on)
    )
    seen: dict[int, date] = {}
    last_day: date | None = None
    result = conn.execute(query, execution_options={"yield_per": _WALK_BATCH})
    try:
        for item_id, day in result:
            if last_day is not None and day > last_day:
                break
            seen.setdefault(item_id, day)
            if last_day is None and len(seen) >= count:
                last_day = day
    finally:
        result.close()
    if last_day is None:
        return None
    ranked: list[tuple[int, date | None]] = sorted(seen.items(), key=lambda entry: (entry[1], entry[0]))
    return ranked[:count]


@dataclass(frozen=True)
class _Figures:
    """One SKU's naming and the sums over all its waiting lines."""

    sku: str
    name: str
    procurement: str
    units: Decimal
    orders: int
    line_count: int
    dated: int
    earliest: date | None
    latest: date | None
    #: Its oldest waiting line's opening day (None: no line has one).
    oldest: date | None
    #: The POs and MOs its waiting lines' promises rest on, the oldest lines' first.
    supply_refs: tuple[str, ...]


def _figures(conn: Connection, item_ids: list[int]) -> dict[int, _Figures]:
    """Per item id with waiting lines: units waiting (kept on its row), orders, lines, lines with
    a dated promise, the promise range, the oldest opening day and the supply the promises rest on.

    One pass over the waiting lines and their promises, grouped by item and promise parts (by
    their key): many lines share a promise's parts (they rest on the same supply), so each
    distinct one is then read and parsed once, from `promise_parts`, not once per line. The
    orders are counted apart (an order's lines may rest on different supply), from the index of
    waiting lines alone on PostgreSQL.
    """
    if not item_ids:
        return {}
    ol, lp, it = t.order_lines.c, t.line_promises.c, t.items.c
    naming = {
        r.id: (r.sku, r.name, r.procurement, r.waiting)
        for r in conn.execute(
            select(it.id, it.sku, it.name, it.procurement, it.waiting).where(it.id.in_(item_ids))
        )
    }
    orders: dict[int, int] = {
        r.item_id: r.orders
        for r in conn.execute(
            select(ol.item_id, func.count(func.distinct(ol.order_id)).label("orders"))
            .where(ol.item_id.in_(item_ids), *_waiting())
            .group_by(ol.item_id)
        )
    }
    grouped = (
        select(
            ol.item_id,
            lp.parts_key,
            func.count().label("line_count"),
            func.count(lp.promised_date).label("dated"),
            func.min(lp.promised_date).label("earliest"),
            func.max(lp.promised_date).label("latest"),
            func.min(ol.backordered_on).label("first"),
            func.min(ol.order_id).label("order_id"),
        )
        # A promise carries its line's item: naming the items here reads only their promises (by
        # `ix_line_promises_item_id`), not every stored promise to match them with these lines.
        .outerjoin(t.line_promises, and_(lp.line_id == ol.id, lp.item_id.in_(item_ids)))
        .where(ol.item_id.in_(item_ids), *_waiting())
        .group_by(ol.item_id, lp.parts_key)
        .subquery()
    )
    # Each group's parts, read once by their key (none for the lines without a promise).
    pp = t.promise_parts.c
    parts = select(pp.parts).where(pp.parts_key == grouped.c.parts_key).scalar_subquery()
    groups = conn.execute(select(grouped, parts.label("parts"))).all()
    per: dict[int, list[Any]] = {}
    for g in sorted(groups, key=lambda g: (g.first is None, g.first or date.min, g.order_id)):
        per.setdefault(g.item_id, []).append(g)
    found = {}
    for item_id, mine in per.items():
        refs: dict[str, None] = {}
        for g in mine:
            refs.update(dict.fromkeys(_refs(g.parts)))
        earliest = [g.earliest for g in mine if g.earliest is not None]
        latest = [g.latest for g in mine if g.latest is not None]
        found[item_id] = _Figures(
            *naming[item_id],
            orders.get(item_id, 0),
            sum(g.line_count for g in mine),
            sum(g.dated for g in mine),
            min(earliest, default=None),
            max(latest, default=None),
            mine[0].first,
            tuple(refs),
        )
    return found


def _lines(
    conn: Connection, item_ids: list[int], *, today: date, per_item: int | None
) -> dict[int, list[BackorderLine]]:
    """Per item id: its waiting lines oldest first (at most `per_item`, cut in SQL: a SKU may have
    thousands waiting), each with its order and promise.

    One SKU's first lines are a top-N read from the front of `ix_order_lines_waiting_item_age`;
    several SKUs' are ranked per SKU by a window.
    """
    if not item_ids:
        return {}
    ol, lp, so, pp = t.order_lines.c, t.line_promises.c, t.sales_orders.c, t.promise_parts.c
    oldest_first = (ol.backordered_on.asc().nulls_last(), so.ordered_at, ol.order_id, ol.line_no)
    columns = (
        ol.id,
        ol.item_id,
        ol.order_id,
        ol.line_no,
        units(ol.quantity - ol.allocated - ol.shipped - ol.cancelled).label("waiting"),
        ol.backordered_on,
        so.order_ref,
        so.customer,
        so.priority,
        so.ordered_at,
    )
    waiting = select(*columns).join(t.sales_orders, so.id == ol.order_id).where(*_waiting())
    one = len(item_ids) == 1 and per_item is not None
    if one:
        (item_id,) = item_ids
        ranked = waiting.where(ol.item_id == item_id).order_by(*oldest_first).limit(per_item).subquery()
    else:
        rank = func.row_number().over(partition_by=ol.item_id, order_by=oldest_first).label("rank")
        ranked = waiting.add_columns(rank).where(ol.item_id.in_(item_ids)).subquery()
    r = ranked.c
    query = (
        select(ranked, lp.line_id.label("planned"), lp.promised_date, lp.reason, pp.parts)
        .outerjoin(t.line_promises, lp.line_id == r.id)
        .outerjoin(t.promise_parts, pp.parts_key == lp.parts_key)
        .order_by(r.item_id, r.backordered_on.asc().nulls_last(), r.ordered_at, r.order_id, r.line_no)
    )
    if per_item is not None and not one:
        query = query.where(r.rank <= per_item)
    parsed = functools.cache(_refs)
    stated = functools.cache(stated_beside)
    # Many lines rest on the same supply and share a reason: word each reason once.
    worded = functools.cache(lambda reason: dates_in_words(reason, today))
    lines: dict[int, list[BackorderLine]] = {}
    for row in conn.execute(query):
        line = _line(row, parsed(row.parts), worded(row.reason or ""), today)
        lines.setdefault(row.item_id, []).append(replace(line, stated=stated(row.parts, row.promised_date)))
    return lines


def _line(r: Any, supply_refs: tuple[str, ...], reason: str, today: date) -> BackorderLine:
    opened = r.backordered_on or r.ordered_at.date()
    return BackorderLine(
        order_ref=r.order_ref,
        line_no=r.line_no,
        customer=r.customer,
        priority=r.priority,
        quantity=r.waiting,
        opened_on=opened,
        age_days=max((today - opened).days, 0),
        promised_date=r.promised_date,
        planned=r.planned is not None,
        reason=reason,
        supply_refs=supply_refs,
    )


def backorder_totals(conn: Connection) -> tuple[Decimal, int]:
    """Units on backorder over every SKU, and how many SKUs wait (from the items' kept totals)."""
    it = t.items.c
    row = conn.execute(
        select(units(func.coalesce(func.sum(it.waiting), 0)), func.count()).where(it.waiting > 0)
    ).one()
    return row[0], int(row[1])


def _refs(parts: str | None) -> tuple[str, ...]:
    """The PO and MO refs a stored promise's parts rest on."""
    if not parts:
        return ()
    return tuple(
        dict.fromkeys(str(p.get("basis", "")) for p in json.loads(parts) if p.get("basis") not in NOT_A_REF)
    )


@dataclass(frozen=True)
class BackordersPage:
    """The /backorders page: every SKU that waits, expandable to its lines, and who may act on it."""

    #: The business date: ages and dates are read against it.
    today: date
    #: Every SKU with waiting lines, the oldest wait first.
    skus: tuple[SkuBackorders, ...]
    #: Show the "make what you can" and "buy what is missing" buttons (operators and admins).
    can_write: bool
    #: Units on backorder over every SKU (not only this page's).
    units: Decimal
    #: How many SKUs wait in all.
    sku_count: int
    #: How many SKUs come before this page.
    offset: int
    #: SKUs per page.
    limit: int
    #: Another page follows this one.
    more: bool


@dataclass(frozen=True)
class SkuBackordersPage:
    """/backorders/{sku}: one SKU's backorders with its oldest waiting lines (the lines /backorders
    loads into a SKU's box when it is opened)."""

    today: date
    sku: str
    #: None: nothing of the SKU waits.
    backorders: SkuBackorders | None
    #: Show the "make what you can" and "buy what is missing" buttons (operators and admins).
    can_write: bool


def sku_backorders_page(
    conn: Connection, *, today: date, sku: str, lines_per_sku: int, can_write: bool
) -> SkuBackordersPage | None:
    """The page of one SKU's backorders; None when no item has that SKU."""
    if conn.execute(select(t.items.c.id).where(t.items.c.sku == sku)).first() is None:
        return None
    found = backorders_by_sku(conn, today=today, sku=sku, lines_per_sku=lines_per_sku)
    return SkuBackordersPage(today, sku, found[0] if found else None, can_write)
