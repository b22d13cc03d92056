"""The lightsaber workshop of DESIGN.md, first half of its story, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pegboard.bootstrap import Pegboard
from pegboard.domain.quantities import to_quantity
from pegboard.domain.sales import OrderStatus
from pegboard.entrypoints import demo
from pegboard.services import manufacturing, purchasing, shipping
from pegboard.services.imports import ImportKind
from tests.builders import import_text, line_state


def status(pb: Pegboard, ref: str) -> OrderStatus:
    with pb.reader() as uow:
        order = uow.orders.get(ref)
    assert order is not None
    return order.status


def test_the_workshop_ships_what_it_can_and_makes_the_rest(pb: Pegboard) -> None:
    # The workshop: sabers are made of a hilt, an emitter and a crystal; stock is short of green.
    demo.load_catalogue(pb)

    # Orders arrive, oldest first: SO-1 = 3 green + 1 blue, SO-2 = 2 green, SO-3 = 1 blue.
    demo.place_orders(pb)
    assert line_state(pb, "SO-1") == [("SABER-GREEN", 2, 0, 1, 0), ("SABER-BLUE", 1, 0, 0, 0)]
    assert line_state(pb, "SO-2") == [("SABER-GREEN", 0, 0, 2, 0)]
    assert line_state(pb, "SO-3") == [("SABER-BLUE", 1, 0, 0, 0)]

    # SO-1 ships 2 green + 1 blue now and keeps 1 green on backorder; SO-3 ships whole.
    first = shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)
    shipping.ship_order("SO-3", uow=pb.uow(), clock=pb.clock)
    assert sorted((line.sku, line.quantity) for line in first.lines) == [
        ("SABER-BLUE", 1),
        ("SABER-GREEN", 2),
    ]
    assert status(pb, "SO-1") is OrderStatus.PARTIALLY_SHIPPED
    assert status(pb, "SO-3") is OrderStatus.SHIPPED
    assert line_state(pb, "SO-2") == [("SABER-GREEN", 0, 0, 2, 0)]

    # A purchase order for 2 green crystals is placed; one arrives early.
    due = pb.clock.today() + timedelta(days=14)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-1,Crystal Broker,KYBER-GREEN,2,{due}\n",
    )
    purchasing.receive("PO-1", "KYBER-GREEN", Decimal(1), uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    # One green saber is made from the crystal that was on hand; it goes to SO-1, the oldest.
    mo = manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(1), uow=pb.uow(), clock=pb.clock)
    manufacturing.complete_manufacturing_order(mo.mo_ref, uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    assert line_state(pb, "SO-1")[0] == ("SABER-GREEN", 1, 2, 0, 0)
    assert line_state(pb, "SO-2") == [("SABER-GREEN", 0, 0, 2, 0)]

    # SO-1 completes; SO-2 still waits for two sabers, one crystal is already in.
    shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)
    assert status(pb, "SO-1") is OrderStatus.SHIPPED
    shortages = manufacturing.material_check("SABER-GREEN", Decimal(2), uow=pb.reader())
    assert [(s.sku, s.quantity) for s in shortages] == [("KYBER-GREEN", 1)]
