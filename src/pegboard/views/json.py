"""JSON conventions: quantities as numbers, dates as YYYY-MM-DD."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pegboard.planning.values import plain_number


def number(value: Decimal | None) -> int | float | None:
    """A quantity as a JSON number: whole numbers as integers."""
    return None if value is None else plain_number(value)


def day(value: date | datetime | None) -> str | None:
    """A date as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()
