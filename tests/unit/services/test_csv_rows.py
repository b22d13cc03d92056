"""CSV rows read through their models: cells checked in column order, the first bad one refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pegboard.domain.errors import InvalidValue
from pegboard.services.csv_reading import Row
from pegboard.services.csv_rows import OrderRow, bom_line


def test_an_order_row_becomes_a_draft_with_one_line() -> None:
    row = Row(1, {"order_ref": " SO-1 ", "sku": "KETTLE", "quantity": "2", "unit_price": "19.99"}, line=2)

    draft = OrderRow.read(row).draft()

    assert (draft.order_ref, draft.customer, draft.priority, draft.ship_policy) == ("SO-1", "", 0, "partial")
    assert [(line.sku, line.quantity, line.unit_price) for line in draft.lines] == [
        ("KETTLE", Decimal(2), Decimal("19.99"))
    ]


def test_the_first_bad_cell_in_column_order_names_the_row_column_and_value() -> None:
    row = Row(7, {"order_ref": "SO-1", "sku": "", "quantity": "lots", "priority": "high"})

    with pytest.raises(InvalidValue) as refused:
        OrderRow.read(row)

    assert refused.value.message == "row 7, field 'priority', value 'high': is not a whole number"
    assert (refused.value.field, refused.value.row) == ("priority", 7)


def test_a_component_that_is_its_own_parent_is_refused_before_its_quantity_is_read() -> None:
    row = Row(3, {"parent_sku": "SABER", "component_sku": "SABER", "quantity": "none"})

    with pytest.raises(InvalidValue, match="row 3, field 'component_sku', value 'SABER': is its own parent"):
        bom_line(row)
