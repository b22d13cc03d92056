"""Quantities are exact decimals; floats, junk and absurd values are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pegboard.domain.quantities import (
    QuantityError,
    component_need,
    from_units,
    to_money,
    to_quantity,
    to_units,
)


def test_text_and_integers_become_exact_decimals() -> None:
    assert to_quantity("0.1") + to_quantity("0.2") == Decimal("0.3")
    assert to_quantity(3) == Decimal(3)


def test_floats_are_refused_because_they_cannot_hold_a_tenth() -> None:
    with pytest.raises(QuantityError, match="float"):
        to_quantity(0.1)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0", "zero"),
        ("-2", "negative"),
        ("abc", "not a number"),
        ("1e12", "larger"),
        ("NaN", "finite"),
        ("0.0000001", "decimal places"),
        ("", "empty"),
    ],
)
def test_bad_quantities_are_refused_with_the_reason(value: str, reason: str) -> None:
    with pytest.raises(QuantityError, match=reason):
        to_quantity(value)


def test_zero_is_allowed_where_asked_for() -> None:
    assert to_quantity("0", allow_zero=True) == 0


def test_money_may_be_zero_but_not_negative() -> None:
    assert to_money("0") == 0
    with pytest.raises(QuantityError):
        to_money("-1")


def test_micro_units_round_trip_exactly_and_print_plainly() -> None:
    assert to_units(Decimal("0.25")) == 250_000
    assert from_units(250_000) == Decimal("0.25")
    assert str(from_units(100_000_000)) == "100"


@pytest.mark.parametrize("value", ["0.0000005", "-2.1666665", "1.0000000000000000000000000001"])
def test_a_value_finer_than_a_micro_unit_is_refused_rather_than_cut(value: str) -> None:
    with pytest.raises(QuantityError, match="cannot be stored exactly"):
        to_units(Decimal(value))


def test_a_value_beyond_the_storage_column_is_refused() -> None:
    with pytest.raises(QuantityError, match="too large"):
        to_units(Decimal("9223372036855"))


def test_negative_values_and_trailing_zeros_scale_exactly() -> None:
    assert to_units(Decimal("-1.500000000")) == -1_500_000
    assert to_units(Decimal("2E+3")) == 2_000_000_000
    assert to_units(Decimal("0E-20")) == 0


@pytest.mark.parametrize(
    ("per", "quantity", "need"),
    [
        ("0.333333", "7", "2.333331"),
        ("0.333333", "0.5", "0.166667"),
        ("0.000001", "0.000001", "0.000001"),
        ("2", "3", "6"),
        ("1000", "1000000000", "1000000000000"),
    ],
)
def test_a_component_need_is_rounded_up_to_the_micro_unit(per: str, quantity: str, need: str) -> None:
    assert component_need(Decimal(per), Decimal(quantity)) == Decimal(need)
