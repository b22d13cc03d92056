"""Backorders consolidated per SKU: how much waits, for whom, since when, and on what supply.

Only stock lines count (a preorder or a drop-ship line's open quantity is no backorder). A
line's promise is the one the last plan stored; its parts name the supply they rest on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, select

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
    lines: tuple[BackorderLine, ...]


def backorders_by_sku(conn: Connection, *, today: date, sku: str | None = None) -> list[SkuBackorders]:
    """Every SKU with open backorders, the oldest wait first, each with its lines oldest first."""
    so, ol, lp, it = t.sales_orders, t.order_lines, t.line_promises, t.items
    query = (
        select(
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
            ol.c.quantity > ol.c.allocated + ol.c.shipped + ol.c.cancelled, ol.c.kind == LineKind.STOCK.value
        )
        .order_by(ol.c.backordered_on, so.c.ordered_at, so.c.id, ol.c.line_no)
    )
    if sku:
        query = query.where(it.c.sku == sku)
    grouped: dict[str, list[BackorderLine]] = {}
    names: dict[str, tuple[str, str]] = {}
    for r in conn.execute(query):
        opened = r.backordered_on or r.ordered_at.date()
        names[r.sku] = (r.name, r.procurement)
        grouped.setdefault(r.sku, []).append(
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
    found = [_consolidated(s, names[s], lines) for s, lines in grouped.items()]
    return sorted(found, key=lambda b: (-b.oldest_days, b.sku))


def _consolidated(sku: str, naming: tuple[str, str], lines: list[BackorderLine]) -> SkuBackorders:
    dates = [line.promised_date for line in lines if line.promised_date is not None]
    return SkuBackorders(
        sku=sku,
        name=naming[0],
        procurement=naming[1],
        units=sum((line.quantity for line in lines), Decimal(0)),
        orders=len({line.order_ref for line in lines}),
        oldest_days=max(line.age_days for line in lines),
        earliest_promise=min(dates, default=None),
        latest_promise=max(dates, default=None),
        undated=len(dates) < len(lines),
        supply_refs=tuple(dict.fromkeys(ref for line in lines for ref in line.supply_refs)),
        lines=tuple(lines),
    )


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

    @property
    def units(self) -> Decimal:
        """Units on backorder over every SKU."""
        return sum((s.units for s in self.skus), Decimal(0))
