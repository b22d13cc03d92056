"""Twelve weeks of history: two bolts with the same demand, from a steady and an erratic supplier."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pegboard.adapters.clock import FixedClock
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services import purchasing
from pegboard.services.imports import ImportKind
from tests.builders import import_text

START = date(2026, 8, 31)
WEEKS = 12
TODAY = START + timedelta(days=7 * WEEKS)
#: Both suppliers say 5 days and take 5 on average; the erratic one's receipts spread from 1 to 9.
STEADY_DAYS = [5, 5, 5, 5, 5, 5]
ERRATIC_DAYS = [1, 9, 2, 8, 4, 6]


def on(pb: Pegboard, day: date) -> None:
    pb.clock = FixedClock(day)


def bolts_with_history(pb: Pegboard) -> None:
    """The catalogue, six POs per supplier received (one rescheduled), and daily orders for both bolts."""
    on(pb, START)
    import_text(
        pb,
        ImportKind.SUPPLIERS,
        "name,email,lead_time_days\nSteady Co,s@example.com,5\nErratic Ltd,e@example.com,5\n",
    )
    import_text(
        pb,
        ImportKind.ITEMS,
        "sku,name,procurement,cost,supplier,safety_stock\n"
        "BOLT-STEADY,Steady bolt,buy,2.50,Steady Co,1\n"
        "BOLT-ERRATIC,Erratic bolt,buy,2.50,Erratic Ltd,1\n",
    )
    for k, (steady, erratic) in enumerate(zip(STEADY_DAYS, ERRATIC_DAYS, strict=True)):
        ordered = START + timedelta(days=14 * k)
        on(pb, ordered)
        expected = ordered + timedelta(days=5)
        import_text(
            pb,
            ImportKind.PURCHASE_ORDERS,
            "po_ref,supplier,sku,quantity,expected_date\n"
            f"PS-{k},Steady Co,BOLT-STEADY,40,{expected}\n"
            f"PE-{k},Erratic Ltd,BOLT-ERRATIC,40,{expected}\n",
        )
        if (
            erratic > 5
        ):  # the erratic supplier warns of its slip: late against the first date, not after notice
            on(pb, ordered + timedelta(days=2))
            purchasing.reschedule(f"PE-{k}", ordered + timedelta(days=erratic), uow=pb.uow(), clock=pb.clock)
        for ref, sku, days in (("PS", "BOLT-STEADY", steady), ("PE", "BOLT-ERRATIC", erratic)):
            on(pb, ordered + timedelta(days=days))
            purchasing.receive(
                f"{ref}-{k}", sku, Decimal(40), uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO
            )
    on(pb, TODAY)
    rows = ["order_ref,customer,email,ordered_at,sku,quantity"]
    for i in range(7 * WEEKS):
        quantity = 1 + (i * 3) % 4
        day = START + timedelta(days=i)
        rows.append(f"SO-{i},Ada,ada@example.com,{day},BOLT-STEADY,{quantity}")
        rows.append(f"SO-{i},Ada,ada@example.com,{day},BOLT-ERRATIC,{quantity}")
    import_text(pb, ImportKind.ORDERS, "\n".join(rows) + "\n")
