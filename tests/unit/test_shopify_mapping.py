"""Reading Shopify's JSON exactly, verifying its signature, and planning fulfilments (no database)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from decimal import Decimal

import pytest

from pegboard.adapters.shopify.admin import FulfillmentOrder, FulfillmentOrderLine
from pegboard.adapters.shopify.channel import plan_fulfilment
from pegboard.adapters.shopify.mapping import MalformedJson, line_item_skus, read_order, read_payload
from pegboard.adapters.shopify.verify import is_authentic, signature
from pegboard.domain.errors import InvalidValue
from tests.shopify_server import line_item_id, order_json


def test_an_order_becomes_a_draft_with_a_stable_ref_exact_prices_and_utc_times() -> None:
    payload = order_json(lines=[("KETTLE", 2)], created_at="2026-11-23T09:15:00-05:00")
    payload["line_items"][0]["price"] = Decimal("0.10")

    order = read_order(payload)

    assert order.shopify_order_id == "5001001"
    assert order.order_ref == "SHOP-1001"
    assert order.draft.ordered_at == datetime(2026, 11, 23, 14, 15)
    assert [(line.sku, line.quantity, line.unit_price) for line in order.draft.lines] == [
        ("KETTLE", Decimal(2), Decimal("0.1"))
    ]
    assert (order.draft.source, order.draft.financial_status, order.draft.customer) == (
        "shopify",
        "paid",
        "Ada Lovelace",
    )


def test_json_numbers_are_read_as_exact_decimals_never_floats() -> None:
    body = json.dumps(order_json()).replace('"price": "19.99"', '"price": 19.99')

    order = read_payload(body)

    assert order.draft.lines[0].unit_price == Decimal("19.99")


def test_a_fractional_quantity_is_an_error_naming_the_line_item_field() -> None:
    payload = order_json()
    payload["line_items"][0]["quantity"] = Decimal("1.5")

    with pytest.raises(InvalidValue) as raised:
        read_order(payload)

    assert raised.value.field == "line_items[0].quantity"
    assert "whole number" in raised.value.message


@pytest.mark.parametrize("field", ["id", "name", "created_at", "updated_at", "line_items"])
def test_a_missing_required_field_is_an_error_naming_it(field: str) -> None:
    payload = order_json()
    del payload[field]

    with pytest.raises(InvalidValue) as raised:
        read_order(payload)

    assert raised.value.field == field


def test_removed_quantities_and_gift_cards_are_left_out_and_a_missing_sku_is_a_problem() -> None:
    payload = order_json(lines=[("KETTLE", 2), ("MUG", 1), ("CARD", 1), (None, 1)], current={"MUG": 0})
    payload["line_items"][2]["gift_card"] = True

    order = read_order(payload)

    assert [(line.sku, line.quantity) for line in order.draft.lines] == [("KETTLE", Decimal(2))]
    assert order.problems == ("line item 4 ('Item without SKU') has no SKU",)


def test_the_customer_falls_back_to_the_shipping_name_then_the_email() -> None:
    payload = order_json()
    payload["customer"] = None

    assert read_order(payload).draft.customer == "Ada Lovelace"
    payload["shipping_address"] = None
    assert read_order(payload).draft.customer == "ada@example.com"


def test_nan_and_broken_json_are_malformed() -> None:
    with pytest.raises(MalformedJson):
        read_payload(b'{"id": NaN}')
    with pytest.raises(MalformedJson):
        read_payload(b"\xff\xfe not json")


def test_line_item_skus_come_from_the_stored_payload() -> None:
    payload = json.dumps(order_json(lines=[("KETTLE", 1), (None, 1), ("MUG", 2)]))

    assert line_item_skus(payload) == {
        str(line_item_id(5_001_001, 1)): "KETTLE",
        str(line_item_id(5_001_001, 3)): "MUG",
    }


def test_the_signature_is_the_base64_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"id": 1}'
    expected = base64.b64encode(hmac.new(b"secret", body, hashlib.sha256).digest()).decode()

    assert signature(body, "secret") == expected
    assert is_authentic(body, "secret", expected)
    assert not is_authentic(body + b" ", "secret", expected)
    assert not is_authentic(body, None, expected)
    assert not is_authentic(body, "secret", None)
    assert not is_authentic(body, "secret", "ünïcode")


def _fo(fo_id: int, location: int, *lines: tuple[int, int, int], status: str = "open") -> FulfillmentOrder:
    return FulfillmentOrder(
        fo_id,
        status,
        location,
        ("create_fulfillment",),
        tuple(FulfillmentOrderLine(li + 50, li, q, f) for li, q, f in lines),
    )


def test_a_fulfilment_takes_what_shopify_has_not_fulfilled_yet_one_fulfillment_per_location() -> None:
    skus = {"1": "KETTLE", "2": "MUG"}
    orders = [_fo(10, 100, (1, 2, 2)), _fo(11, 200, (1, 1, 1), (2, 3, 3))]

    plan = plan_fulfilment({"KETTLE": Decimal(3), "MUG": Decimal(2)}, skus, orders)

    assert plan.by_location == {100: {10: [(51, 2)]}, 200: {11: [(51, 1), (52, 2)]}}
    assert plan.short == {}


def test_a_fulfilment_already_made_in_shopify_is_not_made_again_and_an_excess_is_short() -> None:
    orders = [_fo(10, 100, (1, 3, 1), status="in_progress")]

    assert plan_fulfilment({"KETTLE": Decimal(2)}, {"1": "KETTLE"}, orders).by_location == {}
    plan = plan_fulfilment({"KETTLE": Decimal(4)}, {"1": "KETTLE"}, orders)
    assert (plan.by_location, plan.short) == ({100: {10: [(51, 1)]}}, {"KETTLE": 1})
