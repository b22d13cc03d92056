"""Receipt history for a benchmark workshop, so suppliers' reliability moves its dates.

The bench workshops have open POs but none received, so no supplier has history and a plan keeps
every stated date (`planning.reliable`). `give_history` books, through the services as a shop
importing its past would (`pegboard --today DAY import purchase-orders` and `receive`), `RECEIPTS`
past POs of one unit per supplier, each of the supplier's first bought SKU, received `LATE` days
after their stated date: every supplier then has learned lateness, and every open PO line and
planned purchase of its items is dated later by it.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from pegboard.adapters.clock import FixedClock
from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services import purchasing
from pegboard.services.imports import ImportKind, import_csv

#: Past POs per supplier (enough to learn from: `reliability.MIN_HISTORY` is 5), how many days
#: late each came, and the days between them.
RECEIPTS, LATE, EVERY = 6, 3, 7
PREFIX = "HIST-"
FIFO = AllocationPolicy.FIFO


def give_history(pb: Pegboard) -> int:
    """Book the past POs and their late receipts, all before the board's today (untimed set-up;
    none when they are there already); returns how many suppliers have them."""
    s, it, po = t.suppliers.c, t.items.c, t.purchase_orders.c
    with pb.engine.connect() as conn:
        if conn.execute(select(func.count()).where(po.po_ref.like(f"{PREFIX}%"))).scalar_one():
            return int(
                conn.execute(
                    select(func.count(po.supplier_id.distinct())).where(po.po_ref.like(f"{PREFIX}%"))
                ).scalar_one()
            )
        first = (
            select(s.name, func.min(it.sku))
            .join(t.items, it.supplier_id == s.id)
            .where(it.procurement == "buy")
            .group_by(s.name)
            .order_by(s.name)
        )
        bought = [(name, sku) for name, sku in conn.execute(first)]
    header, clock = "po_ref,supplier,sku,quantity,expected_date\n", pb.clock
    today = clock.today()
    for k in range(RECEIPTS):
        ordered = today - timedelta(days=EVERY * (RECEIPTS - k) + 14)
        due = ordered + timedelta(days=EVERY)
        rows = "".join(f"{PREFIX}{k}-{n},{name},{sku},1,{due}\n" for n, (name, sku) in enumerate(bought))
        _at(pb, ordered)
        import_csv(
            ImportKind.PURCHASE_ORDERS,
            io.StringIO(header + rows),
            source="history.csv",
            uow=pb.uow(),
            clock=pb.clock,
            policy=FIFO,
        )
        _at(pb, due + timedelta(days=LATE))
        for n, (_, sku) in enumerate(bought):
            purchasing.receive(f"{PREFIX}{k}-{n}", sku, Decimal(1), uow=pb.uow(), clock=pb.clock, policy=FIFO)
    pb.clock = clock
    return len(bought)


def _at(pb: Pegboard, day: date) -> None:
    pb.clock = FixedClock(day)
