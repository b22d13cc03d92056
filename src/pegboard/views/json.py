"""JSON conventions: quantities as numbers, dates as YYYY-MM-DD."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal


def number(value: Decimal | None) -> int | float | None:
    """A quantity as a JSON number: whole numbers as integers."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def day(value: date | datetime | None) -> str | None:
    """A date as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()
