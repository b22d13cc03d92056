"""Column types: exact quantities and money stored as whole micro-units in BIGINT."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from pegboard.domain.quantities import from_units, to_units


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal stored exactly as an integer of micro-units: a finer value is refused, never cut."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("quantities are never floats")
        return to_units(value if isinstance(value, Decimal | int) else Decimal(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return from_units(int(value))
