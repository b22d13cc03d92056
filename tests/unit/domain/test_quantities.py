"""Quantities are exact decimals; floats, junk and absurd values are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pegboard.domain.quantities import QuantityError, from_units, to_money, to_quantity, to_units


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
