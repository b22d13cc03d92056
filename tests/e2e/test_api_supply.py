"""Supply through REST: purchase orders and receipts, manufacturing orders, checks, new dates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pegboard.entrypoints.api.schemas import (
    ManufacturingOrderOut,
    MaterialCheckOut,
    PurchaseOrderOut,
    RescheduleOut,
    SupplyOut,
)
from tests.e2e.test_api_support import (
    Api,
    assert_error,
    make_items,
    make_workshop,
    open_api,
    order_body,
    row_counts,
    set_stock,
)


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def po_body(ref: str = "PO-1", quantity: Any = 10, **fields: Any) -> dict[str, Any]:
    return {
        "po_ref": ref,
        "supplier": "Acme",
        "lines": [{"sku": "KETTLE", "quantity": quantity, "expected_date": "2026-12-07", "unit_cost": "4.5"}],
        **fields,
    }


@pytest.fixture
def waiting(api: Api) -> Api:
    """SO-1 and SO-2 wait for 3 and 2 KETTLEs; PO-1 brings 10 on 2026-12-07."""
    make_items(api.pb, "KETTLE")
    api.post("/orders", order_body("SO-1", ("KETTLE", 3)))
    api.post("/orders", order_body("SO-2", ("KETTLE", 2)))
    api.post("/purchase-orders", po_body())
    return api


def test_a_purchase_order_is_created_once_and_the_same_again_is_a_200(api: Api) -> None:
    make_items(api.pb, "KETTLE")

    first = api.post("/purchase-orders", po_body())
    again = api.post("/purchase-orders", po_body())
    other = api.post("/purchase-orders", po_body(quantity=11))

    assert (first.status_code, again.status_code) == (201, 200)
    po = PurchaseOrderOut.model_validate(first.json())
    assert (po.status, po.lines[0].quantity, str(po.lines[0].expected_date)) == ("open", 10, "2026-12-07")
    assert again.json() == first.json() == api.get("/purchase-orders/PO-1").json()
    assert_error(other, 409, "duplicate_ref")


def test_a_purchase_order_from_an_unknown_supplier_or_for_an_unknown_sku_is_a_404(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    before = row_counts(api.pb)

    stranger = api.post("/purchase-orders", po_body(supplier="Nobody Ltd"))
    ghost = api.post("/purchase-orders", {**po_body(), "lines": [{"sku": "GHOST", "quantity": 1}]})

    assert_error(stranger, 404, "unknown_supplier", field="supplier")
    assert_error(ghost, 404, "unknown_sku", field="lines[0].sku")
    assert row_counts(api.pb) == before


def test_a_partial_receipt_goes_to_the_oldest_backorder_first(waiting: Api) -> None:
    response = waiting.post("/purchase-orders/PO-1/receipts", {"sku": "KETTLE", "quantity": 4})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["lines"][0]["received"]) == ("partially_received", 4)
    first, second = waiting.get("/orders").json()
    assert (first["lines"][0]["allocated"], second["lines"][0]["allocated"]) == (3, 1)


def test_a_receipt_may_choose_the_allocation_policy(waiting: Api) -> None:
    waiting.post(
        "/purchase-orders/PO-1/receipts", {"sku": "KETTLE", "quantity": 2, "policy": "complete-first"}
    )

    first, second = waiting.get("/orders").json()
    assert (first["lines"][0]["allocated"], second["lines"][0]["allocated"]) == (0, 2)


def test_receiving_more_than_is_expected_is_refused_with_409(waiting: Api) -> None:
    before = row_counts(waiting.pb)

    response = waiting.post("/purchase-orders/PO-1/receipts", {"sku": "KETTLE", "quantity": 11})

    assert_error(response, 409, "over_receipt")
    assert row_counts(waiting.pb) == before


def test_a_receipt_for_an_unknown_po_is_a_404(waiting: Api) -> None:
    response = waiting.post("/purchase-orders/PO-9/receipts", {"sku": "KETTLE", "quantity": 1})

    assert_error(response, 404, "unknown_supply_order")


def test_rescheduling_a_po_moves_its_expected_date_and_says_the_old_one(waiting: Api) -> None:
    response = waiting.post("/supply/PO-1/reschedule", {"date": "2026-12-14"})

    assert response.status_code == 200
    assert RescheduleOut.model_validate(response.json()).model_dump(mode="json") == {
        "ref": "PO-1",
        "expected_date": "2026-12-14",
        "previous_date": "2026-12-07",
    }
    supply = waiting.get("/supply").json()
    assert [(s["ref"], s["kind"], s["expected_date"]) for s in supply] == [("PO-1", "po", "2026-12-14")]
    for row in supply:
        SupplyOut.model_validate(row)


def test_rescheduling_an_unknown_ref_is_a_404(waiting: Api) -> None:
    assert_error(waiting.post("/supply/MO-9/reschedule", {"date": "2026-12-14"}), 404, "unknown_supply_order")


def test_the_supply_list_filters_by_sku_and_may_include_closed_orders(waiting: Api) -> None:
    make_items(waiting.pb, "TEAPOT")
    waiting.post("/purchase-orders/PO-1/receipts", {"sku": "KETTLE", "quantity": 10})

    assert waiting.get("/supply").json() == []
    assert [s["status"] for s in waiting.get("/supply?include_closed=true&sku=KETTLE").json()] == ["received"]
    assert waiting.get("/supply?include_closed=true&sku=TEAPOT").json() == []


def test_a_manufacturing_order_opens_and_lists_what_is_missing(api: Api) -> None:
    make_workshop(api.pb)
    set_stock(api.pb, SHADE=5, BULB=3)

    response = api.post("/manufacturing-orders", {"sku": "LAMP", "quantity": 2})

    assert response.status_code == 201
    mo = ManufacturingOrderOut.model_validate(response.json()).model_dump(mode="json")
    assert (mo["mo_ref"], mo["start_date"], mo["finish_date"], mo["status"]) == (
        "MO-1",
        "2026-11-23",
        "2026-11-24",
        "open",
    )
    assert mo["missing"] == [{"sku": "BULB", "quantity": 1, "level": 1}]
    assert api.get("/manufacturing-orders/MO-1").json() == {
        k: v for k, v in response.json().items() if k != "missing"
    }


def test_the_material_check_lists_each_missing_component(api: Api) -> None:
    make_workshop(api.pb)
    set_stock(api.pb, SHADE=1)

    response = api.get("/manufacturing-orders/check", params={"sku": "LAMP", "quantity": "1.5"})

    assert response.status_code == 200
    assert MaterialCheckOut.model_validate(response.json()).model_dump(mode="json") == {
        "sku": "LAMP",
        "quantity": 1.5,
        "missing": [
            {"sku": "BULB", "quantity": 3, "level": 1},
            {"sku": "SHADE", "quantity": 0.5, "level": 1},
        ],
    }


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"sku": "LAMP", "quantity": "0"}, 422, "invalid_value"),
        ({"sku": "LAMP"}, 422, "invalid_value"),
        ({"sku": "GHOST", "quantity": "1"}, 404, "unknown_sku"),
    ],
)
def test_a_bad_material_check_is_refused(api: Api, query: dict[str, str], status: int, code: str) -> None:
    make_workshop(api.pb)

    assert_error(api.get("/manufacturing-orders/check", params=query), status, code)


def test_completing_without_the_materials_is_refused_with_the_shortages(api: Api) -> None:
    make_workshop(api.pb)
    set_stock(api.pb, SHADE=1)
    api.post("/manufacturing-orders", {"sku": "LAMP", "quantity": 1})
    before = row_counts(api.pb)

    response = api.post("/manufacturing-orders/MO-1/complete")

    error = assert_error(response, 409, "missing_materials")
    assert error["shortages"] == [{"sku": "BULB", "quantity": 2, "level": 1}]
    assert row_counts(api.pb) == before


def test_completing_part_of_an_mo_feeds_the_waiting_backorder(api: Api) -> None:
    make_workshop(api.pb)
    set_stock(api.pb, SHADE=3, BULB=6)
    api.post("/orders", order_body("SO-1", ("LAMP", 2)))
    api.post("/manufacturing-orders", {"sku": "LAMP", "quantity": 3})

    partly = api.post("/manufacturing-orders/MO-1/complete", {"quantity": 2})
    rest = api.post("/manufacturing-orders/MO-1/complete", {})

    assert (partly.json()["status"], partly.json()["completed"]) == ("partially_completed", 2)
    assert (rest.json()["status"], rest.json()["completed"]) == ("completed", 3)
    assert api.get("/orders/SO-1").json()["lines"][0]["allocated"] == 2
    stock = api.get("/stock/LAMP").json()
    assert (stock["on_hand"], stock["available"]) == (3, 1)


def test_an_mo_for_a_bought_item_is_a_422_naming_the_sku(api: Api) -> None:
    make_workshop(api.pb)
    before = row_counts(api.pb)

    response = api.post("/manufacturing-orders", {"sku": "BULB", "quantity": 1})

    assert_error(response, 422, "invalid_value", field="sku")
    assert row_counts(api.pb) == before


def test_rescheduling_an_mo_moves_its_finish_date(api: Api) -> None:
    make_workshop(api.pb)
    api.post("/manufacturing-orders", {"sku": "LAMP", "quantity": 1})

    response = api.post("/supply/MO-1/reschedule", {"date": "2026-11-30"})

    assert response.json() == {"ref": "MO-1", "expected_date": "2026-11-30", "previous_date": "2026-11-24"}
    assert api.get("/manufacturing-orders/MO-1").json()["finish_date"] == "2026-11-30"
