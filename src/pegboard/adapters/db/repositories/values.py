"""Domain values from nullable columns."""

from __future__ import annotations

from decimal import Decimal

from pegboard.domain.quantities import Money, Quantity


def quantity_or_none(value: Decimal | None) -> Quantity | None:
    return None if value is None else Quantity(value)


def money_or_none(value: Decimal | None) -> Money | None:
    return None if value is None else Money(value)
