"""Configured products through REST: an item's options, order lines with choices, bad choices."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pegboard.entrypoints import demo
from pegboard.entrypoints.api.schemas import ItemOptionsOut, OrderOut
from pegboard.services.imports import ImportKind
from tests.builders import import_text
from tests.e2e.test_api_support import Api, assert_error, open_api, order_body, row_counts

ROWS: list[dict[str, object]] = [
    {"option": "HILT", "value": "standard"},
    {
        "option": "HILT",
        "value": "engraved",
        "component_sku": "HILT-ENGRAVED",
        "quantity": 1,
        "replaces_sku": "HILT",
    },
    {"option": "HILT", "value": "engraved", "component_sku": "ENGRAVING", "quantity": 30},
]


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    for found in open_api(db_url):
        demo.load_catalogue(found.pb)
        import_text(
            found.pb,
            ImportKind.ITEMS,
            "sku,name,procurement,unit,lead_time_days,supplier\n"
            "HILT-ENGRAVED,Engraved hilt,buy,pcs,3,Passing Traders\n"
            "ENGRAVING,Engraving labour,buy,min,0,\n",
        )
        yield found


def put_options(api: Api, sku: str, rows: list[dict[str, object]]) -> object:
    return api.client.put(
        f"/api/v1/items/{sku}/options", json={"rows": rows}, headers=api.headers(api.operator)
    )


def test_an_items_options_are_put_and_read_back_with_their_default(api: Api) -> None:
    put = put_options(api, "SABER-BLUE", ROWS)

    found = api.get("/items/SABER-BLUE/options").json()

    assert put.status_code == 200, put.text  # type: ignore[attr-defined]
    assert ItemOptionsOut.model_validate(found).model_dump(mode="json") == found
    assert found["options"] == [
        {
            "option": "HILT",
            "required": False,
            "default": "standard",
            "values": [
                {"value": "standard", "changes": []},
                {
                    "value": "engraved",
                    "changes": [
                        {"component_sku": "HILT-ENGRAVED", "quantity": 1, "replaces_sku": "HILT"},
                        {"component_sku": "ENGRAVING", "quantity": 30, "replaces_sku": None},
                    ],
                },
            ],
        }
    ]


def test_options_replacing_a_component_outside_the_bom_are_refused_and_nothing_is_written(api: Api) -> None:
    before = row_counts(api.pb)

    refused = put_options(api, "SABER-GREEN", [{**ROWS[1], "replaces_sku": "KYBER-BLUE"}])

    assert_error(refused, 422, "invalid_value", field="replaces_sku")
    assert row_counts(api.pb) == before


def test_an_order_line_carries_its_choices_and_a_configured_line_takes_no_stock(api: Api) -> None:
    put_options(api, "SABER-BLUE", ROWS)
    body = order_body("SO-7", ("SABER-BLUE", 1), ("SABER-BLUE", 1))
    body["lines"][0]["options"] = {"HILT": "engraved"}

    placed = api.post("/orders", body)

    assert placed.status_code == 201, placed.text
    order = OrderOut.model_validate(placed.json())
    engraved, plain = order.lines
    assert (engraved.options, engraved.allocated, engraved.backordered) == ({"HILT": "engraved"}, 0, 1)
    assert (plain.options, plain.allocated) == ({}, 1)
    assert api.get("/orders/SO-7").json()["lines"][0]["options"] == {"HILT": "engraved"}


@pytest.mark.parametrize(
    ("options", "reason"),
    [({"HILT": "gold"}, "has no value 'gold'"), ({"COLOUR": "red"}, "has no option 'COLOUR'")],
)
def test_an_unknown_choice_is_refused_naming_the_line_and_option_and_nothing_is_written(
    api: Api, options: dict[str, str], reason: str
) -> None:
    put_options(api, "SABER-BLUE", ROWS)
    before = row_counts(api.pb)
    body = order_body("SO-7", ("SABER-GREEN", 1), ("SABER-BLUE", 1))
    body["lines"][1]["options"] = options

    refused = api.post("/orders", body)

    error = assert_error(refused, 422, "invalid_value", field="SO-7 line 2 options")
    assert reason in error["message"]
    assert row_counts(api.pb) == before
