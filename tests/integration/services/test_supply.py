"""Receiving purchases and making things: partial receipts, policies, MOs and their materials."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import MissingMaterials, OverReceipt, UnknownSupplyOrder
from pegboard.domain.items import BomLine, Item, Procurement
from pegboard.domain.quantities import to_quantity
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine, SupplyStatus
from pegboard.services import catalogue, manufacturing, purchasing, stock
from tests.builders import line_state, make_items, make_order, set_stock

FIFO = AllocationPolicy.FIFO
NEXT_WEEK = date(2026, 11, 30)


def add_po(pb: Pegboard, ref: str, sku: str, quantity: int) -> None:
    purchasing.add_purchase_orders(
        [PurchaseOrder(ref, "Acme", [PurchaseOrderLine(sku, to_quantity(quantity), NEXT_WEEK)])], uow=pb.uow()
    )


def receive(pb: Pegboard, ref: str, sku: str, quantity: int, policy: AllocationPolicy = FIFO) -> None:
    purchasing.receive(ref, sku, Decimal(quantity), uow=pb.uow(), clock=pb.clock, policy=policy)


def at(hour: int) -> datetime:
    return datetime(2026, 11, 20, hour)


def test_a_partial_receipt_serves_the_oldest_backorder_first(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    make_order(pb, "SO-2", ("KETTLE", 2), ordered_at=at(10))
    make_order(pb, "SO-1", ("KETTLE", 2), ordered_at=at(9))
    add_po(pb, "PO-1", "KETTLE", 10)

    receive(pb, "PO-1", "KETTLE", 3)

    assert line_state(pb, "SO-1") == [("KETTLE", 2, 0, 0, 0)]
    assert line_state(pb, "SO-2") == [("KETTLE", 1, 0, 1, 0)]
    with pb.reader() as uow:
        po = uow.supply.purchase_order("PO-1")
    assert po is not None and po.status is SupplyStatus.PARTIALLY_RECEIVED


def test_priority_policy_serves_the_higher_priority_order_first(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    make_order(pb, "SO-1", ("KETTLE", 2), ordered_at=at(9))
    make_order(pb, "SO-2", ("KETTLE", 2), ordered_at=at(10), priority=5)
    add_po(pb, "PO-1", "KETTLE", 10)

    receive(pb, "PO-1", "KETTLE", 2, policy=AllocationPolicy.PRIORITY)

    assert line_state(pb, "SO-2") == [("KETTLE", 2, 0, 0, 0)]
    assert line_state(pb, "SO-1") == [("KETTLE", 0, 0, 2, 0)]


def test_complete_first_skips_an_older_order_that_cannot_complete(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "MUG")
    make_order(pb, "SO-1", ("KETTLE", 4), ordered_at=at(8))
    make_order(pb, "SO-2", ("KETTLE", 1), ("MUG", 1), ordered_at=at(9))
    make_order(pb, "SO-3", ("KETTLE", 2), ordered_at=at(10))
    make_order(pb, "SO-4", ("KETTLE", 2), ordered_at=at(11))
    add_po(pb, "PO-1", "KETTLE", 10)

    receive(pb, "PO-1", "KETTLE", 5, policy=AllocationPolicy.COMPLETE_FIRST)

    assert line_state(pb, "SO-3") == [("KETTLE", 2, 0, 0, 0)]
    assert line_state(pb, "SO-4") == [("KETTLE", 2, 0, 0, 0)]
    # SO-2 cannot become whole (no MUG), so what is left goes oldest first: to SO-1.
    assert line_state(pb, "SO-1") == [("KETTLE", 1, 0, 3, 0)]
    assert line_state(pb, "SO-2")[0] == ("KETTLE", 0, 0, 1, 0)


def test_receiving_more_than_is_still_expected_is_refused(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    add_po(pb, "PO-1", "KETTLE", 5)
    receive(pb, "PO-1", "KETTLE", 4)

    with pytest.raises(OverReceipt, match="only 1"):
        receive(pb, "PO-1", "KETTLE", 2)

    assert stock.stock_of("KETTLE", uow=pb.reader()).stock.on_hand == 4


def test_receiving_on_an_unknown_po_names_it(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")

    with pytest.raises(UnknownSupplyOrder, match="PO-9"):
        receive(pb, "PO-9", "KETTLE", 1)


def test_a_new_expected_date_is_kept_as_history(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    add_po(pb, "PO-1", "KETTLE", 5)

    old = purchasing.reschedule("PO-1", date(2026, 12, 7), uow=pb.uow(), clock=pb.clock)

    assert old == NEXT_WEEK
    with pb.engine.connect() as conn:
        rows = conn.execute(select(t.expected_date_changes)).all()
    assert [(r.supply_ref, r.old_date, r.new_date) for r in rows] == [("PO-1", NEXT_WEEK, date(2026, 12, 7))]


def saber_workshop(pb: Pegboard) -> None:
    """SABER = HILT + 2 CRYSTAL; HILT = GRIP + 0.5 SCREW-PACK."""
    make_items(pb, "CRYSTAL", "GRIP", "SCREW-PACK")
    catalogue.save_items(
        [
            Item("SABER", "Saber", Procurement.MAKE, lead_time_days=1),
            Item("HILT", "Hilt", Procurement.MAKE, lead_time_days=2),
        ],
        uow=pb.uow(),
    )
    catalogue.save_boms(
        {
            "SABER": [BomLine("HILT", to_quantity(1)), BomLine("CRYSTAL", to_quantity(2))],
            "HILT": [BomLine("GRIP", to_quantity(1)), BomLine("SCREW-PACK", to_quantity("0.5"))],
        },
        uow=pb.uow(),
    )


def test_a_material_check_lists_what_is_missing_at_every_level(pb: Pegboard) -> None:
    saber_workshop(pb)
    set_stock(pb, HILT=1, CRYSTAL=10, GRIP=1, SCREW_PACK=0)

    shortages = manufacturing.material_check("SABER", Decimal(3), uow=pb.reader())

    assert [(s.sku, s.quantity, s.level) for s in shortages] == [
        ("HILT", 2, 1),
        ("GRIP", 1, 2),
        ("SCREW-PACK", 1, 2),
    ]


def test_an_mo_starts_today_and_finishes_after_the_lead_time(pb: Pegboard) -> None:
    saber_workshop(pb)

    mo = manufacturing.open_manufacturing_order("SABER", to_quantity(2), uow=pb.uow(), clock=pb.clock)

    assert (mo.mo_ref, mo.start_date, mo.finish_date) == ("MO-1", pb.clock.today(), date(2026, 11, 24))


def test_completing_an_mo_consumes_components_and_feeds_backorders(pb: Pegboard) -> None:
    saber_workshop(pb)
    set_stock(pb, HILT=3, CRYSTAL=6)
    make_order(pb, "SO-1", ("SABER", 2))
    mo = manufacturing.open_manufacturing_order("SABER", to_quantity(3), uow=pb.uow(), clock=pb.clock)

    manufacturing.complete_manufacturing_order(
        mo.mo_ref, Decimal(2), uow=pb.uow(), clock=pb.clock, policy=FIFO
    )

    assert line_state(pb, "SO-1") == [("SABER", 2, 0, 0, 0)]
    levels = stock.stock_of("HILT", uow=pb.reader()).stock, stock.stock_of("CRYSTAL", uow=pb.reader()).stock
    assert [s.on_hand for s in levels] == [1, 2]
    with pb.reader() as uow:
        stored = uow.supply.manufacturing_order(mo.mo_ref)
    assert stored is not None and stored.status is SupplyStatus.PARTIALLY_COMPLETED


def test_completing_without_materials_is_refused_with_the_shortages(pb: Pegboard) -> None:
    saber_workshop(pb)
    set_stock(pb, HILT=1, CRYSTAL=1)
    mo = manufacturing.open_manufacturing_order("SABER", to_quantity(2), uow=pb.uow(), clock=pb.clock)

    with pytest.raises(MissingMaterials) as refused:
        manufacturing.complete_manufacturing_order(mo.mo_ref, uow=pb.uow(), clock=pb.clock, policy=FIFO)

    assert sorted((s.sku, s.quantity) for s in refused.value.shortages if s.level == 1) == [
        ("CRYSTAL", 3),
        ("HILT", 1),
    ]
    assert stock.stock_of("SABER", uow=pb.reader()).stock.on_hand == 0
    assert stock.stock_of("HILT", uow=pb.reader()).stock.on_hand == 1


def test_completing_more_than_is_left_to_make_is_refused(pb: Pegboard) -> None:
    saber_workshop(pb)
    set_stock(pb, HILT=9, CRYSTAL=20)
    mo = manufacturing.open_manufacturing_order("SABER", to_quantity(2), uow=pb.uow(), clock=pb.clock)

    with pytest.raises(OverReceipt):
        manufacturing.complete_manufacturing_order(
            mo.mo_ref, Decimal(3), uow=pb.uow(), clock=pb.clock, policy=FIFO
        )
