"""POST /shopify/webhooks: signed by HMAC, once per event id, fast answers; held orders over REST."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.shopify.verify import signature
from tests.e2e.test_api_support import Api, assert_error, make_items, open_api, row_counts, set_stock
from tests.shopify_server import order_json

SECRET = "hush-shopify-app-secret"


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url, shopify_secret=SECRET, max_request_bytes=20_000, notify_interval_seconds=0)


def post_webhook(
    api: Api,
    payload: Any,
    *,
    topic: str | None = "orders/create",
    event_id: str | None = "evt-1",
    secret: str | None = SECRET,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """A delivery as Shopify sends it: the raw body, its HMAC, the topic and the event id."""
    body = raw if raw is not None else json.dumps(payload).encode()
    sent = {"Content-Type": "application/json", "X-Shopify-Shop-Domain": "my-shop.myshopify.com"}
    if secret is not None:
        sent["X-Shopify-Hmac-Sha256"] = signature(body, secret)
    if topic is not None:
        sent["X-Shopify-Topic"] = topic
    if event_id is not None:
        sent["X-Shopify-Event-Id"] = event_id
    return api.client.post("/shopify/webhooks", content=body, headers=sent | (headers or {}))


def orders_placed(api: Api) -> int:
    with api.pb.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.sales_orders)).scalar_one())


def test_a_signed_order_webhook_is_answered_200_and_places_the_order(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=5)

    response = post_webhook(api, order_json())

    assert response.status_code == 200, response.text
    assert response.json() == {"outcome": "placed", "order_ref": "SHOP-1001"}
    order = api.get("/orders/SHOP-1001").json()
    assert [(line["sku"], line["allocated"]) for line in order["lines"]] == [("KETTLE", 2)]


def test_a_wrong_signature_is_refused_with_401_and_writes_nothing(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    before = row_counts(api.pb)

    response = post_webhook(api, order_json(), secret="not-the-secret")

    assert_error(response, 401, "unauthorised")
    assert row_counts(api.pb) == before


def test_a_body_changed_after_signing_is_refused_with_401(api: Api) -> None:
    body = json.dumps(order_json()).encode()
    tampered = body.replace(b'"quantity": 2', b'"quantity": 20')

    response = post_webhook(
        api, None, raw=tampered, headers={"X-Shopify-Hmac-Sha256": signature(body, SECRET)}
    )

    assert_error(response, 401, "unauthorised")


def test_a_missing_signature_is_refused_with_401(api: Api) -> None:
    assert_error(post_webhook(api, order_json(), secret=None), 401, "unauthorised")


def test_without_a_configured_secret_every_webhook_is_refused_with_401(db_url: str) -> None:
    for unsigned in open_api(db_url, notify_interval_seconds=0):
        assert_error(post_webhook(unsigned, order_json()), 401, "unauthorised")
        assert orders_placed(unsigned) == 0


def test_the_webhook_needs_no_bearer_token_but_the_api_still_does(api: Api) -> None:
    make_items(api.pb, "KETTLE")

    assert post_webhook(api, order_json()).status_code == 200
    assert_error(api.client.get("/api/v1/shopify/held"), 401, "unauthorised")


def test_malformed_json_is_a_400_in_the_api_error_shape(api: Api) -> None:
    response = post_webhook(api, None, raw=b'{"id": 5001001, "name": "#1001",')

    error = assert_error(response, 400, "malformed_json", field="body")
    assert "not valid JSON" in error["message"]


def test_a_missing_topic_is_a_400_naming_the_header(api: Api) -> None:
    assert_error(post_webhook(api, order_json(), topic=None), 400, "missing_header", field="X-Shopify-Topic")


def test_a_missing_event_id_is_a_400_and_the_webhook_id_stands_in_for_it(api: Api) -> None:
    make_items(api.pb, "KETTLE")

    missing = post_webhook(api, order_json(), event_id=None)
    by_webhook_id = post_webhook(api, order_json(), event_id=None, headers={"X-Shopify-Webhook-Id": "wh-1"})
    replayed = post_webhook(api, order_json(), event_id=None, headers={"X-Shopify-Webhook-Id": "wh-1"})

    error = assert_error(missing, 400, "missing_header")
    assert "X-Shopify-Event-Id" in error["message"] and "X-Shopify-Webhook-Id" in error["message"]
    assert by_webhook_id.json()["outcome"] == "placed"
    assert replayed.json()["outcome"] == "duplicate"


def test_a_body_over_the_size_limit_is_refused_with_413(api: Api) -> None:
    huge = order_json(lines=[(f"SKU-{n}", 1) for n in range(200)])

    response = post_webhook(api, huge)

    assert_error(response, 413, "too_large")
    assert orders_placed(api) == 0


def test_an_unknown_topic_is_acknowledged_with_200_recorded_and_ignored(api: Api) -> None:
    response = post_webhook(
        api, {"id": 632910392, "title": "IPod Nano"}, topic="products/update", event_id="p-1"
    )

    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    with api.pb.engine.connect() as conn:
        topics = conn.execute(select(t.shopify_events.c.event_id, t.shopify_events.c.topic)).all()
    assert [tuple(row) for row in topics] == [("p-1", "products/update")]


def test_replayed_deliveries_of_one_event_place_one_order(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=10)

    answers = [post_webhook(api, order_json(), event_id="evt-7").json()["outcome"] for _ in range(3)]

    assert answers == ["placed", "duplicate", "duplicate"]
    assert orders_placed(api) == 1
    assert api.get("/stock/KETTLE").json()["allocated"] == 2


def test_an_order_without_a_required_field_is_a_422_naming_it(api: Api) -> None:
    payload = order_json()
    del payload["line_items"][0]["quantity"]

    response = post_webhook(api, payload)

    error = assert_error(response, 422, "invalid_value", field="line_items[0].quantity")
    assert "is required" in error["message"]


def test_an_unknown_sku_is_held_listed_over_rest_and_placed_by_a_retry_once_it_exists(api: Api) -> None:
    response = post_webhook(api, order_json(lines=[("GHOST", 1)]))

    assert response.status_code == 200
    assert response.json()["outcome"] == "held"
    held = api.get("/shopify/held").json()
    assert [(h["shopify_order_id"], h["order_ref"], h["problem"]) for h in held] == [
        ("5001001", "SHOP-1001", "unknown SKU GHOST")
    ]

    make_items(api.pb, "GHOST")
    retried = api.post("/shopify/held/5001001/retry")

    assert retried.status_code == 200, retried.text
    assert retried.json()["outcome"] == "placed"
    assert api.get("/shopify/held").json() == []
    assert api.get("/orders/SHOP-1001").json()["lines"][0]["backordered"] == 1


def test_retrying_an_unknown_shopify_order_is_a_404(api: Api) -> None:
    assert_error(api.post("/shopify/held/999/retry"), 404, "unknown_shopify_order")


def test_concurrent_deliveries_share_transactions_and_each_event_counts_once(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=5)
    # Ten new orders, each delivered three times (Shopify retries), all at the same moment.
    deliveries = [(n, copy) for n in range(1, 11) for copy in range(3)]

    def deliver(delivery: tuple[int, int]) -> Any:
        n, _copy = delivery
        payload = order_json(order_id=5000 + n, name=f"#{2000 + n}")
        return post_webhook(api, payload, event_id=f"evt-{n}")

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(deliver, deliveries))

    assert {a.status_code for a in answers} == {200}
    outcomes = sorted(a.json()["outcome"] for a in answers)
    assert outcomes == ["duplicate"] * 20 + ["placed"] * 10
    assert orders_placed(api) == 10
    with api.pb.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.shopify_events)).scalar_one() == 10
        assert conn.execute(select(func.count()).select_from(t.shopify_orders)).scalar_one() == 10
        allocated = conn.execute(select(func.sum(t.order_lines.c.allocated))).scalar_one()
    assert allocated == 5
