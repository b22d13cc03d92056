"""The REST API's answer schemas document exactly the read models' JSON: same keys, same order, valid."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

from pegboard.domain.quantities import Money, Quantity
from pegboard.domain.sales import LineKind, SalesOrder, SalesOrderLine, ShipPolicy
from pegboard.entrypoints.api.schemas import (
    BackorderOut,
    MovementOut,
    OrderLineOut,
    OrderOut,
    PreorderOut,
    StockOut,
    SupplyOut,
)
from pegboard.views.models import (
    BackorderView,
    MovementView,
    OrderLineView,
    OrderView,
    PreorderView,
    StockFigures,
    SupplyView,
)

MONDAY = date(2026, 11, 23)
LINE = OrderLineView(
    line_no=1,
    sku="BLUE-KETTLE",
    kind="stock",
    quantity=Decimal("2.5"),
    allocated=Decimal(1),
    shipped=Decimal(0),
    backordered=Decimal("1.5"),
    preordered=Decimal(0),
    awaiting_supplier=Decimal(0),
    cancelled=Decimal(0),
    unit_price=Decimal("19.90"),
    backordered_on=MONDAY,
)
ORDER = OrderView(
    order_ref="SO-7",
    customer="Ada",
    email=None,
    ordered_at=datetime(2026, 11, 23, 9, 30),
    priority=2,
    ship_policy="partial",
    status="open",
    ship_to=None,
    requested_date=date(2026, 11, 30),
    lines=(LINE,),
)
MOVEMENT = MovementView(MONDAY, "receipt", Decimal(4), "PO-1", "")
SAMPLES: list[tuple[Any, type[BaseModel]]] = [
    (LINE, OrderLineOut),
    (ORDER, OrderOut),
    (BackorderView("SO-7", 1, "BLUE-KETTLE", Decimal("1.5"), MONDAY, 3, "Ada", 0), BackorderOut),
    (PreorderView("SO-7", 1, "LAMP", Decimal(1), None, True, MONDAY, "Ada", 0), PreorderOut),
    (
        SupplyView("PO-1", "po", "LAMP", Decimal(4), Decimal(1), None, "open", "Lamps Ltd", False, None),
        SupplyOut,
    ),
    (MOVEMENT, MovementOut),
    (StockFigures("LAMP", Decimal(4), Decimal(1), Decimal(3), (MOVEMENT,)), StockOut),
]


@pytest.mark.parametrize("view, schema", SAMPLES, ids=lambda v: type(v).__name__)
def test_an_answer_schema_has_the_read_models_keys_in_its_order(view: Any, schema: type[BaseModel]) -> None:
    names = [f.name for f in dataclasses.fields(view)]

    assert list(view.to_json()) == names
    assert list(schema.model_fields) == names


@pytest.mark.parametrize("view, schema", SAMPLES, ids=lambda v: type(v).__name__)
def test_a_read_models_json_is_valid_against_its_answer_schema(view: Any, schema: type[BaseModel]) -> None:
    checked = schema.model_validate(view.to_json())

    assert checked.model_dump(mode="json") == view.to_json()


def test_an_order_just_written_reads_as_the_listed_one_would() -> None:
    order = SalesOrder(
        order_ref="SO-7",
        customer="Ada",
        ordered_at=datetime(2026, 11, 23, 9, 30),
        lines=[
            SalesOrderLine(
                1,
                "BLUE-KETTLE",
                Quantity(Decimal("2.5")),
                unit_price=Money(Decimal("19.90")),
                allocated_quantity=Decimal(1),
                backordered_on=MONDAY,
                kind=LineKind.STOCK,
            )
        ],
        priority=2,
        ship_policy=ShipPolicy.PARTIAL,
        requested_date=date(2026, 11, 30),
    )

    assert OrderView.of(order) == ORDER
