"""Each document's table of allowed state changes, and the documents keeping to it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

import pytest

from pegboard.domain.allocation import ItemStock
from pegboard.domain.errors import InvalidTransition
from pegboard.domain.quantities import to_money, to_quantity
from pegboard.domain.sales import ORDER_TRANSITIONS, LineKind, OrderStatus, SalesOrder, SalesOrderLine
from pegboard.domain.supply import (
    MANUFACTURING_ORDER_TRANSITIONS,
    PURCHASE_ORDER_TRANSITIONS,
    ManufacturingOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    SupplyStatus,
)
from pegboard.domain.transitions import moved

MONDAY = date(2026, 11, 23)
S = TypeVar("S", bound=StrEnum)


def check_table(table: Mapping[S, frozenset[S]], states: list[S]) -> None:
    """Every state has a row; `moved` allows exactly what the table lists (and staying put)."""
    assert set(table) == set(states)
    for old in states:
        for new in states:
            if new is old or new in table[old]:
                assert moved(table, "doc", old, new) is new
            else:
                with pytest.raises(InvalidTransition, match=f"doc is {old}; it cannot become {new}"):
                    moved(table, "doc", old, new)


def sales_order(*quantities: int) -> SalesOrder:
    lines = [SalesOrderLine(n, "KETTLE", to_quantity(q)) for n, q in enumerate(quantities, start=1)]
    return SalesOrder("SO-1", "Ada", datetime(2026, 11, 23, 9), lines)


def test_the_sales_order_table_and_an_order_keeping_to_it() -> None:
    check_table(ORDER_TRANSITIONS, list(OrderStatus))
    assert ORDER_TRANSITIONS[OrderStatus.CANCELLED] == frozenset()

    order = sales_order(2)
    order.lines[0].allocate(Decimal(2))
    order.ship(shipment_ref="SO-1-S1", on=MONDAY)
    assert order.status is OrderStatus.SHIPPED
    # A shipped order never becomes cancelled, whatever its lines say.
    order.lines[0].shipped_quantity = Decimal(0)
    order.lines[0].cancelled_quantity = Decimal(2)
    with pytest.raises(InvalidTransition, match="order SO-1 is shipped; it cannot become cancelled"):
        order.refresh_status()

    cancelled = sales_order(1)
    cancelled.cancel()
    stocks = {"MUG": ItemStock("MUG", Decimal(5), Decimal(0))}
    with pytest.raises(InvalidTransition, match="cancelled; no lines can be added"):
        cancelled.add_lines({"MUG": Decimal(1)}, prices={}, stocks=stocks, terms={}, on=MONDAY)


def test_the_purchase_order_table_and_a_po_keeping_to_it() -> None:
    supply = [
        SupplyStatus.OPEN,
        SupplyStatus.PARTIALLY_RECEIVED,
        SupplyStatus.RECEIVED,
        SupplyStatus.CANCELLED,
    ]
    check_table(PURCHASE_ORDER_TRANSITIONS, supply)

    po = PurchaseOrder("PO-1", "Acme", [PurchaseOrderLine("KETTLE", to_quantity(4), MONDAY)])
    po.receive("KETTLE", Decimal(1))
    assert po.status is SupplyStatus.PARTIALLY_RECEIVED
    po.receive("KETTLE", Decimal(3))
    assert po.status is SupplyStatus.RECEIVED
    # Received is final: a PO whose lines were emptied afterwards cannot turn into cancelled.
    po.lines[0].quantity = to_quantity(0, allow_zero=True)
    po.lines[0].received_quantity = Decimal(0)
    with pytest.raises(
        InvalidTransition, match="purchase order PO-1 is received; it cannot become cancelled"
    ):
        po.refresh_status()


def test_the_manufacturing_order_table_and_an_mo_keeping_to_it() -> None:
    made = [
        SupplyStatus.OPEN,
        SupplyStatus.PARTIALLY_COMPLETED,
        SupplyStatus.COMPLETED,
        SupplyStatus.CANCELLED,
    ]
    check_table(MANUFACTURING_ORDER_TRANSITIONS, made)

    mo = ManufacturingOrder.planned(
        mo_ref="MO-1", sku="SABER", quantity=to_quantity(3), start=MONDAY, lead_time_days=2
    )
    mo.complete(Decimal(1))
    assert mo.status is SupplyStatus.PARTIALLY_COMPLETED
    mo.complete(Decimal(2))
    assert mo.status is SupplyStatus.COMPLETED
    with pytest.raises(InvalidTransition, match="manufacturing order MO-1 is completed"):
        mo.complete(Decimal(0))


class Terms:
    def __init__(self, kind: LineKind = LineKind.STOCK) -> None:
        self.kind = kind

    def line_kind(self, on: date) -> LineKind:
        return self.kind


def test_a_partial_cancellation_takes_the_newest_line_first_and_waiting_before_allocated() -> None:
    order = sales_order(2, 3)
    order.lines[0].allocate(Decimal(2))
    order.lines[1].allocate(Decimal(1))  # line 2: 1 allocated, 2 waiting

    released = order.cancel_quantities({"KETTLE": Decimal(4)})

    assert released == {"KETTLE": Decimal(2)}  # line 2: 2 waiting, then 1 allocated; line 1: 1 allocated
    assert [(line.allocated_quantity, line.cancelled_quantity) for line in order.lines] == [
        (Decimal(1), Decimal(1)),
        (Decimal(0), Decimal(3)),
    ]
    [(_, event)] = order.events
    assert event.payload() == {
        "order_ref": "SO-1",
        "sku": "KETTLE",
        "lines": [
            {"line_no": 2, "sku": "KETTLE", "quantity": "3"},
            {"line_no": 1, "sku": "KETTLE", "quantity": "1"},
        ],
        "in_shop": False,
    }
    assert order.status is OrderStatus.OPEN


def test_added_lines_take_stock_like_a_new_order_and_record_what_they_took_and_what_waits() -> None:
    order = sales_order(1)
    stocks = {
        "MUG": ItemStock("MUG", Decimal(2), Decimal(0)),
        "CUP": ItemStock("CUP", Decimal(0), Decimal(0)),
    }

    new = order.add_lines(
        {"MUG": Decimal(3), "CUP": Decimal(1)},
        prices={"MUG": to_money("4.50")},
        stocks=stocks,
        terms={"MUG": Terms(), "CUP": Terms(LineKind.PREORDER)},
        on=MONDAY,
    )

    assert [(line.line_no, line.sku, line.kind, line.allocated_quantity) for line in new] == [
        (2, "CUP", LineKind.PREORDER, Decimal(0)),
        (3, "MUG", LineKind.STOCK, Decimal(2)),
    ]
    assert new[1].unit_price == Decimal("4.50") and new[1].backordered_on == MONDAY
    assert [event.name for _, event in order.events] == ["LineAllocated", "LineBackordered"]
    assert stocks["MUG"].allocated == Decimal(2)
    assert order.lines[1:] == new
