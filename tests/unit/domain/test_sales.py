"""Sales order rules: backorders are derived, ship policies decide what leaves, status follows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from pegboard.domain.allocation import ItemStock
from pegboard.domain.errors import InvalidTransition, NothingToShip
from pegboard.domain.events import LineAllocated, LineBackordered
from pegboard.domain.quantities import to_quantity
from pegboard.domain.sales import LineKind, OrderStatus, SalesOrder, SalesOrderLine, ShipPolicy

MONDAY = date(2026, 11, 23)


def order(*lines: tuple[str, str, str], policy: ShipPolicy = ShipPolicy.PARTIAL) -> SalesOrder:
    """Lines as (sku, ordered, allocated)."""
    built = []
    for n, (sku, ordered, allocated) in enumerate(lines, start=1):
        line = SalesOrderLine(n, sku, to_quantity(ordered))
        line.allocate(Decimal(allocated))
        built.append(line)
    return SalesOrder("SO-1", "Ada", datetime(2026, 11, 23, 9), built, ship_policy=policy)


def test_backorder_is_what_is_neither_allocated_shipped_nor_cancelled() -> None:
    so = order(("KETTLE", "10", "4"))

    assert so.lines[0].backordered_quantity == Decimal(6)


def test_partial_policy_ships_what_is_allocated_and_keeps_the_rest_waiting() -> None:
    so = order(("KETTLE", "3", "2"), ("MUG", "1", "1"))

    shipment = so.ship(shipment_ref="SO-1-S1", on=MONDAY)

    assert [(s.sku, s.quantity) for s in shipment.lines] == [("KETTLE", 2), ("MUG", 1)]
    assert so.lines[0].backordered_quantity == 1
    assert so.status is OrderStatus.PARTIALLY_SHIPPED


def test_complete_policy_holds_the_order_until_every_line_is_allocated() -> None:
    so = order(("KETTLE", "3", "2"), ("MUG", "1", "1"), policy=ShipPolicy.COMPLETE)

    with pytest.raises(NothingToShip, match="complete"):
        so.ship(shipment_ref="SO-1-S1", on=MONDAY)

    assert so.lines[0].allocated_quantity == 2


def test_nothing_allocated_means_nothing_to_ship() -> None:
    so = order(("KETTLE", "3", "0"))

    with pytest.raises(NothingToShip, match="nothing is allocated"):
        so.ship(shipment_ref="SO-1-S1", on=MONDAY)


def test_shipping_everything_closes_the_order() -> None:
    so = order(("KETTLE", "2", "2"))

    so.ship(shipment_ref="SO-1-S1", on=MONDAY)

    assert so.status is OrderStatus.SHIPPED
    with pytest.raises(InvalidTransition):
        so.ship(shipment_ref="SO-1-S2", on=MONDAY)


def test_cancelling_releases_the_allocation_and_the_backorder() -> None:
    so = order(("KETTLE", "5", "2"), ("MUG", "1", "1"))

    released = so.cancel()

    assert released == {"KETTLE": 2, "MUG": 1}
    assert so.status is OrderStatus.CANCELLED
    assert all(line.cancelled_quantity == line.quantity for line in so.lines)


def test_cancelling_one_sku_after_a_partial_shipment_leaves_the_order_shipped() -> None:
    so = order(("KETTLE", "3", "2"))
    so.ship(shipment_ref="SO-1-S1", on=MONDAY)

    so.cancel("KETTLE")

    assert so.lines[0].cancelled_quantity == 1
    assert so.status is OrderStatus.SHIPPED


def test_every_line_adds_up_after_each_step() -> None:
    so = order(("KETTLE", "5", "3"))
    so.ship(shipment_ref="SO-1-S1", on=MONDAY)
    so.lines[0].allocate(Decimal(1))
    so.cancel()

    line = so.lines[0]
    assert line.quantity == (
        line.shipped_quantity + line.allocated_quantity + line.backordered_quantity + line.cancelled_quantity
    )


def test_allocating_more_than_the_backorder_is_a_bug_caught_at_once() -> None:
    so = order(("KETTLE", "2", "0"))

    with pytest.raises(ValueError):
        so.lines[0].allocate(Decimal(3))


def test_a_waiting_line_given_stock_records_line_allocated_on_its_order() -> None:
    so = order(("KETTLE", "5", "1"))
    stock = ItemStock("KETTLE", on_hand=Decimal(4), allocated=Decimal(1))

    event = so.allocate_line(1, stock, Decimal(3), reason="complete-first: makes the order whole")

    assert so.lines[0].allocated_quantity == 4
    assert stock.available == 0
    assert event == LineAllocated("SO-1", 1, "KETTLE", Decimal(3), "complete-first: makes the order whole")
    assert [recorded for _, recorded in so.events] == [event]


def test_stock_taken_back_from_a_stock_line_puts_it_on_backorder_and_records_it() -> None:
    so = order(("KETTLE", "5", "5"))

    event = so.take_back(1, Decimal(2), on=MONDAY)

    assert so.lines[0].backordered_quantity == 2
    assert so.lines[0].backordered_on == MONDAY
    assert event == LineBackordered("SO-1", 1, "KETTLE", Decimal(2), MONDAY)
    assert [recorded for _, recorded in so.events] == [event]


def test_stock_taken_back_from_a_preorder_line_records_no_backorder() -> None:
    so = order(("KETTLE", "5", "5"))
    so.lines[0].kind = LineKind.PREORDER

    event = so.take_back(1, Decimal(2), on=MONDAY)

    assert event is None
    assert so.lines[0].preordered_quantity == 2
    assert not so.events
