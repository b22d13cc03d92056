"""Shopify orders through the service: once per delivery, in any order, held rather than dropped."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from itertools import permutations
from typing import Any

from sqlalchemy import insert, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.shopify import mapping
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.sales import OrderStatus
from pegboard.services import shopify
from pegboard.services.intake import OrderIntake
from pegboard.services.ports import ShopifyOrderRecord
from pegboard.services.runner import with_retries
from tests.builders import line_state, make_items, make_order, set_stock
from tests.integration.services.test_intake import submit_while_held
from tests.shopify_server import order_json

CREATE, UPDATED, CANCELLED = "orders/create", "orders/updated", "orders/cancelled"


def deliver(
    pb: Pegboard, topic: str, payload: dict[str, Any], *, event_id: str | None = None
) -> shopify.Applied:
    """One webhook delivery, its body read as the route reads it."""
    order = mapping.read_payload(json.dumps(payload)) if topic in shopify.ORDER_TOPICS else None
    return shopify.receive_webhook(
        topic,
        event_id or str(uuid.uuid4()),
        order,
        uow=pb.uow(),
        clock=pb.clock,
        policy=AllocationPolicy.FIFO,
    )


def record(pb: Pegboard, shopify_order_id: int) -> ShopifyOrderRecord:
    with pb.reader() as uow:
        found = uow.shopify.get(str(shopify_order_id))
    assert found is not None
    return found


def sales_order_status(pb: Pegboard, ref: str) -> tuple[OrderStatus, str | None] | None:
    with pb.reader() as uow:
        order = uow.orders.get(ref)
    return None if order is None else (order.status, order.financial_status)


def retry(pb: Pegboard, shopify_order_id: int) -> shopify.Applied:
    return shopify.retry_held(
        str(shopify_order_id),
        read=mapping.read_payload,
        uow=pb.uow(),
        clock=pb.clock,
        policy=AllocationPolicy.FIFO,
    )


def test_a_new_shop_order_is_placed_with_allocation_its_address_and_payment_state(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=1)

    applied = deliver(pb, CREATE, order_json(lines=[("KETTLE", 2), ("MUG", 1)], financial_status="paid"))

    assert (applied.outcome, applied.order_ref) == (shopify.Outcome.PLACED, "SHOP-1001")
    assert line_state(pb, "SHOP-1001") == [
        ("KETTLE", Decimal(1), Decimal(0), Decimal(1), Decimal(0)),
        ("MUG", Decimal(0), Decimal(0), Decimal(1), Decimal(0)),
    ]
    with pb.reader() as uow:
        order = uow.orders.get("SHOP-1001")
    assert order is not None
    assert (order.customer, order.email, order.source, order.financial_status) == (
        "Ada Lovelace",
        "ada@example.com",
        "shopify",
        "paid",
    )
    assert order.ship_to == "Ada Lovelace\n12 Analytical Row\nW1 2AB London\nUnited Kingdom"
    assert order.lines[0].unit_price == Decimal("19.99")
    assert record(pb, 5_001_001).state == "placed"


def test_the_same_event_id_delivered_again_changes_nothing(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=5)
    deliver(pb, CREATE, order_json(), event_id="evt-1")

    again = deliver(pb, CREATE, order_json(), event_id="evt-1")
    newer_replayed = deliver(pb, UPDATED, order_json(updated_at="2026-11-23T12:00:00Z"), event_id="evt-1")

    assert again.outcome is shopify.Outcome.DUPLICATE
    assert newer_replayed.outcome is shopify.Outcome.DUPLICATE
    assert line_state(pb, "SHOP-1001") == [("KETTLE", Decimal(2), Decimal(0), Decimal(0), Decimal(0))]


def test_the_same_order_under_a_new_event_id_is_not_placed_twice(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=5)
    deliver(pb, CREATE, order_json())

    again = deliver(pb, CREATE, order_json())

    assert again.outcome is shopify.Outcome.UNCHANGED
    assert line_state(pb, "SHOP-1001") == [("KETTLE", Decimal(2), Decimal(0), Decimal(0), Decimal(0))]


def test_other_topics_are_acknowledged_and_recorded_but_change_nothing(pb: Pegboard) -> None:
    applied = deliver(pb, "products/update", {"id": 1, "title": "Kettle"}, event_id="evt-p")

    assert applied.outcome is shopify.Outcome.IGNORED
    assert deliver(pb, "products/update", {}, event_id="evt-p").outcome is shopify.Outcome.DUPLICATE


def test_a_cancellation_that_arrives_first_keeps_the_later_creation_from_being_placed(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=5)

    cancelled = deliver(
        pb, CANCELLED, order_json(updated_at="2026-11-23T11:00:00Z", cancelled_at="2026-11-23T11:00:00Z")
    )
    created = deliver(pb, CREATE, order_json())

    assert cancelled.outcome is shopify.Outcome.CANCELLED
    assert created.outcome is shopify.Outcome.STALE
    assert sales_order_status(pb, "SHOP-1001") is None
    assert record(pb, 5_001_001).state == "cancelled"


def test_a_cancellation_cancels_the_placed_order_and_its_stock_goes_to_the_next_waiting_order(
    pb: Pegboard,
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=2)
    deliver(pb, CREATE, order_json(lines=[("KETTLE", 2)]))
    make_order(pb, "SO-9", ("KETTLE", 2))

    deliver(
        pb,
        CANCELLED,
        order_json(
            updated_at="2026-11-23T12:00:00Z",
            cancelled_at="2026-11-23T12:00:00Z",
            financial_status="refunded",
        ),
    )

    assert sales_order_status(pb, "SHOP-1001") == (OrderStatus.CANCELLED, "refunded")
    assert line_state(pb, "SO-9") == [("KETTLE", Decimal(2), Decimal(0), Decimal(0), Decimal(0))]


def test_an_update_older_than_the_one_applied_is_ignored(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=5)
    deliver(pb, CREATE, order_json(financial_status="pending"))
    deliver(pb, UPDATED, order_json(updated_at="2026-11-23T15:00:00Z", financial_status="refunded"))

    older = deliver(pb, UPDATED, order_json(updated_at="2026-11-23T14:00:00Z", financial_status="paid"))

    assert older.outcome is shopify.Outcome.STALE
    assert sales_order_status(pb, "SHOP-1001") == (OrderStatus.OPEN, "refunded")


def test_an_update_that_arrives_before_the_creation_places_the_order_from_it(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=5)

    updated = deliver(pb, UPDATED, order_json(updated_at="2026-11-23T16:00:00Z", current={"KETTLE": 1}))
    created = deliver(pb, CREATE, order_json())

    assert (updated.outcome, created.outcome) == (shopify.Outcome.PLACED, shopify.Outcome.STALE)
    assert line_state(pb, "SHOP-1001") == [("KETTLE", Decimal(1), Decimal(0), Decimal(0), Decimal(0))]


def test_a_financial_status_change_is_recorded_on_the_sales_order(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    deliver(pb, CREATE, order_json(financial_status="pending"))

    applied = deliver(pb, UPDATED, order_json(updated_at="2026-11-24T08:00:00Z", financial_status="paid"))

    assert applied.outcome is shopify.Outcome.UPDATED
    assert sales_order_status(pb, "SHOP-1001") == (OrderStatus.OPEN, "paid")
    assert record(pb, 5_001_001).financial_status == "paid"


def test_an_unknown_sku_holds_the_whole_order_until_a_retry_after_the_item_exists(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=3)

    held = deliver(pb, CREATE, order_json(lines=[("KETTLE", 1), ("LAMP", 2), ("VASE", 1)]))

    assert held.outcome is shopify.Outcome.HELD
    assert held.problem == "unknown SKU LAMP, VASE"
    assert sales_order_status(pb, "SHOP-1001") is None
    assert [(h.shopify_order_id, h.problem) for h in shopify.held_orders(uow=pb.reader())] == [
        ("5001001", "unknown SKU LAMP, VASE")
    ]

    make_items(pb, "LAMP", "VASE")
    set_stock(pb, LAMP=2)
    placed = retry(pb, 5_001_001)

    assert placed.outcome is shopify.Outcome.PLACED
    assert [(sku, allocated) for sku, allocated, *_ in line_state(pb, "SHOP-1001")] == [
        ("KETTLE", Decimal(1)),
        ("LAMP", Decimal(2)),
        ("VASE", Decimal(0)),
    ]
    assert shopify.held_orders(uow=pb.reader()) == []


def test_a_line_item_without_a_sku_holds_the_order_with_the_item_named(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")

    held = deliver(pb, CREATE, order_json(lines=[("KETTLE", 1), (None, 1)]))

    assert held.outcome is shopify.Outcome.HELD
    assert held.problem == "line item 2 ('Item without SKU') has no SKU"
    assert sales_order_status(pb, "SHOP-1001") is None


def test_retrying_an_order_that_is_not_held_is_refused(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    deliver(pb, CREATE, order_json())

    try:
        retry(pb, 5_001_001)
    except shopify.NotHeld as error:
        assert "placed, not held" in error.message
    else:
        raise AssertionError("a placed order was retried")


def _delivery(kind: str, order_id: int, name: str) -> tuple[str, dict[str, Any]]:
    """One of three versions of an order: created, then reduced and paid, then cancelled."""
    if kind == "create":
        return CREATE, order_json(order_id, name, [("KETTLE", 3), ("MUG", 1)], financial_status="pending")
    if kind == "update":
        return UPDATED, order_json(
            order_id,
            name,
            [("KETTLE", 3), ("MUG", 1)],
            current={"KETTLE": 2},
            updated_at="2026-11-23T10:00:00Z",
        )
    return CANCELLED, order_json(
        order_id,
        name,
        [("KETTLE", 3), ("MUG", 1)],
        current={"KETTLE": 2},
        updated_at="2026-11-23T11:00:00Z",
        cancelled_at="2026-11-23T11:00:00Z",
        financial_status="refunded",
    )


def test_any_order_of_create_update_and_cancel_deliveries_ends_cancelled_with_the_stock_free(
    pb: Pegboard,
) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=100, MUG=100)

    for n, order in enumerate(permutations(["create", "update", "cancel"])):
        order_id, name = 7_000 + n, f"#{2000 + n}"
        for kind in order:
            deliver(pb, *_delivery(kind, order_id, name))

        state = record(pb, order_id)
        status = sales_order_status(pb, f"SHOP-{2000 + n}")
        assert state.state == "cancelled", order
        assert status is None or status[0] is OrderStatus.CANCELLED, order
    with pb.reader() as uow:
        levels = uow.stock.levels(["KETTLE", "MUG"])
    assert (levels["KETTLE"].allocated, levels["MUG"].allocated) == (0, 0)


def test_any_order_of_create_and_update_deliveries_ends_on_the_newest_version(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=100, MUG=100)

    for n, order in enumerate(permutations(["create", "update"])):
        order_id, name = 8_000 + n, f"#{3000 + n}"
        for kind in order:
            deliver(pb, *_delivery(kind, order_id, name))

        assert line_state(pb, f"SHOP-{3000 + n}") == [
            ("KETTLE", Decimal(2), Decimal(0), Decimal(0), Decimal(1 if order[0] == "create" else 0)),
            ("MUG", Decimal(1), Decimal(0), Decimal(0), Decimal(0)),
        ], order
        assert record(pb, order_id).shop_updated_at is not None


def test_concurrent_deliveries_of_one_order_place_it_once_and_apply_the_newest_version(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=10)
    versions = [
        order_json(lines=[("KETTLE", 4)], current={"KETTLE": 4 - n % 3}, updated_at=f"2026-11-23T1{n}:00:00Z")
        for n in range(6)
    ]
    deliveries = [(CREATE if n == 0 else UPDATED, v, f"evt-{n}") for n, v in enumerate(versions)] * 2

    def send(delivery: tuple[str, dict[str, Any], str]) -> shopify.Outcome:
        topic, payload, event_id = delivery
        order = mapping.read_payload(json.dumps(payload))
        return with_retries(
            lambda: (
                shopify.receive_webhook(
                    topic, event_id, order, uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO
                ).outcome
            )
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(send, deliveries))

    assert outcomes.count(shopify.Outcome.DUPLICATE) == 6
    assert outcomes.count(shopify.Outcome.PLACED) == 1
    newest = 4 - 5 % 3
    [(sku, allocated, shipped, backordered, cancelled)] = line_state(pb, "SHOP-1001")
    assert (allocated, backordered) == (newest, 0)
    # Placed from whichever version arrived first (its current quantity: 4, 3 or 2); no unit is lost.
    with pb.reader() as uow:
        placed = uow.orders.get("SHOP-1001")
    assert placed is not None
    [line] = placed.lines
    assert line.quantity in {Decimal(4), Decimal(3), Decimal(2)}
    assert allocated + cancelled == line.quantity
    assert record(pb, 5_001_001).shop_updated_at == datetime(2026, 11, 23, 15, 0)


def test_concurrent_orders_for_the_last_units_never_allocate_more_than_is_on_hand(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=5)
    payloads = [order_json(9_000 + n, f"#{4000 + n}", [("KETTLE", 1)]) for n in range(12)]

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda p: with_retries(lambda: deliver(pb, CREATE, p)), payloads))

    with pb.reader() as uow:
        level = uow.stock.levels(["KETTLE"])["KETTLE"]
    assert (level.on_hand, level.allocated) == (5, 5)


def test_an_order_pegboard_refuses_as_it_stands_is_held_with_the_reason_not_lost(pb: Pegboard) -> None:
    # An item the catalogue service would refuse now (a drop-ship item with no supplier), as an
    # older database may hold it: placing an order for it is refused after the order row is written.
    with pb.engine.begin() as conn:
        conn.execute(insert(t.items).values(sku="DROP-LAMP", name="Lamp", procurement="dropship"))

    applied = deliver(pb, CREATE, order_json(lines=[("DROP-LAMP", 1)]), event_id="evt-d")

    assert applied.outcome is shopify.Outcome.HELD
    assert applied.problem is not None and "without a supplier" in applied.problem
    assert sales_order_status(pb, "SHOP-1001") is None
    replayed = deliver(pb, CREATE, order_json(lines=[("DROP-LAMP", 1)]), event_id="evt-d")
    assert replayed.outcome is shopify.Outcome.DUPLICATE
    assert [h.problem for h in shopify.held_orders(uow=pb.uow())] == [applied.problem]


def new_delivery(n: int) -> tuple[str, shopify.ShopOrder]:
    """Event evt-N: a first delivery of shop order #300N."""
    order = mapping.read_payload(json.dumps(order_json(order_id=7000 + n, name=f"#{3000 + n}")))
    return f"evt-{n}", order


