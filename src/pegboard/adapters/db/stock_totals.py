"""Each item's on hand, allocated and waiting, kept on its row by the transaction that changes them.

On hand is the ledger's sum and allocated the sum of the lines' allocations (DESIGN.md); waiting
is the sum of its stock lines' backordered quantities. The sums grow with the business (every
order still waiting to ship holds an allocation), and taking an order used to read them for each
of its items; the backorders page summed every waiting line on each visit. The repositories now
report every change here (`add`), and the changes are written to `items.on_hand` /
`items.allocated` / `items.waiting` as increments before anything reads them and before the
commit (`flush`), in the same transaction as the movements and lines themselves, so the totals
can never drift from the sums (tests/invariants.py checks it after every test).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection

from pegboard.domain.quantities import ZERO, to_units

#: One item's increments, in micro-units (`types.ExactDecimal`), run once per item changed.
_ADD_ROW = (
    "UPDATE items SET on_hand = on_hand + ?, allocated = allocated + ?, waiting = waiting + ? WHERE id = ?"
)

_ADD_ARRAYS = (
    "UPDATE items SET on_hand = items.on_hand + d.on_hand, allocated = items.allocated + d.allocated, "
    "waiting = items.waiting + d.waiting "
    "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[]) "
    "AS d(id, on_hand, allocated, waiting) "
    "WHERE items.id = d.id"
)


class StockTotals:
    """The changes to items' on hand, allocated and waiting made in one transaction, not yet written."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._pending: dict[int, tuple[Decimal, Decimal, Decimal]] = {}

    def add(
        self, item_id: int, *, on_hand: Decimal = ZERO, allocated: Decimal = ZERO, waiting: Decimal = ZERO
    ) -> None:
        """Remember a change of the item's on hand (a movement), allocated (a line's allocation) or
        waiting (a stock line's backordered quantity)."""
        if on_hand or allocated or waiting:
            was_on_hand, was_allocated, was_waiting = self._pending.get(item_id, (ZERO, ZERO, ZERO))
            self._pending[item_id] = (was_on_hand + on_hand, was_allocated + allocated, was_waiting + waiting)

    def flush(self) -> None:
        """Write what was remembered, as increments (in item order), and forget it."""
        pending, self._pending = self._pending, {}
        changes = [(item, *more) for item, more in sorted(pending.items()) if any(more)]
        if not changes:
            return
        if self.conn.dialect.name == "postgresql":
            # One statement over arrays rather than one UPDATE per item (see `bulk.py`).
            items, *more = zip(*changes, strict=True)
            self.conn.exec_driver_sql(_ADD_ARRAYS, (list(items), *([to_units(q) for q in m] for m in more)))
        else:
            # Driver SQL over plain integers: no statement to compile or bind for each transaction.
            self.conn.exec_driver_sql(
                _ADD_ROW,
                [(to_units(oh), to_units(al), to_units(wa), item) for item, oh, al, wa in changes],
            )
