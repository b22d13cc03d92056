"""Fulfilment back to the shop: a shipped Shopify order becomes one Shopify fulfillment, retried safely."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from pegboard.adapters.shopify import mapping
from pegboard.adapters.shopify.admin import AdminClient, ShopifyError
from pegboard.adapters.shopify.channel import ShopifyChannel
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services import shipping, shopify
from pegboard.services.delivery import DeliveryReport, deliver_pending
from pegboard.services.ports import StoredEvent
from tests.builders import make_items, make_order, set_stock
from tests.shopify_server import API_VERSION, TOKEN, FakeShopify, line_item_id, order_json, running_shop


class MovableClock:
    """A business clock whose time a test moves on (past an outbox backoff)."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 24, 0, 0)  # after every event the tests write on MONDAY

    def today(self) -> date:
        return self.moment.date()

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    with running_shop() as running:
        yield running


def channel_for(pb: Pegboard, shop: FakeShopify) -> ShopifyChannel:
    client = AdminClient(shop.url, TOKEN, api_version=API_VERSION, timeout=5)
    return ShopifyChannel(client, uow_factory=pb.reader)


def deliver(pb: Pegboard, shop: FakeShopify, clock: MovableClock) -> DeliveryReport:
    return deliver_pending(
        [channel_for(pb, shop)], uow_factory=pb.uow, clock=clock, max_attempts=5, backoff_seconds=30
    )


def take_order(pb: Pegboard, shop: FakeShopify, payload: dict[str, object]) -> None:
    """The order arrives by webhook, and the shop knows its fulfillment orders."""
    shopify.receive_webhook(
        "orders/create",
        str(uuid.uuid4()),
        mapping.read_payload(json.dumps(payload)),
        uow=pb.uow(),
        clock=pb.clock,
        policy=AllocationPolicy.FIFO,
    )
    shop.add_order(payload)


def test_shipping_a_shop_order_creates_one_fulfillment_with_its_lines_and_tracking(
    pb: Pegboard, shop: FakeShopify
) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=5, MUG=5)
    payload = order_json(lines=[("KETTLE", 2), ("MUG", 1)])
    take_order(pb, shop, payload)
    shipping.ship_order("SHOP-1001", tracking="1Z999AA10123456784", uow=pb.uow(), clock=pb.clock)

    report = deliver(pb, shop, MovableClock())

    assert report.failed == 0 and report.parked == 0
    assert shop.violations == []
    assert [(r.method, r.path) for r in shop.requests] == [
        ("GET", f"/admin/api/{API_VERSION}/orders/5001001/fulfillment_orders.json"),
        ("POST", f"/admin/api/{API_VERSION}/fulfillments.json"),
    ]
    assert all(r.headers["x-shopify-access-token"] == TOKEN for r in shop.requests)
    assert len(shop.fulfillments) == 1
    made = shop.fulfillments[0]
    assert made["tracking_info"] == {"number": "1Z999AA10123456784"}
    assert made["line_items_by_fulfillment_order"] == [
        {
            "fulfillment_order_id": 5_001_001 + 7,
            "fulfillment_order_line_items": [
                {"id": line_item_id(5_001_001, 1) + 50, "quantity": 2},
                {"id": line_item_id(5_001_001, 2) + 50, "quantity": 1},
            ],
        }
    ]


def test_a_partial_shipment_fulfils_only_what_left_and_the_next_one_the_rest(
    pb: Pegboard, shop: FakeShopify
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=1)
    take_order(pb, shop, order_json(lines=[("KETTLE", 3)]))
    clock = MovableClock()

    shipping.ship_order("SHOP-1001", tracking="T-1", uow=pb.uow(), clock=pb.clock)
    deliver(pb, shop, clock)
    set_stock(pb, KETTLE=2)
    shipping.ship_order("SHOP-1001", tracking="T-2", uow=pb.uow(), clock=pb.clock)
    deliver(pb, shop, clock)

    assert shop.violations == []
    assert shop.fulfilled() == [(line_item_id(5_001_001, 1) + 50, 1), (line_item_id(5_001_001, 1) + 50, 2)]
    assert [f["tracking_info"]["number"] for f in shop.fulfillments] == ["T-1", "T-2"]


