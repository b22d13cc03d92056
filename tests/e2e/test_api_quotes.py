"""Quotes through REST: the dates an order would get, for any reader; bad input names its field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from pegboard.entrypoints import demo
from pegboard.services.imports import ImportKind
from tests.builders import import_text
from tests.e2e.test_api_support import Api, assert_error, open_api, row_counts


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def lightsaber(api: Api) -> None:
    demo.load_catalogue(api.pb)
    demo.place_orders(api.pb)


def test_a_viewer_gets_a_quote_and_nothing_is_written(api: Api) -> None:
    lightsaber(api)
    before = row_counts(api.pb)
    body = {"lines": [{"sku": "SABER-BLUE", "quantity": 2}, {"sku": "SABER-GREEN", "quantity": 1}]}

    answer = api.post("/quotes", body, token="viewer")

    assert answer.status_code == 200, answer.text
    found = answer.json()
    today = api.pb.clock.today().isoformat()
    assert found["date"] is None
    assert found["ship_policy"] == "partial"
    blue, green = found["lines"]
    assert blue == {
        "sku": "SABER-BLUE",
        "quantity": 2,
        "now": 2,
        "date": today,
        "reason": "in stock",
        "parts": [],
    }
    assert (green["now"], green["date"]) == (0, None)
    assert [(p["quantity"], p["date"]) for p in green["parts"]] == [(1, None)]
    assert row_counts(api.pb) == before


def test_a_complete_order_is_quoted_for_the_day_its_last_line_comes(api: Api) -> None:
    lightsaber(api)
    due = api.pb.clock.today() + timedelta(days=14)
    import_text(
        api.pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-9,Crystal Broker,KYBER-GREEN,3,{due}\n",
    )
    body = {
        "ship_policy": "complete",
        "lines": [{"sku": "SABER-BLUE", "quantity": 1}, {"sku": "SABER-GREEN", "quantity": 1}],
    }

    found = api.post("/quotes", body, token="viewer").json()

    ships = (due + timedelta(days=1)).isoformat()
    assert found["date"] == ships
    assert [line["date"] for line in found["lines"]] == [ships, ships]
    assert found["lines"][1]["parts"][0]["reason"]


def test_an_unknown_sku_is_refused_naming_its_line_and_nothing_is_written(api: Api) -> None:
    lightsaber(api)
    before = row_counts(api.pb)

    answer = api.post(
        "/quotes", {"lines": [{"sku": "SABER-BLUE", "quantity": 1}, {"sku": "NOPE", "quantity": 1}]}
    )

    assert_error(answer, 422, "unknown_sku", field="lines[1].sku")
    assert row_counts(api.pb) == before


@pytest.mark.parametrize("quantity", [0, -1, "abc", "0.0000001"])
def test_a_bad_quantity_is_refused_naming_its_field(api: Api, quantity: object) -> None:
    lightsaber(api)
    before = row_counts(api.pb)

    answer = api.post("/quotes", {"lines": [{"sku": "SABER-BLUE", "quantity": quantity}]})

    assert_error(answer, 422, "invalid_value", field="lines[0].quantity")
    assert row_counts(api.pb) == before


def test_a_quote_has_no_order_ref(api: Api) -> None:
    lightsaber(api)

    answer = api.post("/quotes", {"order_ref": "SO-9", "lines": [{"sku": "SABER-BLUE", "quantity": 1}]})

    assert answer.status_code == 422
    assert row_counts(api.pb)["sales_orders"] == 3


def test_an_operator_holds_a_quote_and_the_order_sent_with_its_id_gets_the_stock(api: Api) -> None:
    lightsaber(api)  # 3 blue sabers free
    body = {"lines": [{"sku": "SABER-BLUE", "quantity": 2}], "hold_minutes": 30}

    held = api.post("/quotes", body, token="operator")

    assert held.status_code == 200, held.text
    found = held.json()
    assert found["lines"][0]["now"] == 2 and found["quote_id"].startswith("Q-")
    assert "hold_until" in found
    other = api.post("/orders", {"order_ref": "SO-8", "lines": [{"sku": "SABER-BLUE", "quantity": 3}]})
    assert other.status_code in (200, 201), other.text
    order = {"order_ref": "SO-9", "quote_id": found["quote_id"], "lines": body["lines"]}
    placed = api.post("/orders", order)
    assert placed.status_code in (200, 201), placed.text
    with api.pb.reader() as uow:
        so8, so9 = uow.orders.get("SO-8"), uow.orders.get("SO-9")
    assert so8 is not None and so9 is not None
    assert (so8.lines[0].allocated_quantity, so9.lines[0].allocated_quantity) == (1, 2)


def test_a_viewer_may_not_hold_and_nothing_is_held(api: Api) -> None:
    lightsaber(api)
    before = row_counts(api.pb)
    body = {"lines": [{"sku": "SABER-BLUE", "quantity": 1}], "hold_minutes": 30}

    answer = api.post("/quotes", body, token="viewer")

    assert answer.status_code == 403
    assert row_counts(api.pb) == before


def test_a_hold_of_no_minutes_or_an_unknown_quote_id_is_422(api: Api) -> None:
    lightsaber(api)

    hold = api.post("/quotes", {"lines": [{"sku": "SABER-BLUE", "quantity": 1}], "hold_minutes": 0})
    order = {"order_ref": "SO-9", "quote_id": "Q-NOPE", "lines": [{"sku": "SABER-BLUE", "quantity": 1}]}
    unknown = api.post("/orders", order)

    assert hold.status_code == 422 and "hold_minutes" in hold.text
    assert unknown.status_code == 422 and "quote_id" in unknown.text
