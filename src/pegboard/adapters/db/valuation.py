"""The stock value ledger in SQL: a value row per stock movement, and the sums valuation reads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, case, func, insert, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.repositories.item_cache import TransactionItemCache
from pegboard.domain.valuation import CostMethod, Holding, ValuedMove, holding

ZERO = Decimal(0)
#: Receipts read at a time when looking for those still held (FIFO).
RECEIPTS_PAGE = 16


class SqlValuation:
    """Appends value rows; an item's holding is their sum (and, for FIFO, its receipts in order)."""

    def __init__(self, conn: Connection, ids: TransactionItemCache, now: datetime) -> None:
        self.conn, self.ids, self.now = conn, ids, now

    def add(self, move: ValuedMove) -> None:
        self.conn.execute(
            insert(t.stock_values).values(
                item_id=self.ids.id(move.sku),
                moved_on=move.moved_on,
                kind=move.kind,
                reference=move.reference,
                quantity=move.quantity,
                value=move.value,
                created_at=self.now,
            )
        )

    def holdings(self, skus: Iterable[str], method: CostMethod) -> dict[str, Holding]:
        """Each item's quantity and value held; for FIFO with the receipts not yet all issued."""
        ids = self.ids.resolve(set(skus))
        sku_of = {item_id: sku for sku, item_id in ids.items()}
        sv = t.stock_values
        found = {sku: Holding() for sku in ids}
        if not ids:
            return found
        issued = func.sum(case((sv.c.quantity < 0, -sv.c.quantity), else_=0))
        rows = self.conn.execute(
            select(sv.c.item_id, func.sum(sv.c.quantity), func.sum(sv.c.value), issued)
            .where(sv.c.item_id.in_(list(sku_of)))
            .group_by(sv.c.item_id)
        ).all()
        for item_id, quantity, value, gone in rows:
            sku = sku_of[item_id]
            held, worth = quantity or ZERO, value or ZERO
            if method is CostMethod.FIFO and held > 0:
                layers = self._newest_receipts(item_id, held)
                found[sku] = holding(held, worth, layers, sum((q for q, _ in layers), ZERO) - held)
            else:
                found[sku] = holding(held, worth, [], gone or ZERO)
        return found

    def _newest_receipts(self, item_id: int, held: Decimal) -> list[tuple[Decimal, Decimal]]:
        """The newest goods in that cover what is held, oldest first: FIFO issues take the oldest
        first, so what is held is the last `held` units received, and older receipts are gone.
        Read newest first, a page at a time, so an item's long history is not read at each issue."""
        sv = t.stock_values
        newest: list[tuple[Decimal, Decimal]] = []
        before: int | None = None
        covered = ZERO
        while covered < held:
            query = select(sv.c.id, sv.c.quantity, sv.c.value).where(
                sv.c.item_id == item_id, sv.c.quantity > 0
            )
            if before is not None:
                query = query.where(sv.c.id < before)
            page = self.conn.execute(query.order_by(sv.c.id.desc()).limit(RECEIPTS_PAGE)).all()
            for row_id, quantity, value in page:
                if covered >= held:
                    break
                newest.append((quantity, value))
                covered += quantity
                before = row_id
            if len(page) < RECEIPTS_PAGE:
                break
        return newest[::-1]

    def totals(self, *, as_of: date | None = None) -> dict[str, tuple[Decimal, Decimal]]:
        """(quantity, value) per SKU of every item with value rows, up to and including `as_of`."""
        sv = t.stock_values
        query = (
            select(t.items.c.sku, func.sum(sv.c.quantity), func.sum(sv.c.value))
            .join(t.items, t.items.c.id == sv.c.item_id)
            .group_by(t.items.c.sku)
            .order_by(t.items.c.sku)
        )
        if as_of is not None:
            query = query.where(sv.c.moved_on <= as_of)
        return {sku: (quantity, value) for sku, quantity, value in self.conn.execute(query)}

    def moves(self) -> list[ValuedMove]:
        """Every value row in the order written."""
        sv = t.stock_values
        query = (
            select(t.items.c.sku, sv.c.quantity, sv.c.value, sv.c.moved_on, sv.c.kind, sv.c.reference)
            .join(t.items, t.items.c.id == sv.c.item_id)
            .order_by(sv.c.id)
        )
        return [ValuedMove(*row) for row in self.conn.execute(query)]

    def unvalued(self) -> dict[str, Decimal]:
        """The on hand of every item holding stock with no value row at all (stock from before stock
        values were kept, migration 0010)."""
        sv, items = t.stock_values, t.items
        query = (
            select(items.c.sku, items.c.on_hand)
            .where(items.c.on_hand > 0, ~select(sv.c.id).where(sv.c.item_id == items.c.id).exists())
            .order_by(items.c.sku)
        )
        return {str(sku): on_hand for sku, on_hand in self.conn.execute(query)}
