"""Orders through REST: placing with allocation and backorder, idempotency, ship, cancel, lists."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from pegboard.entrypoints.api.schemas import BackorderOut, OrderOut, ShipmentOut
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
    yield from open_api(db_url)


@pytest.fixture
def kettles(api: Api) -> Api:
    """KETTLE (4 on hand) and TEAPOT (none)."""
    make_items(api.pb, "KETTLE", "TEAPOT")
    set_stock(api.pb, KETTLE=4)
    return api


def test_an_order_takes_the_stock_on_hand_and_backorders_the_rest(kettles: Api) -> None:
    response = kettles.post("/orders", order_body("SO-1", ("KETTLE", 6), ("TEAPOT", 1)))

    assert response.status_code == 201
    order = OrderOut.model_validate(response.json()).model_dump(mode="json")
    assert order["status"] == "open"
    assert [(line["sku"], line["allocated"], line["backordered"]) for line in response.json()["lines"]] == [
        ("KETTLE", 4, 2),
        ("TEAPOT", 0, 1),
    ]
    assert response.json() == kettles.get("/orders/SO-1").json()
    backorders = kettles.get("/backorders").json()
    assert [(b["order_ref"], b["sku"], b["quantity"], b["opened_at"]) for b in backorders] == [
        ("SO-1", "KETTLE", 2, "2026-11-23"),
        ("SO-1", "TEAPOT", 1, "2026-11-23"),
    ]
    for backorder in backorders:
        BackorderOut.model_validate(backorder)


def test_the_same_order_sent_again_is_a_200_and_allocates_nothing_more(kettles: Api) -> None:
    first = kettles.post("/orders", order_body("SO-1", ("KETTLE", 3)))
    before = row_counts(kettles.pb)

    again = kettles.post("/orders", order_body("SO-1", ("KETTLE", 3)))

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert row_counts(kettles.pb) == before
    assert kettles.get("/stock/KETTLE").json()["allocated"] == 3


def test_the_same_ref_with_other_content_is_a_409_duplicate_ref_that_writes_nothing(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("KETTLE", 3)))
    before = row_counts(kettles.pb)

    response = kettles.post("/orders", order_body("SO-1", ("KETTLE", 2)))

    error = assert_error(response, 409, "duplicate_ref")
    assert error["ref"] == "SO-1"
    assert row_counts(kettles.pb) == before


def test_quantities_are_taken_exactly_from_json_numbers_and_strings(kettles: Api) -> None:
    set_stock(kettles.pb, KETTLE="0.3")
    body = order_body("SO-1", ("KETTLE", "0.1"))
    raw = (
        b'{"order_ref": "SO-2", "lines": [{"sku": "KETTLE", "quantity": 0.1}, '
        b'{"sku": "KETTLE", "quantity": 0.1}, {"sku": "KETTLE", "quantity": 1.5}]}'
    )

    first = kettles.post("/orders", body)
    second = kettles.client.post(
        "/api/v1/orders",
        content=raw,
        headers=kettles.headers(kettles.operator) | {"content-type": "application/json"},
    )

    assert first.status_code == second.status_code == 201, second.text
    lines = second.json()["lines"]
    assert [(line["quantity"], line["allocated"]) for line in lines] == [(0.1, 0.1), (0.1, 0.1), (1.5, 0)]
    assert kettles.get("/stock/KETTLE").json()["available"] == 0


def test_an_idempotency_key_replays_the_first_answer_without_doing_the_work_again(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("KETTLE", 4)))

    first = kettles.post("/orders/SO-1/ship", {"tracking": "TRACK-1"}, key="ship-SO-1")
    before = row_counts(kettles.pb)
    again = kettles.post("/orders/SO-1/ship", {"tracking": "TRACK-1"}, key="ship-SO-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert row_counts(kettles.pb) == before
    assert kettles.get("/stock/KETTLE").json()["on_hand"] == 0


def test_an_idempotency_key_sent_with_another_request_is_refused_and_writes_nothing(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("KETTLE", 1)), key="key-1")
    before = row_counts(kettles.pb)

    other_body = kettles.post("/orders", order_body("SO-2", ("KETTLE", 1)), key="key-1")
    other_path = kettles.post("/orders/SO-1/cancel", None, key="key-1")

    assert_error(other_body, 422, "idempotency_key_reused")
    assert_error(other_path, 422, "idempotency_key_reused")
    assert row_counts(kettles.pb) == before


def test_a_refused_write_stores_no_answer_so_its_key_can_be_retried_later(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("TEAPOT", 1)))

    refused = kettles.post("/orders/SO-1/ship", None, key="ship-1")
    set_stock(kettles.pb, TEAPOT=1)
    shipped = kettles.post("/orders/SO-1/ship", None, key="ship-1")

    assert_error(refused, 409, "nothing_to_ship")
    assert shipped.status_code == 201
    assert shipped.json()["lines"] == [{"line_no": 1, "sku": "TEAPOT", "quantity": 1}]


def test_concurrent_requests_with_one_idempotency_key_place_the_order_once(kettles: Api) -> None:
    body = order_body("SO-1", ("KETTLE", 1))
    headers = kettles.headers(kettles.operator, "same-key")

    def place(_: int) -> tuple[int, object, bool]:
        client = TestClient(kettles.client.app)
        response = client.post("/api/v1/orders", json=body, headers=headers)
        return response.status_code, response.json(), "Idempotent-Replayed" in response.headers

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(place, range(8)))

    assert {status for status, _, _ in answers} == {201}
    assert all(answer == answers[0][1] for _, answer, _ in answers)
    assert [replayed for _, _, replayed in answers].count(False) == 1
    assert row_counts(kettles.pb)["sales_orders"] == 1
    assert row_counts(kettles.pb)["idempotency_keys"] == 1
    assert kettles.get("/stock/KETTLE").json()["allocated"] == 1


def test_shipping_sends_the_allocated_part_and_the_backorder_stays_open(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("KETTLE", 6)))

    response = kettles.post("/orders/SO-1/ship", {"tracking": "TRACK-9"})

    assert response.status_code == 201
    shipment = ShipmentOut.model_validate(response.json())
    assert (shipment.shipment_ref, shipment.tracking, shipment.shipped_on.isoformat()) == (
        "SO-1-S1",
        "TRACK-9",
        "2026-11-23",
    )
    order = kettles.get("/orders/SO-1").json()
    assert order["status"] == "partially_shipped"
    assert (order["lines"][0]["shipped"], order["lines"][0]["backordered"]) == (4, 2)


def test_shipping_an_order_with_nothing_allocated_is_refused_with_409(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("TEAPOT", 2)))
    before = row_counts(kettles.pb)

    response = kettles.post("/orders/SO-1/ship")

    assert_error(response, 409, "nothing_to_ship")
    assert row_counts(kettles.pb) == before


def test_cancelling_an_order_gives_its_stock_to_the_next_waiting_order(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("KETTLE", 4)))
    kettles.post("/orders", order_body("SO-2", ("KETTLE", 3)))

    response = kettles.post("/orders/SO-1/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert kettles.get("/orders/SO-2").json()["lines"][0]["allocated"] == 3


def test_cancelling_one_sku_leaves_the_other_lines_open(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("KETTLE", 2), ("TEAPOT", 1)))

    response = kettles.post("/orders/SO-1/cancel", {"sku": "TEAPOT"})

    assert response.status_code == 200
    lines = {line["sku"]: line for line in response.json()["lines"]}
    assert (lines["TEAPOT"]["cancelled"], lines["KETTLE"]["allocated"]) == (1, 2)
    assert response.json()["status"] == "open"


def test_cancelling_a_cancelled_order_is_refused_with_409(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("KETTLE", 2)))
    kettles.post("/orders/SO-1/cancel")

    response = kettles.post("/orders/SO-1/cancel")

    assert_error(response, 409, "invalid_transition")


def test_an_unknown_order_ref_is_a_404_to_read_ship_and_cancel(kettles: Api) -> None:
    before = row_counts(kettles.pb)

    answers = [
        kettles.get("/orders/SO-404"),
        kettles.post("/orders/SO-404/ship"),
        kettles.post("/orders/SO-404/cancel"),
    ]

    for response in answers:
        assert assert_error(response, 404, "unknown_order")["ref"] == "SO-404"
    assert row_counts(kettles.pb) == before


def test_orders_are_filtered_by_status_and_sku(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("KETTLE", 1)))
    kettles.post("/orders", order_body("SO-2", ("TEAPOT", 1)))
    kettles.post("/orders", order_body("SO-3", ("KETTLE", 1)))
    kettles.post("/orders/SO-3/ship")

    def refs(query: str) -> list[str]:
        return [order["order_ref"] for order in kettles.get(f"/orders{query}").json()]

    assert refs("") == ["SO-1", "SO-2", "SO-3"]
    assert refs("?sku=KETTLE") == ["SO-1", "SO-3"]
    assert refs("?status=shipped") == ["SO-3"]
    assert refs("?status=open&sku=TEAPOT") == ["SO-2"]


def test_orders_come_in_pages_with_a_link_to_the_next_one(kettles: Api) -> None:
    for n in range(1, 6):
        kettles.post("/orders", order_body(f"SO-{n}", ("TEAPOT", 1)))

    first = kettles.get("/orders?limit=2")
    second = kettles.client.get(
        first.headers["Link"].split(">")[0][1:], headers=kettles.headers(kettles.viewer)
    )
    last = kettles.get("/orders?limit=2&offset=4")

    assert [o["order_ref"] for o in first.json()] == ["SO-1", "SO-2"]
    assert first.headers["Link"] == '</api/v1/orders?limit=2&offset=2>; rel="next"'
    assert [o["order_ref"] for o in second.json()] == ["SO-3", "SO-4"]
    assert [o["order_ref"] for o in last.json()] == ["SO-5"]
    assert "Link" not in last.headers


def test_backorders_are_filtered_by_sku_and_paginated(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("TEAPOT", 1), ("KETTLE", 5)))
    kettles.post("/orders", order_body("SO-2", ("TEAPOT", 2)))

    teapots = kettles.get("/backorders?sku=TEAPOT").json()
    page = kettles.get("/backorders?limit=1&offset=1")

    assert [(b["order_ref"], b["quantity"]) for b in teapots] == [("SO-1", 1), ("SO-2", 2)]
    assert len(page.json()) == 1
    assert 'rel="next"' in page.headers["Link"]
