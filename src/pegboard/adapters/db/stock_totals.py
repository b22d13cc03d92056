"""Each item's on hand and allocated, kept on its row by the transaction that changes them.

On hand is the ledger's sum and allocated the sum of the lines' allocations (DESIGN.md); both
sums grow with the business (every order still waiting to ship holds an allocation), and
taking an order used to read them for each of its items. The repositories now report every
change here (`add`), and the changes are written to `items.on_hand` / `items.allocated` as
increments before anything reads them and before the commit (`flush`), in the same
transaction as the movements and lines themselves, so the totals can never drift from the
sums (tests/invariants.py checks it after every test).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, bindparam, update

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain.quantities import ZERO, to_units

_ADD = (
    update(t.items)
    .where(t.items.c.id == bindparam("item"))
    .values(
        on_hand=t.items.c.on_hand + bindparam("more_on_hand", type_=ExactDecimal()),
        allocated=t.items.c.allocated + bindparam("more_allocated", type_=ExactDecimal()),
    )
)

_ADD_ARRAYS = (
    "UPDATE items SET on_hand = items.on_hand + d.on_hand, allocated = items.allocated + d.allocated "
    "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS d(id, on_hand, allocated) "
    "WHERE items.id = d.id"
)


class StockTotals:
    """The changes to items' on hand and allocated made in one transaction, not yet written."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._pending: dict[int, tuple[Decimal, Decimal]] = {}

    def add(self, item_id: int, *, on_hand: Decimal = ZERO, allocated: Decimal = ZERO) -> None:
        """Remember a change of the item's on hand (a movement) or allocated (a line's allocation)."""
        if on_hand or allocated:
            was_on_hand, was_allocated = self._pending.get(item_id, (ZERO, ZERO))
            self._pending[item_id] = (was_on_hand + on_hand, was_allocated + allocated)

    def flush(self) -> None:
        """Write what was remembered, as increments (in item order), and forget it."""
        pending, self._pending = self._pending, {}
        changes = [(item, *more) for item, more in sorted(pending.items()) if any(more)]
        if not changes:
            return
        if self.conn.dialect.name == "postgresql":
            # One statement over arrays rather than one UPDATE per item (see `bulk.py`).
            items, on_hand, allocated = zip(*changes, strict=True)
            self.conn.exec_driver_sql(
                _ADD_ARRAYS,
                (list(items), [to_units(q) for q in on_hand], [to_units(q) for q in allocated]),
            )
        else:
            self.conn.execute(
                _ADD,
                [{"item": i, "more_on_hand": oh, "more_allocated": al} for i, oh, al in changes],
            )
