"""Refunds through the shop: a cancelled, paid remainder of a shop order is paid back by Shopify
(Admin API, retried through the outbox) and booked once Shopify confirms it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from pegboard.adapters.shopify import mapping
from pegboard.adapters.shopify.admin import AdminClient
from pegboard.adapters.shopify.refunds import ShopifyRefundChannel
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services import orders, shipping, shopify
from pegboard.services.delivery import DeliveryReport, deliver_pending
from pegboard.services.ports import StoredEvent
from tests.builders import make_items, make_order, set_stock
from tests.integration.test_shopify_fulfilment import MovableClock
from tests.shopify_server import API_VERSION, TOKEN, FakeShopify, order_json, running_shop

ORDER_ID = 5_001_001
REFUNDS_DUE, CASH, DEPOSITS = "2150", "1000", "2100"


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    with running_shop() as running:
        yield running


def client_for(shop: FakeShopify) -> AdminClient:
    return AdminClient(shop.url, TOKEN, api_version=API_VERSION, timeout=5)


def deliver(pb: Pegboard, shop: FakeShopify, clock: MovableClock) -> DeliveryReport:
    channel = ShopifyRefundChannel(client_for(shop), uow_factory=pb.uow, clock=pb.clock, currency="EUR")
    return deliver_pending([channel], uow_factory=pb.uow, clock=clock, max_attempts=5, backoff_seconds=30)


def webhook(pb: Pegboard, topic: str, payload: dict[str, Any]) -> None:
    shopify.receive_webhook(
        topic,
        str(uuid.uuid4()),
        mapping.read_payload(json.dumps(payload)),
        uow=pb.uow(),
        clock=pb.clock,
        policy=AllocationPolicy.FIFO,
    )


def take_paid_order(pb: Pegboard, shop: FakeShopify, payload: dict[str, Any]) -> None:
    """A paid order arrives by webhook (its payment is booked as a deposit); the shop holds the sale."""
    webhook(pb, "orders/create", payload)
    shop.add_order(payload)
    shop.add_payment(payload)


def cancel(order_ref: str, pb: Pegboard) -> None:
    orders.cancel_order(order_ref, uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO)


def balance(pb: Pegboard, order_ref: str, account: str) -> Decimal:
    with pb.reader() as uow:
        return uow.journal.order_balances(order_ref).get(account, Decimal(0))


def shop_refunds_booked(pb: Pegboard, order_ref: str) -> Decimal:
    with pb.reader() as uow:
        return uow.journal.cash_by_reference(order_ref, "shopify")[1]


def refund_requests(shop: FakeShopify) -> list[Any]:
    return [r.body for r in shop.requests if r.method == "POST" and r.path.endswith("/refunds.json")]


def test_cancelling_a_paid_shop_order_asks_shopify_for_the_refund_and_books_it_when_confirmed(
    pb: Pegboard, shop: FakeShopify
) -> None:
    make_items(pb, "KETTLE")
    take_paid_order(pb, shop, order_json())  # 2 kettles, paid 39.98, nothing in stock
    cancel("SHOP-1001", pb)
    assert balance(pb, "SHOP-1001", REFUNDS_DUE) == Decimal("-39.98")

    report = deliver(pb, shop, MovableClock())

    assert report.failed == 0 and shop.violations == []
    base = f"/admin/api/{API_VERSION}/orders/{ORDER_ID}"
    assert [(r.method, r.path) for r in shop.requests] == [
        ("GET", f"{base}/refunds.json"),
        ("GET", f"{base}/transactions.json"),
        ("POST", f"{base}/refunds.json"),
    ]
    asked = refund_requests(shop)[0]["refund"]
    assert asked["currency"] == "EUR"
    assert asked["transactions"] == [
        {"parent_id": ORDER_ID + 900, "amount": "39.98", "kind": "refund", "gateway": "shopify_payments"}
    ]
    assert balance(pb, "SHOP-1001", REFUNDS_DUE) == 0
    assert balance(pb, "SHOP-1001", CASH) == 0
    assert shop_refunds_booked(pb, "SHOP-1001") == Decimal("39.98")


def test_cancelling_the_rest_after_a_partial_shipment_refunds_only_the_unshipped_part(
    pb: Pegboard, shop: FakeShopify
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=1)
    take_paid_order(pb, shop, order_json())
    shipping.ship_order("SHOP-1001", uow=pb.uow(), clock=pb.clock)
    cancel("SHOP-1001", pb)
    due = -balance(pb, "SHOP-1001", REFUNDS_DUE)
    # One kettle of two shipped: 19.99 and half the line's tax (1.67) earned; the rest is due back.
    assert due == Decimal("39.98") - Decimal("19.99") - Decimal("1.67")

    deliver(pb, shop, MovableClock())

    assert shop.violations == []
    assert shop.refunded(ORDER_ID) == [f"{due:.2f}"]
    assert balance(pb, "SHOP-1001", REFUNDS_DUE) == 0
    assert balance(pb, "SHOP-1001", CASH) == Decimal("39.98") - due


def test_a_server_error_is_retried_by_the_outbox_and_the_refund_is_made_and_booked_once(
    pb: Pegboard, shop: FakeShopify
) -> None:
    make_items(pb, "KETTLE")
    take_paid_order(pb, shop, order_json())
    cancel("SHOP-1001", pb)
    clock = MovableClock()
    shop.fail_next(503)

    first = deliver(pb, shop, clock)
    assert first.failed == 1
    assert balance(pb, "SHOP-1001", REFUNDS_DUE) == Decimal("-39.98")

    clock.moment += timedelta(hours=1)
    second = deliver(pb, shop, clock)
    clock.moment += timedelta(hours=2)
    third = deliver(pb, shop, clock)

    assert second.failed == 0 and third.delivered == 0
    assert shop.refunded(ORDER_ID) == ["39.98"]
    assert shop_refunds_booked(pb, "SHOP-1001") == Decimal("39.98")


def test_a_refund_made_in_the_shop_but_never_booked_is_booked_by_the_repeat_not_asked_again(
    pb: Pegboard, shop: FakeShopify
) -> None:
    make_items(pb, "KETTLE")
    take_paid_order(pb, shop, order_json())
    cancel("SHOP-1001", pb)
    # Shopify made the refund, and the answer was lost before it was booked.
    client_for(shop).create_refund(str(ORDER_ID), Decimal("39.98"), currency="EUR", note="lost answer")

    deliver(pb, shop, MovableClock())

    assert len(refund_requests(shop)) == 1
    assert shop.refunded(ORDER_ID) == ["39.98"]
    assert balance(pb, "SHOP-1001", REFUNDS_DUE) == 0
    assert shop_refunds_booked(pb, "SHOP-1001") == Decimal("39.98")


def test_a_pending_refund_is_not_booked_nor_asked_for_again_until_the_shop_confirms_it(
    pb: Pegboard, shop: FakeShopify
) -> None:
    make_items(pb, "KETTLE")
    payload = order_json()
    take_paid_order(pb, shop, payload)
    cancel("SHOP-1001", pb)
    shop.refund_status = "pending"
    channel = ShopifyRefundChannel(client_for(shop), uow_factory=pb.uow, clock=pb.clock, currency="EUR")
    event = StoredEvent(
        "e1", "OrderCancelled", {"order_ref": "SHOP-1001"}, datetime(2026, 11, 23), 0, "SHOP-1001"
    )

    assert channel.deliver([event]) == {}
    assert channel.deliver([event]) == {}  # delivered again: the pending refund counts as asked

    assert len(refund_requests(shop)) == 1
    assert balance(pb, "SHOP-1001", REFUNDS_DUE) == Decimal("-39.98")

    # The shop confirms it, and says so by webhook: booked once, from the shop's totals.
    for deal in shop.transactions[ORDER_ID]:
        deal["status"] = "success"
    refunded = {**payload, "financial_status": "refunded", "updated_at": "2026-11-24T09:00:00Z"}
    refunded["refunds"] = shop.refunds[ORDER_ID]
    webhook(pb, "orders/updated", refunded)
    assert channel.deliver([event]) == {}

    assert balance(pb, "SHOP-1001", REFUNDS_DUE) == 0
    assert shop_refunds_booked(pb, "SHOP-1001") == Decimal("39.98")
    assert len(refund_requests(shop)) == 1


def test_orders_not_from_the_shop_or_cancelled_in_the_shop_are_not_refunded_through_it(
    pb: Pegboard, shop: FakeShopify
) -> None:
    make_items(pb, "KETTLE")
    make_order(pb, "SO-1", ("KETTLE", 2))
    cancel("SO-1", pb)
    payload = order_json()
    take_paid_order(pb, shop, payload)
    webhook(pb, "orders/cancelled", {**payload, "cancelled_at": "2026-11-23T10:00:00Z"})

    report = deliver(pb, shop, MovableClock())

    assert report.failed == 0
    assert shop.requests == []


def test_a_paid_order_reduced_in_the_shop_books_a_refund_due_that_the_shop_pays_back(
    pb: Pegboard, shop: FakeShopify
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=1)
    payload = order_json()  # 2 kettles at 19.99 with 3.33 tax on the line, paid 39.98
    take_paid_order(pb, shop, payload)

    # The merchant edits the order in Shopify: one kettle instead of two.
    reduced = {**payload, "updated_at": "2026-11-23T10:00:00Z"}
    reduced["line_items"] = [{**payload["line_items"][0], "current_quantity": 1}]
    webhook(pb, "orders/updated", reduced)

    # Still owed: one kettle and half the line's tax (1.67); the rest of the deposit is due back.
    due = Decimal("39.98") - Decimal("19.99") - Decimal("1.67")
    assert balance(pb, "SHOP-1001", REFUNDS_DUE) == -due
    assert balance(pb, "SHOP-1001", DEPOSITS) == -(Decimal("39.98") - due)
    with pb.reader() as uow:
        line = uow.orders.get("SHOP-1001").lines[0]  # type: ignore[union-attr]
    assert (line.allocated_quantity, line.cancelled_quantity) == (1, 1)

    # The shop's merchant pays it back there: Pegboard asks the shop for nothing.
    report = deliver(pb, shop, MovableClock())
    assert report.failed == 0 and refund_requests(shop) == []
    client_for(shop).create_refund(str(ORDER_ID), due, currency="EUR", note="edited in the shop")
    refunded = {**reduced, "financial_status": "partially_refunded", "updated_at": "2026-11-23T11:00:00Z"}
    refunded["refunds"] = shop.refunds[ORDER_ID]
    webhook(pb, "orders/updated", refunded)
    webhook(pb, "orders/updated", refunded)  # the same version again books nothing more

    assert balance(pb, "SHOP-1001", REFUNDS_DUE) == 0
    assert shop_refunds_booked(pb, "SHOP-1001") == due
    assert balance(pb, "SHOP-1001", DEPOSITS) == -(Decimal("39.98") - due)


def test_an_unpaid_order_reduced_in_the_shop_books_nothing(pb: Pegboard, shop: FakeShopify) -> None:
    make_items(pb, "KETTLE")
    payload = order_json(financial_status="pending")
    webhook(pb, "orders/create", payload)

    reduced = {**payload, "updated_at": "2026-11-23T10:00:00Z"}
    reduced["line_items"] = [{**payload["line_items"][0], "current_quantity": 1}]
    webhook(pb, "orders/updated", reduced)

    with pb.reader() as uow:
        assert uow.journal.rows() == []
        assert uow.orders.get("SHOP-1001").lines[0].cancelled_quantity == 1  # type: ignore[union-attr]
