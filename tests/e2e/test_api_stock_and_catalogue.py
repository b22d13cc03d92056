"""Stock counts and the catalogue (suppliers, items, BOMs, CSV imports) through REST."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pegboard.entrypoints.api.schemas import BomOut, CountOut, ItemOut, StockOut, SupplierOut
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


def post_csv(api: Api, kind: str, text: str, **params: str) -> Any:
    headers = api.headers(api.operator) | {"content-type": "text/csv"}
    return api.client.post(f"/api/v1/imports/{kind}", content=text.encode(), headers=headers, params=params)


def test_a_count_sets_on_hand_and_writes_the_difference_with_its_reason(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=4)

    response = api.post("/stock/KETTLE/count", {"quantity": "6.5", "reason": "found a box"})

    assert CountOut.model_validate(response.json()).model_dump(mode="json") == {
        "sku": "KETTLE",
        "quantity": 6.5,
        "change": 2.5,
        "reason": "found a box",
        "taken_back": [],
    }
    stock = StockOut.model_validate(api.get("/stock/KETTLE").json())
    assert (stock.on_hand, stock.available) == (6.5, 6.5)
    assert (stock.movements[0].quantity, stock.movements[0].reason) == (2.5, "found a box")


def test_a_count_below_what_is_allocated_puts_the_newest_order_back_on_backorder(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=4)
    api.post("/orders", order_body("SO-1", ("KETTLE", 2)))
    api.post("/orders", order_body("SO-2", ("KETTLE", 2)))

    counted = api.post("/stock/KETTLE/count", {"quantity": 3, "reason": "broken"}).json()

    assert counted["taken_back"] == [{"order_ref": "SO-2", "line_no": 1, "sku": "KETTLE", "quantity": 1}]
    first, second = api.get("/orders").json()
    assert (first["lines"][0]["allocated"], second["lines"][0]["allocated"]) == (2, 1)
    assert [b["order_ref"] for b in api.get("/backorders").json()] == ["SO-2"]


def test_a_count_that_matches_changes_nothing(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=4)
    before = row_counts(api.pb)

    response = api.post("/stock/KETTLE/count", {"quantity": 4, "reason": "checked"})

    assert response.json()["change"] == 0
    assert row_counts(api.pb) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": -1, "reason": "x"}, "quantity"),
        ({"quantity": 1}, "reason"),
        ({"quantity": 1, "reason": " "}, "reason"),
    ],
)
def test_a_bad_count_is_a_422_naming_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    make_items(api.pb, "KETTLE")
    before = row_counts(api.pb)

    assert_error(api.post("/stock/KETTLE/count", body), 422, "invalid_value", field=field)
    assert row_counts(api.pb) == before


def test_counting_or_reading_an_unknown_sku_is_a_404(api: Api) -> None:
    before = row_counts(api.pb)

    assert_error(api.post("/stock/GHOST/count", {"quantity": 1, "reason": "x"}), 404, "unknown_sku")
    assert_error(api.get("/stock/GHOST"), 404, "unknown_sku")
    assert row_counts(api.pb) == before


def test_a_supplier_is_created_then_replaced_by_name(api: Api) -> None:
    created = api.post("/suppliers", {"name": "Acme", "email": "sales@acme.example", "lead_time_days": 3})
    replaced = api.post("/suppliers", {"name": "Acme", "lead_time_days": 5})

    assert (created.status_code, replaced.status_code) == (201, 200)
    listed = api.get("/suppliers").json()
    assert [SupplierOut.model_validate(s).model_dump() for s in listed] == [
        {"name": "Acme", "email": None, "lead_time_days": 5}
    ]


def test_an_item_is_created_then_replaced_and_read_back(api: Api) -> None:
    api.post("/suppliers", {"name": "Acme"})
    body = {"sku": "KETTLE", "name": "Kettle", "procurement": "buy", "supplier": "Acme", "price": "19.99"}

    created = api.post("/items", body)
    replaced = api.post("/items", {**body, "reorder_point": 2, "reorder_qty": "5"})

    assert (created.status_code, replaced.status_code) == (201, 200)
    item = ItemOut.model_validate(api.get("/items/KETTLE").json()).model_dump(mode="json")
    assert (item["price"], item["reorder_point"], item["reorder_qty"], item["unit"]) == (19.99, 2, 5, "pcs")
    assert [i["sku"] for i in api.get("/items").json()] == ["KETTLE"]


def test_an_item_naming_an_unknown_supplier_is_a_404_and_an_unknown_item_too(api: Api) -> None:
    before = row_counts(api.pb)

    response = api.post(
        "/items", {"sku": "KETTLE", "name": "Kettle", "procurement": "buy", "supplier": "Nobody"}
    )

    assert_error(response, 404, "unknown_supplier", field="supplier")
    assert_error(api.get("/items/KETTLE"), 404, "unknown_sku")
    assert row_counts(api.pb) == before


def test_a_bom_is_created_replaced_and_listed(api: Api) -> None:
    make_workshop(api.pb)
    make_items(api.pb, "SWITCH")

    replaced = api.post(
        "/boms",
        {
            "parent_sku": "LAMP",
            "lines": [
                {"component_sku": "SHADE", "quantity": 1},
                {"component_sku": "SWITCH", "quantity": "0.5"},
            ],
        },
    )

    assert replaced.status_code == 200
    assert BomOut.model_validate(api.get("/boms/LAMP").json()).model_dump(mode="json") == {
        "parent_sku": "LAMP",
        "lines": [{"component_sku": "SHADE", "quantity": 1}, {"component_sku": "SWITCH", "quantity": 0.5}],
    }
    assert [b["parent_sku"] for b in api.get("/boms").json()] == ["LAMP"]
    assert api.get("/boms/BULB").json() == {"parent_sku": "BULB", "lines": []}


def test_a_bom_that_would_make_a_cycle_is_refused_and_named(api: Api) -> None:
    make_workshop(api.pb)
    api.post("/items", {"sku": "BASE", "name": "Base", "procurement": "make"})
    api.post("/boms", {"parent_sku": "BASE", "lines": [{"component_sku": "LAMP", "quantity": 1}]})
    before = row_counts(api.pb)

    response = api.post("/boms", {"parent_sku": "LAMP", "lines": [{"component_sku": "BASE", "quantity": 1}]})

    error = assert_error(response, 422, "bom_cycle")
    assert error["path"][0] == error["path"][-1]
    assert row_counts(api.pb) == before


def test_a_bom_for_a_bought_item_is_a_422_and_for_an_unknown_one_a_404(api: Api) -> None:
    make_workshop(api.pb)

    bought = api.post("/boms", {"parent_sku": "BULB", "lines": [{"component_sku": "SHADE", "quantity": 1}]})
    unknown = api.post("/boms", {"parent_sku": "GHOST", "lines": [{"component_sku": "SHADE", "quantity": 1}]})

    assert_error(bought, 422, "invalid_value", field="parent_sku")
    assert_error(unknown, 404, "unknown_sku", field="parent_sku")


def test_csv_imports_load_the_catalogue_stock_and_orders(api: Api) -> None:
    suppliers = post_csv(api, "suppliers", "name,email,lead_time_days\nAcme,a@acme.example,3\n")
    items = post_csv(api, "items", "sku,name,procurement,supplier\nKETTLE,Kettle,buy,Acme\n")
    stock = post_csv(api, "stock", "sku,quantity\nKETTLE,2\n")
    orders = post_csv(api, "orders", "order_ref,customer,sku,quantity\nSO-1,Ada,KETTLE,3\n")
    pos = post_csv(
        api, "purchase-orders", "po_ref,supplier,sku,quantity,expected_date\nPO-1,Acme,KETTLE,5,2026-12-01\n"
    )

    assert [r.json()["written"] for r in (suppliers, items, stock, orders, pos)] == [1, 1, 1, 1, 1]
    assert orders.json() == {"kind": "orders", "rows": 1, "written": 1, "notes": []}
    assert [(b["order_ref"], b["quantity"]) for b in api.get("/backorders").json()] == [("SO-1", 1)]
    assert [s["ref"] for s in api.get("/supply").json()] == ["PO-1"]


def test_a_csv_import_with_an_unknown_sku_names_the_row_and_writes_nothing(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=1)
    before = row_counts(api.pb)

    response = post_csv(api, "stock", "sku,quantity\nKETTLE,5\nGHOST,1\n")

    error = assert_error(response, 422, "import_rejected")
    assert error["problems"] == ["line 3: row 2, field 'sku', value 'GHOST': unknown SKU"]
    assert row_counts(api.pb) == before


def test_a_csv_that_is_not_utf8_is_refused(api: Api) -> None:
    headers = api.headers(api.operator) | {"content-type": "text/csv"}

    response = api.client.post("/api/v1/imports/suppliers", content=b"name\n\xff\xfe\n", headers=headers)

    assert "not UTF-8" in assert_error(response, 422, "import_rejected")["problems"][0]


def test_an_import_replays_its_answer_for_a_repeated_idempotency_key(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    headers = api.headers(api.operator, "import-1") | {"content-type": "text/csv"}
    text = b"order_ref,sku,quantity\nSO-1,KETTLE,1\n"

    first = api.client.post("/api/v1/imports/orders", content=text, headers=headers)
    again = api.client.post("/api/v1/imports/orders", content=text, headers=headers)

    assert first.json() == again.json() == {"kind": "orders", "rows": 1, "written": 1, "notes": []}
    assert again.headers["Idempotent-Replayed"] == "true"
