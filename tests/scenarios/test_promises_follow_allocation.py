"""Promises follow the order in which stock will be handed out, on SQLite and PostgreSQL: when an
MO pegged to an older line is held up by its materials and another MO of the item finishes
first, the older line is promised the earlier MO (its output goes to the oldest waiting line)
and the younger line the later one, so neither date is broken when the first MO completes."""

from __future__ import annotations

from datetime import timedelta

from pegboard.bootstrap import Pegboard
from pegboard.services import manufacturing, purchasing
from pegboard.services.imports import ImportKind
from pegboard.services.planning import run_plan
from tests.builders import import_text, line_state
from tests.scenarios.test_mo_reservations import load, make, place


def test_the_older_line_is_promised_the_mo_that_finishes_first_and_gets_its_output(pb: Pegboard) -> None:
    """A receipt or a finished MO serves the oldest waiting line first, so the plan promises the
    earliest-finishing supply of an item to its oldest backorder, whatever netting pegged."""
    # Stock for one kit; two customers wait for a kit each, the older first.
    load(pb, bolts=2, nuts=1)
    place(pb, "SO-OLD", "KIT", 1)
    place(pb, "SO-NEW", "KIT", 1)
    today = pb.clock.today()

    # The first MO reserves the stock; the second waits for bolts and nuts due in five days.
    ready = make(pb, 1)
    waiting = make(pb, 1)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date\n"
        f"PO-1,Bolts Ltd,BOLT,2,{today + timedelta(days=5)}\n"
        f"PO-1,Bolts Ltd,NUT,1,{today + timedelta(days=5)}\n",
    )
    # The ready MO is put back a day, so its stated date comes after the waiting MO's.
    purchasing.reschedule(ready, today + timedelta(days=2), uow=pb.uow(), clock=pb.clock)

    run = run_plan(uow=pb.uow(), clock=pb.clock)
    promises = {p.order_ref: (p.date, p.basis) for p in run.result.promises}

    assert promises["SO-OLD"] == (today + timedelta(days=2), ready)
    assert promises["SO-NEW"] == (today + timedelta(days=6), waiting)

    # The ready MO completes: its kit goes to the older line, as promised.
    manufacturing.complete_manufacturing_order(ready, uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    assert line_state(pb, "SO-OLD") == [("KIT", 1, 0, 0, 0)]
    assert line_state(pb, "SO-NEW") == [("KIT", 0, 0, 1, 0)]
