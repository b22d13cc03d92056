"""Backorders consolidated per SKU: how much waits, for whom, since when, and on what supply.

Only stock lines count (a preorder or a drop-ship line's open quantity is no backorder). A
line's promise is the one the last plan stored; its parts name the supply they rest on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, func, select

from pegboard.adapters.db import tables as t
from pegboard.domain.sales import LineKind
from pegboard.planning.result import OPEN_TERM, PLANNED_MO, PLANNED_PO, STOCK
from pegboard.views.sql import dates_in_words, units

#: Bases that name no document: stock on hand, supply not yet ordered, or no date at all.
_NOT_A_REF = frozenset({STOCK, PLANNED_PO, PLANNED_MO, OPEN_TERM, "release date", ""})


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
    of the SKUs on the page, and `lines_per_sku` caps how many of them are listed.
    """
    ol, it = t.order_lines, t.items
    oldest = func.min(ol.c.backordered_on)
    query = (
        select(ol.c.item_id, oldest.label("oldest"))
        .where(
            ol.c.quantity > ol.c.allocated + ol.c.shipped + ol.c.cancelled, ol.c.kind == LineKind.STOCK.value
        )
        .group_by(ol.c.item_id)
        .order_by(oldest, ol.c.item_id)
        .offset(offset)
    )
    if sku:
        query = query.where(ol.c.item_id.in_(select(it.c.id).where(it.c.sku == sku)))
    if limit is not None:
        query = query.limit(limit)
    heads = conn.execute(query).all()
    lines = _lines(conn, [h.item_id for h in heads], today=today)
    found = []
    for h in heads:
        naming, listed = lines[h.item_id]
        dates = [line.promised_date for line in listed if line.promised_date is not None]
        found.append(
            SkuBackorders(
                sku=naming[0],
                name=naming[1],
                procurement=naming[2],
                units=sum((line.quantity for line in listed), Decimal(0)),
                orders=len({line.order_ref for line in listed}),
                oldest_days=max((today - (h.oldest or today)).days, 0),
                earliest_promise=min(dates, default=None),
                latest_promise=max(dates, default=None),
                undated=len(dates) < len(listed),
                supply_refs=tuple(dict.fromkeys(ref for line in listed for ref in line.supply_refs)),
                lines=tuple(listed[:lines_per_sku] if lines_per_sku is not None else listed),
                line_count=len(listed),
            )
        )
    return found


def _lines(
    conn: Connection, item_ids: list[int], *, today: date
) -> dict[int, tuple[tuple[str, str, str], list[BackorderLine]]]:
    """Per item id: (SKU, name, procurement) and its waiting lines, oldest first."""
    if not item_ids:
        return {}
    so, ol, lp, it = t.sales_orders, t.order_lines, t.line_promises, t.items
    query = (
        select(
            ol.c.item_id,
            it.c.sku,
            it.c.name,
            it.c.procurement,
            so.c.order_ref,
            so.c.customer,
            so.c.priority,
            so.c.ordered_at,
            ol.c.line_no,
            units(ol.c.quantity - ol.c.allocated - ol.c.shipped - ol.c.cancelled).label("waiting"),
            ol.c.backordered_on,
            lp.c.line_id.label("planned"),
            lp.c.promised_date,
            lp.c.reason,
            lp.c.parts,
        )
        .join(so, so.c.id == ol.c.order_id)
        .join(it, it.c.id == ol.c.item_id)
        .outerjoin(lp, lp.c.line_id == ol.c.id)
        .where(
            ol.c.item_id.in_(item_ids),
            ol.c.quantity > ol.c.allocated + ol.c.shipped + ol.c.cancelled,
            ol.c.kind == LineKind.STOCK.value,
        )
        .order_by(ol.c.backordered_on, so.c.ordered_at, so.c.id, ol.c.line_no)
    )
    found: dict[int, tuple[tuple[str, str, str], list[BackorderLine]]] = {}
    for r in conn.execute(query):
        opened = r.backordered_on or r.ordered_at.date()
        entry = found.setdefault(r.item_id, ((r.sku, r.name, r.procurement), []))
        entry[1].append(
            BackorderLine(
                order_ref=r.order_ref,
                line_no=r.line_no,
                customer=r.customer,
                priority=r.priority,
                quantity=r.waiting,
                opened_on=opened,
                age_days=max((today - opened).days, 0),
                promised_date=r.promised_date,
                planned=r.planned is not None,
                reason=dates_in_words(r.reason or "", today),
                supply_refs=_refs(r.parts),
            )
        )
    return found


def backorder_totals(conn: Connection) -> tuple[Decimal, int]:
    """Units on backorder over every SKU, and how many SKUs wait."""
    ol = t.order_lines
    row = conn.execute(
        select(
            units(func.coalesce(func.sum(ol.c.quantity - ol.c.allocated - ol.c.shipped - ol.c.cancelled), 0)),
            func.count(func.distinct(ol.c.item_id)),
        ).where(
            ol.c.quantity > ol.c.allocated + ol.c.shipped + ol.c.cancelled, ol.c.kind == LineKind.STOCK.value
        )
    ).one()
    return row[0], int(row[1])


def _refs(parts: str | None) -> tuple[str, ...]:
    """The PO and MO refs a stored promise's parts rest on."""
    if not parts:
        return ()
    return tuple(
        dict.fromkeys(str(p.get("basis", "")) for p in json.loads(parts) if p.get("basis") not in _NOT_A_REF)
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
