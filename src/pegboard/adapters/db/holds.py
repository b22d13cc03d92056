"""Quote holds: stock a quote reserved for a checkout, counted in `items.allocated` while held.

A hold adds its quantities to the items' allocated totals (`stock_totals.py`) when it is made
and takes them off when it ends: expired (its time passed), converted (an order placed with
its quote id) or released (a count took the stock it held).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, bindparam, insert, select, update

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.repositories.item_cache import TransactionItemCache
from pegboard.adapters.db.stock_totals import StockTotals
from pegboard.services.ports import HeldQuote

HELD, EXPIRED, CONVERTED, RELEASED = "held", "expired", "converted", "released"
#: Holds in force whose time has passed by `now`: built once, as every order taken asks it.
_EXPIRED = select(t.quote_holds.c.id).where(
    t.quote_holds.c.status == HELD, t.quote_holds.c.expires_at <= bindparam("now")
)


class SqlHolds:
    """Quote holds and their lines; every change is mirrored in the items' allocated totals."""

    def __init__(
        self, conn: Connection, item_cache: TransactionItemCache, now: datetime, totals: StockTotals
    ) -> None:
        self.conn, self.item_cache, self.now, self.totals = conn, item_cache, now, totals

    def add(self, quote_id: str, quantities: Mapping[str, Decimal], *, expires_at: datetime) -> None:
        """Hold these quantities (SKU: quantity, all above 0) until `expires_at`."""
        hold_id = self.conn.execute(
            insert(t.quote_holds)
            .values(quote_id=quote_id, status=HELD, created_at=self.now, expires_at=expires_at)
            .returning(t.quote_holds.c.id)
        ).scalar_one()
        rows = []
        for sku, quantity in quantities.items():
            item_id = self.item_cache.id(sku)
            self.totals.add(item_id, allocated=quantity)
            rows.append({"hold_id": hold_id, "item_id": item_id, "quantity": quantity})
        if rows:
            self.conn.execute(insert(t.quote_hold_lines), rows)

    def get(self, quote_id: str) -> HeldQuote | None:
        """The hold made with this quote id, in whatever state it is now."""
        h = t.quote_holds.c
        row = self.conn.execute(select(t.quote_holds).where(h.quote_id == quote_id)).first()
        if row is None:
            return None
        return HeldQuote(row.quote_id, row.status, row.expires_at, row.order_ref, self._lines(row.id))

    def end_expired(self, now: datetime) -> dict[str, Decimal]:
        """End the holds whose time has passed; returns the stock they free, by SKU."""
        ids = list(self.conn.execute(_EXPIRED, {"now": now}).scalars())
        return self._end(ids, EXPIRED, now)

    def convert(self, quote_id: str, order_ref: str, now: datetime) -> dict[str, Decimal]:
        """End a held quote as order `order_ref`; returns the stock it frees for that order."""
        h = t.quote_holds.c
        ids = list(self.conn.execute(select(h.id).where(h.quote_id == quote_id, h.status == HELD)).scalars())
        return self._end(ids, CONVERTED, now, order_ref=order_ref)

    def release_quote(self, quote_id: str, now: datetime) -> dict[str, Decimal]:
        """End a held quote early (released by someone); returns the stock it frees, by SKU."""
        h = t.quote_holds.c
        ids = list(self.conn.execute(select(h.id).where(h.quote_id == quote_id, h.status == HELD)).scalars())
        return self._end(ids, RELEASED, now)

    def release(self, sku: str, quantity: Decimal, now: datetime) -> dict[str, Decimal]:
        """End held quotes of `sku`, newest first, until `quantity` of it is freed; returns all
        they free, by SKU (a hold ends whole: its other SKUs too)."""
        h, hl = t.quote_holds.c, t.quote_hold_lines.c
        item_id = self.item_cache.id(sku)
        holders = self.conn.execute(
            select(h.id, hl.quantity)
            .join(t.quote_hold_lines, hl.hold_id == h.id)
            .where(h.status == HELD, hl.item_id == item_id)
            .order_by(h.id.desc())
        ).all()
        ids, freed = [], Decimal(0)
        for hold_id, held in holders:
            if freed >= quantity:
                break
            ids.append(hold_id)
            freed += held
        return self._end(ids, RELEASED, now)

    def held(self) -> dict[str, Decimal]:
        """What every hold still in force holds, by SKU."""
        h, hl = t.quote_holds.c, t.quote_hold_lines.c
        found: dict[str, Decimal] = {}
        for sku, quantity in self.conn.execute(
            select(t.items.c.sku, hl.quantity)
            .join(t.quote_hold_lines, hl.item_id == t.items.c.id)
            .join(t.quote_holds, h.id == hl.hold_id)
            .where(h.status == HELD)
        ):
            found[sku] = found.get(sku, Decimal(0)) + quantity
        return found

    def _lines(self, hold_id: int) -> dict[str, Decimal]:
        hl = t.quote_hold_lines.c
        rows = self.conn.execute(
            select(t.items.c.sku, hl.quantity)
            .join(t.items, t.items.c.id == hl.item_id)
            .where(hl.hold_id == hold_id)
        )
        return {row.sku: row.quantity for row in rows}

    def _end(
        self, ids: list[int], status: str, now: datetime, *, order_ref: str | None = None
    ) -> dict[str, Decimal]:
        if not ids:
            return {}
        h, hl = t.quote_holds.c, t.quote_hold_lines.c
        # The holds this statement ended itself: a concurrent transaction that ended one first
        # (PostgreSQL re-checks the status after waiting for its row) frees nothing twice.
        ended = list(
            self.conn.execute(
                update(t.quote_holds)
                .where(h.id.in_(ids), h.status == HELD)
                .values(status=status, ended_at=now, order_ref=order_ref)
                .returning(h.id)
            ).scalars()
        )
        freed: dict[str, Decimal] = {}
        if not ended:
            return freed
        for sku, item_id, quantity in self.conn.execute(
            select(t.items.c.sku, hl.item_id, hl.quantity)
            .join(t.items, t.items.c.id == hl.item_id)
            .where(hl.hold_id.in_(ended))
        ):
            self.totals.add(item_id, allocated=-quantity)
            freed[sku] = freed.get(sku, Decimal(0)) + quantity
        return freed
