"""Taking, shipping and cancelling orders through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Table, func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import DuplicateRef, InvalidTransition, NothingToShip, UnknownOrder, UnknownSku
from pegboard.domain.sales import OrderStatus, ShipPolicy
from pegboard.services import orders, shipping, stock
from tests.builders import line_state, make_items, make_order, set_stock

FIFO = AllocationPolicy.FIFO


def count(pb: Pegboard, table: Table) -> int:
    with pb.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_an_order_allocates_stock_at_once_and_backorders_the_rest(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=4, MUG=10)

    order = make_order(pb, "SO-1", ("KETTLE", 10), ("MUG", 2), ordered_at=datetime(2026, 11, 20, 9))

    assert line_state(pb, "SO-1") == [("KETTLE", 4, 0, 6, 0), ("MUG", 2, 0, 0, 0)]
    assert order.lines[0].backordered_on == date(2026, 11, 20)
    assert order.lines[1].backordered_on is None


def test_the_same_order_twice_is_taken_once(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)
    make_order(pb, "SO-1", ("KETTLE", 3))

    again = make_order(pb, "SO-1", ("KETTLE", 3))

    assert again.lines[0].allocated_quantity == 3
    assert count(pb, t.sales_orders) == 1
    with pb.reader() as uow:
        assert uow.stock.levels(["KETTLE"])["KETTLE"].allocated == 3


def test_the_same_ref_with_other_content_is_a_conflict(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    make_order(pb, "SO-1", ("KETTLE", 3))

    with pytest.raises(DuplicateRef, match="SO-1"):
        make_order(pb, "SO-1", ("KETTLE", 4))

    assert line_state(pb, "SO-1") == [("KETTLE", 0, 0, 3, 0)]


def test_an_unknown_sku_refuses_the_whole_order(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)

    with pytest.raises(UnknownSku, match="TEAPOT"):
        make_order(pb, "SO-1", ("KETTLE", 1), ("TEAPOT", 1))

    assert count(pb, t.sales_orders) == 0
    assert count(pb, t.order_lines) == 0


def test_shipping_writes_a_shipment_and_a_ledger_movement(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)
    make_order(pb, "SO-1", ("KETTLE", 6))

    shipment = shipping.ship_order("SO-1", tracking="TRK-1", uow=pb.uow(), clock=pb.clock)

    assert shipment.shipment_ref == "SO-1-S1"
    assert line_state(pb, "SO-1") == [("KETTLE", 0, 4, 2, 0)]
    view = stock.stock_of("KETTLE", uow=pb.reader())
    assert (view.stock.on_hand, view.stock.allocated) == (0, 0)
    assert [(m.kind.value, m.quantity, m.reference) for m in view.moves][0] == ("shipment", -4, "SO-1-S1")
    with pb.reader() as uow:
        stored = uow.orders.get("SO-1")
    assert stored is not None and stored.status is OrderStatus.PARTIALLY_SHIPPED


def test_a_complete_order_does_not_ship_until_every_line_is_allocated(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=4)
    make_order(pb, "SO-1", ("KETTLE", 1), ("MUG", 1), ship_policy=ShipPolicy.COMPLETE)

    with pytest.raises(NothingToShip):
        shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)

    set_stock(pb, MUG=1)
    shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)
    assert line_state(pb, "SO-1") == [("KETTLE", 0, 1, 0, 0), ("MUG", 0, 1, 0, 0)]


def test_shipping_an_unknown_order_names_it(pb: Pegboard) -> None:
    with pytest.raises(UnknownOrder, match="SO-404"):
        shipping.ship_order("SO-404", uow=pb.uow(), clock=pb.clock)


def test_cancelling_an_order_hands_its_stock_to_the_next_waiting_line(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=3)
    make_order(pb, "SO-1", ("KETTLE", 3), ordered_at=datetime(2026, 11, 20, 9))
    make_order(pb, "SO-2", ("KETTLE", 2), ordered_at=datetime(2026, 11, 20, 10))

    orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=FIFO)

    assert line_state(pb, "SO-1") == [("KETTLE", 0, 0, 0, 3)]
    assert line_state(pb, "SO-2") == [("KETTLE", 2, 0, 0, 0)]


def test_cancelling_one_sku_keeps_the_rest_of_the_order(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=1, MUG=1)
    make_order(pb, "SO-1", ("KETTLE", 3), ("MUG", 1))

    order = orders.cancel_order("SO-1", "KETTLE", uow=pb.uow(), clock=pb.clock, policy=FIFO)

    assert order.status is OrderStatus.OPEN
    assert line_state(pb, "SO-1") == [("KETTLE", 0, 0, 0, 3), ("MUG", 1, 0, 0, 0)]


def test_a_cancelled_order_cannot_be_cancelled_or_shipped_again(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    make_order(pb, "SO-1", ("KETTLE", 3))
    orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=FIFO)

    with pytest.raises(InvalidTransition):
        orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=FIFO)
    with pytest.raises(InvalidTransition):
        shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)


def test_a_count_below_what_is_reserved_takes_it_back_from_the_newest_order(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=5)
    make_order(pb, "SO-1", ("KETTLE", 3), ordered_at=datetime(2026, 11, 20, 9))
    make_order(pb, "SO-2", ("KETTLE", 2), ordered_at=datetime(2026, 11, 20, 10))

    stock.count_stock({"KETTLE": Decimal(4)}, reason="broken one", uow=pb.uow(), clock=pb.clock, policy=FIFO)

    assert line_state(pb, "SO-1") == [("KETTLE", 3, 0, 0, 0)]
    assert line_state(pb, "SO-2") == [("KETTLE", 1, 0, 1, 0)]
    with pb.reader() as uow:
        moved = uow.stock.moves("KETTLE")
        so2 = uow.orders.get("SO-2")
    assert (moved[0].quantity, moved[0].reason) == (-1, "broken one")
    assert so2 is not None and so2.lines[0].backordered_on == pb.clock.today()


def test_a_count_above_on_hand_feeds_waiting_backorders(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    make_order(pb, "SO-1", ("KETTLE", 3))

    set_stock(pb, KETTLE=2)

    assert line_state(pb, "SO-1") == [("KETTLE", 2, 0, 1, 0)]


def test_the_ledger_keeps_every_movement_and_on_hand_is_their_sum(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=5)
    set_stock(pb, KETTLE=3)
    set_stock(pb, KETTLE=7)

    view = stock.stock_of("KETTLE", uow=pb.reader())

    assert [m.quantity for m in reversed(view.moves)] == [5, -2, 4]
    assert view.stock.on_hand == 7
