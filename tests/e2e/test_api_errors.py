"""Bad input through REST: every refusal is a JSON error naming its code and field, writing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pegboard.services import intake, orders
from tests.e2e.test_api_support import (
    Api,
    TestClient,
    assert_error,
    make_items,
    open_api,
    order_body,
    row_counts,
    set_stock,
)


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url, max_request_bytes=10_000)


@pytest.fixture
def shop(api: Api) -> Api:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=4)
    return api


def post_raw(api: Api, path: str, raw: bytes, content_type: str = "application/json") -> Any:
    headers = api.headers(api.operator) | {"content-type": content_type}
    return api.client.post(f"/api/v1{path}", content=raw, headers=headers)


@pytest.mark.parametrize(
    ("quantity", "reason"),
    [
        (0, "is zero"),
        (-1, "is negative"),
        ("-0.5", "is negative"),
        ("abc", "is not a number"),
        ("", "is empty"),
        ("1000000001", "is larger than 1,000,000,000"),
        ("1.1234567", "has more than 6 decimal places"),
        (True, "is not a number"),
        (None, "is not a number"),
        ([1], "is not a number"),
        ("NaN", "is not a number"),
        ("Infinity", "is not a number"),
    ],
)
def test_a_bad_quantity_is_a_422_naming_the_line_field(shop: Api, quantity: Any, reason: str) -> None:
    before = row_counts(shop.pb)

    response = shop.post("/orders", order_body("SO-1", ("KETTLE", quantity)))

    error = assert_error(response, 422, "invalid_value", field="lines[0].quantity")
    assert reason in error["message"]
    assert row_counts(shop.pb) == before


@pytest.mark.parametrize("number", [b"1e12", b"1.0000001", b"1e-7", b"123456789012345678901234567890"])
def test_a_bad_json_number_is_refused_without_going_through_float(shop: Api, number: bytes) -> None:
    raw = b'{"order_ref": "SO-1", "lines": [{"sku": "KETTLE", "quantity": ' + number + b"}]}"
    before = row_counts(shop.pb)

    response = post_raw(shop, "/orders", raw)

    assert_error(response, 422, "invalid_value", field="lines[0].quantity")
    assert row_counts(shop.pb) == before


@pytest.mark.parametrize(
    "raw",
    [b'{"order_ref": ', b"not json", b'{"order_ref": "SO-1", "lines": [{"sku": "KETTLE", "quantity": NaN}]}'],
)
def test_malformed_json_is_a_422_malformed_json(shop: Api, raw: bytes) -> None:
    before = row_counts(shop.pb)

    response = post_raw(shop, "/orders", raw)

    assert_error(response, 422, "malformed_json", field="body")
    assert row_counts(shop.pb) == before


def test_an_unknown_sku_is_a_404_naming_the_line(shop: Api) -> None:
    before = row_counts(shop.pb)

    response = shop.post("/orders", order_body("SO-1", ("KETTLE", 1), ("GHOST", 1)))

    error = assert_error(response, 404, "unknown_sku", field="lines[1].sku")
    assert error["ref"] == "GHOST"
    assert row_counts(shop.pb) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ordered_at": "2026-13-01"}, "ordered_at"),
        ({"ordered_at": 20261123}, "ordered_at"),
        ({"ship_policy": "sometimes"}, "ship_policy"),
        ({"priority": "high"}, "priority"),
        ({"priority": 5000}, "priority"),
        ({"order_ref": "  "}, "order_ref"),
        ({"lines": []}, "lines"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_order_field_is_a_422_naming_it(shop: Api, change: dict[str, Any], field: str) -> None:
    before = row_counts(shop.pb)

    response = shop.post("/orders", order_body("SO-1", ("KETTLE", 1), **change))

    assert_error(response, 422, "invalid_value", field=field)
    assert row_counts(shop.pb) == before


def test_a_missing_field_is_named_and_every_problem_is_listed(shop: Api) -> None:
    response = shop.post("/orders", {"customer": "Ada", "lines": [{"sku": "KETTLE"}]})

    error = assert_error(response, 422, "invalid_value", field="order_ref")
    assert error["message"] == "field 'order_ref': is required"
    assert {p["field"] for p in error["problems"]} == {"order_ref", "lines[0].quantity"}


def test_a_body_that_is_not_an_object_is_a_422(shop: Api) -> None:
    response = shop.post("/orders", [1, 2])

    assert_error(response, 422, "invalid_value", field="body")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("status=lost", "status"),
    ],
)
def test_a_bad_query_parameter_is_a_422_naming_it(shop: Api, query: str, field: str) -> None:
    response = shop.get(f"/orders?{query}")

    assert_error(response, 422, "invalid_value", field=field)


def test_a_bad_date_to_reschedule_is_a_422_naming_the_field(shop: Api) -> None:
    response = shop.post("/supply/PO-1/reschedule", {"date": "next week"})

    error = assert_error(response, 422, "invalid_value", field="date")
    assert "YYYY-MM-DD" in error["message"]


def test_a_body_over_the_size_limit_is_a_413_and_writes_nothing(shop: Api) -> None:
    before = row_counts(shop.pb)
    body = order_body("SO-1", *[("KETTLE", 1)] * 400)

    response = shop.post("/orders", body)

    assert_error(response, 413, "too_large")
    assert row_counts(shop.pb) == before


def test_a_body_streamed_without_a_length_is_cut_off_at_the_limit_too(shop: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"order_ref": "SO-1", "customer": "'
        for _ in range(20):
            yield b"x" * 1000
        yield b'"}'

    response = shop.client.post(
        "/api/v1/orders",
        content=chunks(),
        headers=shop.headers(shop.operator) | {"content-type": "application/json"},
    )

    assert_error(response, 413, "too_large")


def test_an_over_long_idempotency_key_is_a_422_naming_the_header(shop: Api) -> None:
    response = shop.post("/orders", order_body("SO-1", ("KETTLE", 1)), key="k" * 201)

    assert_error(response, 422, "invalid_value", field="Idempotency-Key")


def test_an_unknown_path_and_a_wrong_method_answer_in_the_error_shape(shop: Api) -> None:
    assert_error(shop.get("/nowhere"), 404, "not_found")
    assert_error(shop.client.delete("/api/v1/orders"), 405, "method_not_allowed")


def test_a_csv_import_with_a_bad_row_writes_nothing_and_lists_the_problems(shop: Api) -> None:
    before = row_counts(shop.pb)
    csv = b"sku,name,procurement\nLAMP,Lamp,make\nBAD,Bad,borrow\n"

    response = post_raw(shop, "/imports/items", csv, "text/csv")

    error = assert_error(response, 422, "import_rejected")
    assert error["problems"] == [
        "line 3: row 2, field 'procurement', value 'borrow': must be one of: buy, make, dropship"
    ]
    assert row_counts(shop.pb) == before


def test_a_csv_import_sent_as_json_is_a_415(shop: Api) -> None:
    response = shop.post("/imports/items", {"sku": "LAMP"})

    assert_error(response, 415, "unsupported_media_type")


def test_an_unknown_import_kind_is_a_422_naming_it(shop: Api) -> None:
    response = post_raw(shop, "/imports/planets", b"name\nMars\n", "text/csv")

    assert_error(response, 422, "invalid_value", field="kind")


def test_an_over_long_text_is_refused_without_echoing_all_of_it(shop: Api) -> None:
    response = shop.post("/orders", order_body("SO-1", ("KETTLE", 1), customer="x" * 5000))

    error = assert_error(response, 422, "invalid_value", field="customer")
    assert len(error["value"]) < 200


def test_an_unexpected_failure_is_a_500_in_the_error_shape_without_a_traceback(
    shop: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(orders, "place_order", broken)
    monkeypatch.setattr(intake, "place_order", broken)
    monkeypatch.setattr(intake, "place_orders", broken)
    client = TestClient(shop.client.app, raise_server_exceptions=False)

    response = client.post(
        "/api/v1/orders", json=order_body("SO-1", ("KETTLE", 1)), headers=shop.headers(shop.operator)
    )

    assert_error(response, 500, "internal_error")
    assert "secret" not in response.text and "Traceback" not in response.text
