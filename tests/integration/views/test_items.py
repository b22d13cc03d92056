"""Stock figures per item and an item's page: ledger, BOM both ways, projected available stock."""

from __future__ import annotations

from decimal import Decimal

from pegboard.bootstrap import Pegboard
from pegboard.domain.items import Item
from pegboard.domain.quantities import to_quantity
from pegboard.services import catalogue, manufacturing
from pegboard.views.item_page import item_detail
from pegboard.views.items import item_rows
from tests.integration.views.story import after_first_shipments, in_days, order_green_crystals


def test_the_stock_list_shows_on_hand_allocated_available_incoming_and_shortage(pb: Pegboard) -> None:
    after_first_shipments(pb)
    order_green_crystals(pb, in_days(pb, 14))
    manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(3), uow=pb.uow(), clock=pb.clock)

    with pb.reader() as uow:
        rows = {r.sku: r for r in item_rows(uow.connection)}
        found = item_rows(uow.connection, search="kyber")
        short = item_rows(uow.connection, short_only=True)

    crystal, saber = rows["KYBER-GREEN"], rows["SABER-GREEN"]
    # The MO reserves the crystal on hand; it still needs 2 more, which the PO brings.
    assert (crystal.on_hand, crystal.allocated, crystal.available, crystal.incoming, crystal.required) == (
        1,
        1,
        0,
        2,
        2,
    )
    assert crystal.shortage == 0
    assert (saber.required, saber.incoming, saber.shortage) == (3, 3, 0)
    assert [r.sku for r in found] == ["KYBER-BLUE", "KYBER-GREEN"]
    assert short == []


def test_safety_stock_and_reorder_point_count_in_the_shortage(pb: Pegboard) -> None:
    after_first_shipments(pb)
    with pb.reader() as uow:
        hilt = uow.catalogue.item("HILT")
    assert hilt is not None
    catalogue.save_items(
        [Item(**{**hilt.__dict__, "safety_stock": Decimal(12), "reorder_point": Decimal(15)})], uow=pb.uow()
    )

    with pb.reader() as uow:
        (row,) = item_rows(uow.connection, sku="HILT")
        short = [r.sku for r in item_rows(uow.connection, short_only=True)]

    assert (row.safety_stock, row.reorder_point, row.shortage, row.below_reorder_point) == (12, 15, 2, True)
    assert short == ["HILT", "SABER-GREEN"]


def test_an_item_page_has_its_ledger_bom_and_where_used(pb: Pegboard) -> None:
    after_first_shipments(pb)

    with pb.reader() as uow:
        saber = item_detail(uow.connection, "SABER-GREEN", today=pb.clock.today())
        crystal = item_detail(uow.connection, "KYBER-GREEN", today=pb.clock.today())
        nothing = item_detail(uow.connection, "NOPE", today=pb.clock.today())

    assert nothing is None and saber is not None and crystal is not None
    assert [(m.kind, m.quantity, m.reference) for m in saber.movements] == [
        ("shipment", -2, "SO-1-S1"),
        ("adjustment", 2, "count"),
    ]
    assert [(c.sku, c.quantity) for c in saber.components] == [
        ("EMITTER", 1),
        ("HILT", 1),
        ("KYBER-GREEN", 1),
    ]
    assert saber.used_in == ()
    assert [(p.sku, p.name) for p in crystal.used_in] == [("SABER-GREEN", "Green lightsaber")]


def test_the_projection_adds_supply_on_its_day_and_takes_off_what_is_owed_and_needed(pb: Pegboard) -> None:
    after_first_shipments(pb)
    order_green_crystals(pb, in_days(pb, 14))
    order_green_crystals(pb, in_days(pb, 30), ref="PO-2")
    manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(3), uow=pb.uow(), clock=pb.clock)

    with pb.reader() as uow:
        crystal = item_detail(uow.connection, "KYBER-GREEN", today=pb.clock.today())
        saber = item_detail(uow.connection, "SABER-GREEN", today=pb.clock.today())

    assert crystal is not None and saber is not None
    # 1 on hand, reserved for the MO, which needs 2 more today; 2 come in 14 days, 2 more in 30.
    assert [(p.day, p.supply, p.demand, p.available) for p in crystal.projection] == [
        (pb.clock.today(), 0, 2, -2),
        (in_days(pb, 14), 2, 0, 0),
        (in_days(pb, 30), 2, 0, 2),
    ]
    assert crystal.lowest_projected == -2
    # No saber on hand, 3 owed now, the MO brings 3 tomorrow.
    assert [(p.day, p.available) for p in saber.projection] == [(pb.clock.today(), -3), (in_days(pb, 1), 0)]