def test_new_orders_arriving_together_are_placed_with_their_bookkeeping_in_one_transaction(
    pb: Pegboard,
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=3)
    intake = OrderIntake(pb.uow, pb.clock)
    deliveries = [new_delivery(n) for n in range(6)]
    try:
        submitted = submit_while_held(
            pb,
            intake,
            [o.draft for _, o in deliveries],
            writes_with_orders=[shopify.NewOrderBookkeeping(e, CREATE, o, pb.clock) for e, o in deliveries],
        )
        assert all(f.result().created for f in submitted)
        # The same deliveries again (Shopify's retries) are refused by the fast lane, and the
        # full rules then call them duplicates.
        again = [shopify.take_new_order(intake, CREATE, e, o, clock=pb.clock) for e, o in deliveries]
    finally:
        intake.close()

    assert again == [None] * 6
    assert [deliver(pb, CREATE, order_json(order_id=7000, name="#3000"), event_id="evt-0").outcome] == [
        shopify.Outcome.DUPLICATE
    ]
    with pb.engine.connect() as conn:
        events = conn.execute(select(t.shopify_events.c.event_id).order_by(t.shopify_events.c.event_id))
        assert [e[0] for e in events] == [f"evt-{n}" for n in range(6)]
        rows = conn.execute(select(t.shopify_orders.c.order_ref, t.shopify_orders.c.state)).all()
    assert sorted(rows) == [(f"SHOP-{3000 + n}", "placed") for n in range(6)]
    assert sum(line_state(pb, f"SHOP-{3000 + n}")[0][1] for n in range(6)) == 3
