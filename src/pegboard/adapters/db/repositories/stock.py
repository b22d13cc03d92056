"""The stock repository: on hand and reserved per SKU, and the ledger's moves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.bulk import insert_rows
from pegboard.adapters.db.plan_inputs import note_shipping
from pegboard.adapters.db.repositories.item_cache import TransactionItemCache
from pegboard.adapters.db.slices import among, in_slices
from pegboard.adapters.db.stock_totals import StockTotals
from pegboard.domain.allocation import ConfiguredStock, ItemStock
from pegboard.domain.ledger import MoveKind, StockMove

# Statements built once: building a SELECT with an IN list on every call cost more client CPU
# than executing it (see BENCHMARKS.md). Expanding parameters take the lists.
#: Each item's on hand and allocated, as kept on its row (`stock_totals.py`).
_TOTALS = select(t.items.c.id, t.items.c.on_hand, t.items.c.allocated).where(
    t.items.c.id.in_(bindparam("ids", expanding=True))
)


class SqlStock:
    """Stock per SKU: the ledger's sum and the lines' reservations, kept on the items' rows."""

    def __init__(
        self, conn: Connection, item_cache: TransactionItemCache, now: datetime, totals: StockTotals
    ) -> None:
        self.conn, self.item_cache, self.now, self.totals = conn, item_cache, now, totals
        #: Every item's stock this transaction read: the unit of work collects their events (counts).
        self.touched: list[ItemStock] = []

    def lock(self, skus: Iterable[str]) -> dict[str, ItemStock]:
        """Lock the items' rows, then read on hand and reserved inside the lock."""
        return self.levels(skus, lock=True)

    def levels(self, skus: Iterable[str], *, lock: bool = False) -> dict[str, ItemStock]:
        """On hand (the ledger's sum) and reserved (the lines' allocations) per SKU.

        Read from the items' rows after this transaction's own changes are written to them;
        with `lock`, by the same statement that locks the rows (one round trip).
        """
        self.totals.flush()
        skus = set(skus)
        # SKUs not read yet in this transaction are read now, after the flush, totals and all.
        read_now = {sku for sku in skus if sku not in self.item_cache.ids}
        ids = self.item_cache.resolve(skus, lock=lock)
        if not lock:
            sku_of = {item_id: sku for sku, item_id in ids.items() if sku not in read_now}
            for part in in_slices(list(sku_of)):
                for item_id, on_hand, allocated in self.conn.execute(_TOTALS, {"ids": part}):
                    self.item_cache.stock[sku_of[item_id]] = (on_hand, allocated)
        found = {sku: ItemStock(sku, *self.item_cache.stock[sku]) for sku in ids}
        self.touched += found.values()
        return found

    def add_move(self, move: StockMove) -> None:
        item_id = self.item_cache.id(move.sku)
        self.totals.add(item_id, on_hand=move.quantity)
        self.conn.execute(
            insert(t.stock_moves).values(
                item_id=item_id,
                quantity=move.quantity,
                kind=move.kind.value,
                reference=move.reference,
                reason=move.reason,
                moved_on=move.moved_on,
                created_at=self.now,
            )
        )
        if move.kind is MoveKind.SHIPMENT:
            note_shipping(self.conn, "INSERT", "stock_moves")

    def moves(self, sku: str, *, limit: int = 50) -> list[StockMove]:
        rows = self.conn.execute(
            select(t.stock_moves)
            .where(t.stock_moves.c.item_id == self.item_cache.id(sku))
            .order_by(t.stock_moves.c.id.desc())
            .limit(limit)
        )
        return [StockMove(sku, r.quantity, MoveKind(r.kind), r.moved_on, r.reference, r.reason) for r in rows]

    def configured(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], ConfiguredStock]:
        """The stock kept for each of these (sku, options) configurations (0 when none is)."""
        wanted = {(sku, options) for sku, options in keys if options}
        found = {key: ConfiguredStock(key[0], key[1], Decimal(0)) for key in wanted}
        for stock in self.configured_of({sku for sku, _ in wanted}):
            if (stock.sku, stock.options) in found:
                found[stock.sku, stock.options] = stock
        return found

    def configured_of(self, skus: Iterable[str]) -> list[ConfiguredStock]:
        """Every configuration's kept stock of these SKUs, by SKU then configuration."""
        ids = self.item_cache.resolve(skus)
        if not ids:
            return []
        sku_of = {item_id: sku for sku, item_id in ids.items()}
        c = t.configured_stock.c
        rows = self.conn.execute(
            select(c.item_id, c.options, c.quantity).where(c.item_id.in_(list(sku_of))).order_by(c.id)
        )
        found = [ConfiguredStock(sku_of[r.item_id], r.options, r.quantity) for r in rows]
        return sorted(found, key=lambda s: (s.sku, s.options))

    def keep_configured(self, sku: str, options: str, quantity: Decimal) -> None:
        """Keep `quantity` more (less, when negative) of `sku` for configuration `options`; it
        counts in the item's allocated total. Never below zero; a row with nothing left goes."""
        if not quantity:
            return
        if not options:
            raise ValueError("only a configuration's stock is kept apart; plain stock is the rest")
        item_id = self.item_cache.id(sku)
        c = t.configured_stock.c
        where = (c.item_id == item_id) & (c.options == options)
        held = self.conn.execute(select(c.quantity).where(where)).scalar()
        left = (held or Decimal(0)) + quantity
        if left < 0:
            raise ValueError(f"{sku} [{options}]: {held or 0} kept cannot go down by {-quantity}")
        if held is None:
            row = {"item_id": item_id, "options": options, "quantity": left}
            self.conn.execute(insert(t.configured_stock).values(**row))
        elif left == 0:
            self.conn.execute(delete(t.configured_stock).where(where))
        else:
            self.conn.execute(update(t.configured_stock).where(where).values(quantity=left))
        self.totals.add(item_id, allocated=quantity)

    def reserve_for_mo(self, mo_ref: str, sku: str, quantity: Decimal) -> None:
        """Reserve `quantity` more (less, when negative) of component `sku` for the MO; it counts
        in the item's allocated total. Never below zero; a row with nothing left goes."""
        if not quantity:
            return
        item_id = self.item_cache.id(sku)
        r = t.mo_reservations.c
        mo_id = select(t.manufacturing_orders.c.id).where(t.manufacturing_orders.c.mo_ref == mo_ref)
        found = self.conn.execute(
            select(r.id, r.quantity).where(r.mo_id == mo_id.scalar_subquery(), r.item_id == item_id)
        ).first()
        left = (found.quantity if found else Decimal(0)) + quantity
        if left < 0:
            raise ValueError(
                f"{mo_ref}: {found.quantity if found else 0} {sku} reserved cannot go down by {-quantity}"
            )
        if found is None:
            self.conn.execute(
                insert(t.mo_reservations).values(
                    mo_id=mo_id.scalar_subquery(), item_id=item_id, quantity=left
                )
            )
        elif left == 0:
            self.conn.execute(delete(t.mo_reservations).where(r.id == found.id))
        else:
            self.conn.execute(update(t.mo_reservations).where(r.id == found.id).values(quantity=left))
        self.totals.add(item_id, allocated=quantity)

    def reserve_for_new_mos(self, reservations: Sequence[tuple[str, str, Decimal]]) -> None:
        """Reserve (MO ref, component SKU, quantity) for MOs stored in this transaction that have
        no reservation yet, in one statement; each counts in its item's allocated total."""
        wanted = [(ref, sku, quantity) for ref, sku, quantity in reservations if quantity > 0]
        if not wanted:
            return
        items = self.item_cache.resolve(sku for _, sku, _ in wanted)
        mo = t.manufacturing_orders.c
        mo_ids: dict[str, int] = {}
        for among_refs in among(self.conn, mo.mo_ref, sorted({ref for ref, _, _ in wanted})):
            mo_ids.update(
                (ref, mo_id) for ref, mo_id in self.conn.execute(select(mo.mo_ref, mo.id).where(among_refs))
            )
        insert_rows(
            self.conn,
            t.mo_reservations,
            [{"mo_id": mo_ids[ref], "item_id": items[sku], "quantity": q} for ref, sku, q in wanted],
        )
        for _, sku, quantity in wanted:
            self.totals.add(items[sku], allocated=quantity)

    def mo_reservations_of(self, sku: str) -> list[tuple[str, Decimal]]:
        """What each open MO has reserved of this SKU, (MO ref, quantity), newest MO first."""
        r, mo = t.mo_reservations.c, t.manufacturing_orders.c
        rows = self.conn.execute(
            select(mo.mo_ref, r.quantity)
            .join(t.manufacturing_orders, mo.id == r.mo_id)
            .where(r.item_id == self.item_cache.id(sku))
            .order_by(mo.created_at.desc(), mo.id.desc())
        )
        return [(ref, quantity) for ref, quantity in rows]
