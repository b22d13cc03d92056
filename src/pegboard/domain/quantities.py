"""Quantity and money: exact decimals with a fixed precision and a sane range."""

from __future__ import annotations

from decimal import Context, Decimal, Inexact, InvalidOperation
from functools import lru_cache
from typing import NewType

Quantity = NewType("Quantity", Decimal)
Money = NewType("Money", Decimal)

ZERO = Quantity(Decimal(0))
#: Quantities and money are stored as integers of this many parts per unit (micro-units).
SCALE = 1_000_000
DECIMAL_PLACES = 6
#: The largest quantity or amount Pegboard accepts; beyond it a typing error is more likely than a real order.
MAXIMUM = Decimal(1_000_000_000)
#: The storage column is a signed 64-bit integer of micro-units (BIGINT on both databases).
_MAX_UNITS = 2**63 - 1
#: Scaling to micro-units in this context either is exact or raises (never rounds silently).
_EXACT = Context(prec=60, traps=[InvalidOperation, Inexact])


_STEP = Decimal(1).scaleb(-DECIMAL_PLACES)


def plain(number: Decimal) -> Decimal:
    """The same number without trailing zeros and without an exponent (100, not 1E+2)."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


class QuantityError(ValueError):
    """A value is not an exact, finite, in-range decimal quantity."""


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise QuantityError(f"{value!r} is a float; pass quantities as text, int or Decimal")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise QuantityError("is empty")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise QuantityError(f"{value!r} is not a number") from None
    else:
        raise QuantityError(f"{value!r} is not a number")
    if not number.is_finite():
        raise QuantityError(f"{value!r} is not a finite number")
    if abs(number) > MAXIMUM:
        raise QuantityError(f"{value!r} is larger than {MAXIMUM:,}")
    if number != number.quantize(_STEP):
        raise QuantityError(f"{value!r} has more than {DECIMAL_PLACES} decimal places")
    return plain(number)


def to_quantity(value: object, *, allow_zero: bool = False, allow_negative: bool = False) -> Quantity:
    """Build a quantity; floats are refused because they cannot hold 0.1 exactly."""
    number = _to_decimal(value)
    if number < 0 and not allow_negative:
        raise QuantityError(f"{value!r} is negative")
    if number == 0 and not allow_zero:
        raise QuantityError(f"{value!r} is zero")
    return Quantity(number)


def to_money(value: object) -> Money:
    """Build an amount of money; it may be zero but never negative or a float."""
    number = _to_decimal(value)
    if number < 0:
        raise QuantityError(f"{value!r} is negative")
    return Money(number)


def to_units(quantity: Decimal | int) -> int:
    """Scale a decimal to whole micro-units exactly; a value the storage cannot hold is refused, never cut."""
    if isinstance(quantity, bool) or not isinstance(quantity, Decimal | int):
        raise QuantityError(f"{quantity!r} is not an exact decimal")
    number = Decimal(quantity)
    if not number.is_finite():
        raise QuantityError(f"{number} is not a finite number")
    if number and number.adjusted() > 18:
        raise QuantityError(f"{number} is too large to store")
    try:
        scaled = _EXACT.multiply(number, SCALE)
    except Inexact:
        scaled = number  # digits far below a micro-unit: refused just below
    units = int(scaled)
    if units != scaled:
        raise QuantityError(
            f"{number} has more than {DECIMAL_PLACES} decimal places: it cannot be stored exactly"
        )
    if abs(units) > _MAX_UNITS:
        raise QuantityError(f"{number} is too large to store")
    return units


#: Conversions remembered: stored quantities take few distinct values (confirming a plan's 62,517
#: MOs turns 580,000 stored quantities of a few thousand values back into decimals, and works out
#: 221,524 component needs from 4 quantities per unit and 1,151 MO quantities). Typed, so that
#: True is never taken for 1; a Decimal is immutable, so one may be handed out many times.
_REMEMBERED = 1 << 16


@lru_cache(maxsize=_REMEMBERED, typed=True)
def from_units(units: int) -> Decimal:
    """Turn micro-units back into a decimal without trailing zeros."""
    return plain(Decimal(units) / SCALE)


@lru_cache(maxsize=_REMEMBERED, typed=True)
def component_need(quantity_per: Decimal, quantity: Decimal) -> Quantity:
    """A component's need: quantity per parent unit x parent quantity, rounded UP to the micro-unit.

    The one rounding rule of Pegboard (the planner's array form is `planning.lots.component_need`):
    needs are never rounded down, so what is consumed, checked as missing and planned is the same
    number and is always enough. Worked out in integers, so no decimal context can round it first.
    """
    product = to_units(quantity_per) * to_units(quantity)
    return Quantity(from_units(-(-product // SCALE)))


def qty(value: object) -> Quantity:
    """Shorthand for code and tests: a quantity that may be zero."""
    return to_quantity(value, allow_zero=True)
