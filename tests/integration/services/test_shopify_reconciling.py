"""Reconciling a placed Shopify order with the shop's newest version (services/shopify_reconciling.py)."""

from __future__ import annotations

from decimal import Decimal

from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.sales import OrderStatus
from pegboard.services import orders, shipping, shopify
from tests.builders import line_state, make_items, set_stock
from tests.integration.services.test_shopify import (
    CREATE,
    UPDATED,
    deliver,
    record,
    retry,
    sales_order_status,
)
from tests.shopify_server import order_json


def test_a_quantity_reduced_in_the_shop_is_cancelled_here_waiting_part_first(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=3)
    deliver(pb, CREATE, order_json(lines=[("KETTLE", 5)]))

    first = deliver(
        pb,
        UPDATED,
        order_json(lines=[("KETTLE", 5)], current={"KETTLE": 4}, updated_at="2026-11-23T15:00:00Z"),
    )
    assert first.outcome is shopify.Outcome.UPDATED
    assert line_state(pb, "SHOP-1001") == [("KETTLE", Decimal(3), Decimal(0), Decimal(1), Decimal(1))]

    deliver(
        pb,
        UPDATED,
        order_json(lines=[("KETTLE", 5)], current={"KETTLE": 2}, updated_at="2026-11-23T16:00:00Z"),
    )

    assert line_state(pb, "SHOP-1001") == [("KETTLE", Decimal(2), Decimal(0), Decimal(0), Decimal(3))]
    with pb.reader() as uow:
        assert uow.stock.levels(["KETTLE"])["KETTLE"].available == Decimal(1)


def test_an_addition_in_the_shop_holds_the_order_until_a_retry_adds_it(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=5, MUG=1)
    deliver(pb, CREATE, order_json(lines=[("KETTLE", 1)]))

    changed = deliver(
        pb, UPDATED, order_json(lines=[("KETTLE", 2), ("MUG", 3)], updated_at="2026-11-23T15:00:00Z")
    )

    assert changed.outcome is shopify.Outcome.HELD
    assert changed.problem == "order changed in the shop: KETTLE +1, MUG +3 not on SHOP-1001"
    assert line_state(pb, "SHOP-1001") == [("KETTLE", Decimal(1), Decimal(0), Decimal(0), Decimal(0))]

    added = retry(pb, 5_001_001)

    assert added.outcome is shopify.Outcome.UPDATED
    assert line_state(pb, "SHOP-1001") == [
        ("KETTLE", Decimal(1), Decimal(0), Decimal(0), Decimal(0)),
        ("KETTLE", Decimal(1), Decimal(0), Decimal(0), Decimal(0)),
        ("MUG", Decimal(1), Decimal(0), Decimal(2), Decimal(0)),
    ]
    assert record(pb, 5_001_001).state == "placed"
    assert (
        deliver(
            pb, UPDATED, order_json(lines=[("KETTLE", 2), ("MUG", 3)], updated_at="2026-11-23T15:00:00Z")
        ).outcome
        is shopify.Outcome.UNCHANGED
    )


def test_a_reduction_of_what_already_shipped_is_noted_as_a_return_not_held(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=2)
    deliver(pb, CREATE, order_json(lines=[("KETTLE", 3)]))
    shipping.ship_order("SHOP-1001", uow=pb.uow(), clock=pb.clock)

    applied = deliver(
        pb,
        UPDATED,
        order_json(lines=[("KETTLE", 3)], current={"KETTLE": 1}, updated_at="2026-11-23T18:00:00Z"),
    )
    again = deliver(
        pb,
        UPDATED,
        order_json(lines=[("KETTLE", 3)], current={"KETTLE": 1}, updated_at="2026-11-23T19:00:00Z"),
    )

    assert applied.outcome is shopify.Outcome.UPDATED
    assert applied.problem == "reduced in the shop after shipping (a return?): 1 KETTLE"
    assert again.outcome is shopify.Outcome.UNCHANGED
    assert record(pb, 5_001_001).state == "placed"
    assert line_state(pb, "SHOP-1001") == [("KETTLE", Decimal(0), Decimal(2), Decimal(0), Decimal(1))]


def test_an_order_cancelled_here_but_open_in_the_shop_is_held_with_that_problem(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    deliver(pb, CREATE, order_json())
    orders.cancel_order("SHOP-1001", uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO)

    applied = deliver(pb, UPDATED, order_json(updated_at="2026-11-23T18:00:00Z"))

    assert applied.outcome is shopify.Outcome.HELD
    assert applied.problem == "SHOP-1001 was cancelled here but is open in the shop: cancel it there"


def test_a_raise_in_the_shop_on_an_order_cancelled_here_holds_it_without_adding_a_line(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=5)
    deliver(pb, CREATE, order_json(lines=[("KETTLE", 2)]))
    orders.cancel_order("SHOP-1001", uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO)

    raised = deliver(pb, UPDATED, order_json(lines=[("KETTLE", 3)], updated_at="2026-11-23T12:00:00Z"))

    assert raised.outcome is shopify.Outcome.HELD
    assert line_state(pb, "SHOP-1001") == [("KETTLE", Decimal(0), Decimal(0), Decimal(0), Decimal(2))]
    assert sales_order_status(pb, "SHOP-1001") == (OrderStatus.CANCELLED, "paid")
