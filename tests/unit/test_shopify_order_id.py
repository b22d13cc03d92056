"""A Shopify order id is read as ASCII digits no longer than its column."""

from __future__ import annotations

import pytest

from pegboard.adapters.shopify import mapping
from pegboard.domain import limits
from pegboard.domain.errors import InvalidValue


@pytest.mark.parametrize(
    "value", ["1" * (limits.SHOPIFY_ORDER_ID + 1), "\uff11\uff12", "\u00b2", "1_000", True]
)
def test_an_order_id_that_is_not_plain_digits_within_the_column_is_refused_naming_the_limit(
    value: object,
) -> None:
    with pytest.raises(InvalidValue) as error:
        mapping.shopify_order_id({"id": value})

    assert error.value.field == "id" and f"at most {limits.SHOPIFY_ORDER_ID} digits" in error.value.message


def test_an_order_id_as_long_as_its_column_is_taken() -> None:
    assert mapping.shopify_order_id({"id": "9" * limits.SHOPIFY_ORDER_ID}) == "9" * limits.SHOPIFY_ORDER_ID
    assert mapping.shopify_order_id({"id": 5001001}) == "5001001"