def test_a_server_error_is_returned_for_the_outbox_to_retry_and_a_later_success_fulfils_once(
    pb: Pegboard, shop: FakeShopify
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=2)
    take_order(pb, shop, order_json())
    shipping.ship_order("SHOP-1001", tracking="T-9", uow=pb.uow(), clock=pb.clock)
    clock = MovableClock()
    shop.fail_next(500)

    first = deliver(pb, shop, clock)
    assert (first.failed, len(shop.fulfillments)) == (1, 0)

    clock.moment += timedelta(hours=1)
    second = deliver(pb, shop, clock)
    clock.moment += timedelta(hours=2)
    third = deliver(pb, shop, clock)

    assert second.failed == 0
    assert third.delivered == 0
    assert len(shop.fulfillments) == 1
    assert shop.fulfilled() == [(line_item_id(5_001_001, 1) + 50, 2)]


def test_a_rate_limit_answer_fails_the_whole_batch_with_the_wait_shopify_asked_for(
    pb: Pegboard, shop: FakeShopify
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)
    take_order(pb, shop, order_json())
    take_order(pb, shop, order_json(5_001_002, "#1002"))
    shipping.ship_order("SHOP-1001", uow=pb.uow(), clock=pb.clock)
    shipping.ship_order("SHOP-1002", uow=pb.uow(), clock=pb.clock)
    shop.fail_next(429, retry_after="2.0")
    events = [
        StoredEvent(
            f"e{n}",
            "OrderShipped",
            {"order_ref": ref, "shipment_ref": f"{ref}-S1"},
            datetime(2026, 11, 23),
            0,
            ref,
        )
        for n, ref in enumerate(["SHOP-1001", "SHOP-1002"])
    ]

    failures = channel_for(pb, shop).deliver(events)

    assert set(failures) == {"e0", "e1"}
    assert "429" in failures["e0"] and "retry after 2 s" in failures["e0"]
    assert len(shop.requests) == 1
    assert shop.fulfillments == []


def test_a_repeat_after_a_fulfillment_the_outbox_never_heard_of_fulfils_nothing_more(
    pb: Pegboard, shop: FakeShopify
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=2)
    take_order(pb, shop, order_json())
    shipping.ship_order("SHOP-1001", uow=pb.uow(), clock=pb.clock)
    event = StoredEvent(
        "e1",
        "OrderShipped",
        {"order_ref": "SHOP-1001", "shipment_ref": "SHOP-1001-S1"},
        datetime(2026, 11, 23),
        0,
        "SHOP-1001",
    )
    channel = channel_for(pb, shop)

    assert channel.deliver([event]) == {}
    assert channel.deliver([event]) == {}

    assert len(shop.fulfillments) == 1


def test_orders_that_did_not_come_from_the_shop_are_not_sent_to_it(pb: Pegboard, shop: FakeShopify) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=2)
    make_order(pb, "SO-1", ("KETTLE", 2))
    shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)

    report = deliver(pb, shop, MovableClock())

    assert report.failed == 0
    assert shop.requests == []


def test_a_wrong_access_token_is_a_failure_that_will_not_pass_unchanged(
    pb: Pegboard, shop: FakeShopify
) -> None:
    client = AdminClient(shop.url, "wrong-token", api_version=API_VERSION, timeout=5)

    with pytest.raises(ShopifyError) as raised:
        client.fulfillment_orders("5001001")

    assert (raised.value.status, raised.value.retryable) == (401, False)


def test_an_unreachable_shop_is_a_failure_worth_retrying() -> None:
    client = AdminClient("http://127.0.0.1:9", TOKEN, api_version=API_VERSION, timeout=2)

    with pytest.raises(ShopifyError) as raised:
        client.fulfillment_orders("1")

    assert raised.value.retryable
