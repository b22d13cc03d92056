"""Purchase suggestions per supplier, open POs with late ones marked, one PO in full."""

from __future__ import annotations

from decimal import Decimal

from pegboard.bootstrap import Pegboard
from pegboard.services import planning, purchasing
from pegboard.views.purchasing import open_purchase_orders, purchase_order, suggestions_by_supplier
from tests.integration.views.story import after_first_shipments, in_days, order_green_crystals


def test_suggestions_are_grouped_per_supplier_with_their_dates(pb: Pegboard) -> None:
    after_first_shipments(pb)
    run = planning.run_plan(uow=pb.uow(), clock=pb.clock, store=False)

    with pb.reader() as uow:
        (broker,) = suggestions_by_supplier(uow.connection, run.result)

    assert broker.supplier == "Crystal Broker" and broker.orderable
    assert [(s.sku, s.name, s.quantity, s.order_date, s.expected_date) for s in broker.lines] == [
        ("KYBER-GREEN", "Green kyber crystal", Decimal(2), pb.clock.today(), None)
    ]


def test_an_open_po_is_late_once_its_expected_date_has_passed(pb: Pegboard) -> None:
    after_first_shipments(pb)
    order_green_crystals(pb, in_days(pb, 14))
    order_green_crystals(pb, in_days(pb, 3), ref="PO-2")

    with pb.reader() as uow:
        on_time = open_purchase_orders(uow.connection, today=pb.clock.today())
        later = open_purchase_orders(uow.connection, today=in_days(pb, 5))

    assert [(p.po_ref, p.expected_date, p.late, p.open_units) for p in on_time] == [
        ("PO-2", in_days(pb, 3), False, 2),
        ("PO-1", in_days(pb, 14), False, 2),
    ]
    assert [(p.po_ref, p.late) for p in later] == [("PO-2", True), ("PO-1", False)]


def test_a_po_page_shows_lines_receipts_and_reschedule_history(pb: Pegboard) -> None:
    after_first_shipments(pb)
    order_green_crystals(pb, in_days(pb, 14))
    purchasing.reschedule("PO-1", in_days(pb, 21), uow=pb.uow(), clock=pb.clock)
    purchasing.receive("PO-1", "KYBER-GREEN", Decimal(1), uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    with pb.reader() as uow:
        po = purchase_order(uow.connection, "PO-1", today=in_days(pb, 22))
        received = open_purchase_orders(uow.connection, today=pb.clock.today())

    assert po is not None
    assert (po.supplier, po.status, po.late, po.expected_date) == (
        "Crystal Broker",
        "partially_received",
        True,
        in_days(pb, 21),
    )
    assert [(line.sku, line.quantity, line.received, line.open_quantity) for line in po.lines] == [
        ("KYBER-GREEN", 2, 1, 1)
    ]
    assert [(r.day, r.sku, r.quantity) for r in po.receipts] == [(pb.clock.today(), "KYBER-GREEN", 1)]
    assert [(c.changed_on, c.old_date, c.new_date) for c in po.reschedules] == [
        (pb.clock.today(), in_days(pb, 14), in_days(pb, 21))
    ]
    assert [p.open_units for p in received] == [1]
