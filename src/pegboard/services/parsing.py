"""Turning text fields (CSV cells, CLI arguments) into typed values, naming the field on error."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from pegboard.domain.errors import InvalidValue
from pegboard.domain.quantities import Money, Quantity, QuantityError, to_money, to_quantity

E = TypeVar("E", bound=StrEnum)


def text(field: str, value: str | None, *, row: int | None = None, max_length: int = 300) -> str:
    """A required, non-blank text field."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidValue(field, value or "", "is required", row=row)
    if len(cleaned) > max_length:
        raise InvalidValue(field, cleaned[:40] + "...", f"is longer than {max_length} characters", row=row)
    return cleaned


def optional_text(field: str, value: str | None, *, row: int | None = None) -> str | None:
    """A text field that may be left empty."""
    cleaned = (value or "").strip()
    return text(field, cleaned, row=row) if cleaned else None


def quantity(field: str, value: object, *, row: int | None = None, allow_zero: bool = False) -> Quantity:
    """A positive exact quantity (or zero where allowed)."""
    try:
        return to_quantity(value, allow_zero=allow_zero)
    except QuantityError as error:
        raise InvalidValue(field, value, str(error).replace(f"{value!r} ", ""), row=row) from None


def optional_quantity(
    field: str, value: str | None, *, row: int | None = None, allow_zero: bool = True
) -> Quantity | None:
    """A quantity that may be left empty."""
    if value is None or not str(value).strip():
        return None
    return quantity(field, value, row=row, allow_zero=allow_zero)


def money(field: str, value: str | None, *, row: int | None = None) -> Money | None:
    """An amount of money that may be left empty; never negative."""
    if value is None or not str(value).strip():
        return None
    try:
        return to_money(value)
    except QuantityError as error:
        raise InvalidValue(field, value, str(error).replace(f"{value!r} ", ""), row=row) from None


def whole_number(
    field: str, value: str | None, *, row: int | None = None, minimum: int = 0, maximum: int = 100_000
) -> int | None:
    """A whole number in a range, or None when empty."""
    if value is None or not str(value).strip():
        return None
    try:
        number = Decimal(str(value).strip())
        if number != number.to_integral_value():
            raise ValueError
        result = int(number)
    except (ArithmeticError, ValueError):
        raise InvalidValue(field, value, "is not a whole number", row=row) from None
    if not minimum <= result <= maximum:
        raise InvalidValue(field, value, f"must be between {minimum} and {maximum}", row=row)
    return result


def a_date(field: str, value: str | None, *, row: int | None = None) -> date | None:
    """An ISO date (YYYY-MM-DD), or None when empty."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidValue(field, value, "is not a date (YYYY-MM-DD)", row=row) from None


def a_datetime(field: str, value: str | None, *, row: int | None = None) -> datetime | None:
    """An ISO date or date-time, kept as a naive UTC time, or None when empty."""
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValue(field, value, "is not a date or date-time (YYYY-MM-DD[THH:MM])", row=row) from None
    if parsed.tzinfo is not None:
        from datetime import UTC

        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def choice(
    field: str, value: str | None, kind: type[E], *, row: int | None = None, default: E | None = None
) -> E:
    """One of an enumeration's values."""
    cleaned = (value or "").strip().lower()
    if not cleaned and default is not None:
        return default
    try:
        return kind(cleaned)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidValue(field, value or "", f"must be one of: {allowed}", row=row) from None
