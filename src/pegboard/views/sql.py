"""SQL helpers for the read views."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, type_coerce

from pegboard.adapters.db.types import Units


def units(expression: ColumnElement[Any]) -> ColumnElement[Decimal]:
    """A sum or difference of quantity columns, read back as a quantity (not raw micro-units)."""
    return type_coerce(expression, Units())
