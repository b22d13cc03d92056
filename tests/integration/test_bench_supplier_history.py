"""The benchmarks' supplier history gives every supplier learned lateness, so a plan moves dates."""

from __future__ import annotations

from datetime import timedelta

from bench.supplier_history import LATE, give_history
from pegboard.bootstrap import Pegboard
from pegboard.services import planning
from tests.integration.services.test_planning import lightsaber_after_first_shipments, order_green_crystals


def test_history_moves_each_suppliers_po_dates_by_its_lateness_and_is_given_once(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    due = pb.clock.today() + timedelta(days=14)
    order_green_crystals(pb, due)
    today = pb.clock

    suppliers = give_history(pb)
    again = give_history(pb)

    assert pb.clock is today
    assert suppliers == again == 2  # Passing Traders and Crystal Broker
    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    (po,) = [a for a in run.result.adjusted_dates if a.po_ref == "PO-1"]
    assert (po.stated_date, po.date, po.learned) == (due, due + timedelta(days=LATE), True)
