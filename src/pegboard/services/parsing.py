"""Turning text fields (CSV cells, CLI arguments) into typed values, naming the field on error.

Each parser accepts exactly what its message says: numbers in ASCII digits with an optional sign and
decimal point, dates as YYYY-MM-DD between the limits' earliest and latest date, and text without
control characters, no longer than its column.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from pegboard.domain import limits
from pegboard.domain.errors import InvalidValue
from pegboard.domain.quantities import Money, Quantity, QuantityError, to_money, to_quantity

E = TypeVar("E", bound=StrEnum)

#: A field without a limit of its own (a name, a note) is at most this long.
TEXT = 300
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ]([0-9]{2}:[0-9]{2}(?::[0-9]{2})?))?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
NUMBER_FORMAT = "digits with an optional decimal point, such as 12.5"
DATE_RANGE = f"between {limits.EARLIEST_DATE} and {limits.LATEST_DATE}"
DATETIME_FORMAT = "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (T or a space), without a time zone"
#: Unicode's control characters (category Cc, a fixed set) and lone surrogates (Cs).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def control_character(value: str, *, multiline: bool = False) -> str | None:
    """The first control character in the text (tabs and line breaks count only when not multiline)."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    return None if found is None else found.group()


def control_reason(char: str, *, multiline: bool = False) -> str:
    """Why a text with this character is refused, in words."""
    allowed = " (tabs and line breaks are allowed)" if multiline else ""
    return f"contains the control character U+{ord(char):04X}; only printable text is allowed{allowed}"


def text(
    field: str,
    value: str | None,
    *,
    row: int | None = None,
    max_length: int = TEXT,
    multiline: bool = False,
) -> str:
    """A required, non-blank text field of printable characters, no longer than its limit."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidValue(field, value or "", "is required", row=row)
    if len(cleaned) > max_length:
        raise InvalidValue(field, cleaned[:40] + "...", f"is longer than {max_length} characters", row=row)
    bad = control_character(cleaned, multiline=multiline)
    if bad is not None:
        raise InvalidValue(field, cleaned, control_reason(bad, multiline=multiline), row=row)
    return cleaned


def optional_text(
    field: str,
    value: str | None,
    *,
    row: int | None = None,
    max_length: int = TEXT,
    multiline: bool = False,
) -> str | None:
    """A text field that may be left empty."""
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    return text(field, cleaned, row=row, max_length=max_length, multiline=multiline)


def email(field: str, value: str | None, *, row: int | None = None) -> str | None:
    """An email address (one @, a dotted domain, no spaces), or None when empty."""
    cleaned = optional_text(field, value, row=row, max_length=limits.EMAIL)
    if cleaned is not None and not _EMAIL.fullmatch(cleaned):
        raise InvalidValue(field, cleaned, "is not an email address (such as name@example.com)", row=row)
    return cleaned


def _digits(field: str, value: object, row: int | None) -> object:
    """Text must be plain ASCII digits: `1_000`, full-width digits and exponents are refused."""
    if isinstance(value, str) and value.strip() and not _NUMBER.fullmatch(value.strip()):
        raise InvalidValue(field, value, f"is not a number ({NUMBER_FORMAT})", row=row)
    return value


def quantity(field: str, value: object, *, row: int | None = None, allow_zero: bool = False) -> Quantity:
    """A positive exact quantity (or zero where allowed)."""
    try:
        return to_quantity(_digits(field, value, row), allow_zero=allow_zero)
    except QuantityError as error:
        raise InvalidValue(field, value, str(error).replace(f"{value!r} ", ""), row=row) from None


def optional_quantity(
    field: str, value: str | None, *, row: int | None = None, allow_zero: bool = True
) -> Quantity | None:
    """A quantity that may be left empty."""
    if value is None or not str(value).strip():
        return None
    return quantity(field, value, row=row, allow_zero=allow_zero)


def money(field: str, value: object, *, row: int | None = None) -> Money | None:
    """An amount of money that may be left empty; never negative."""
    if value is None or not str(value).strip():
        return None
    try:
        return to_money(_digits(field, value, row))
    except QuantityError as error:
        raise InvalidValue(field, value, str(error).replace(f"{value!r} ", ""), row=row) from None


def tax_rate(field: str, value: object, *, row: int | None = None) -> Decimal | None:
    """A tax rate as a fraction from 0 up to (not including) 1, e.g. 0.19; None when empty."""
    rate = money(field, value, row=row)
    if rate is not None and rate >= 1:
        raise InvalidValue(field, value, "is not a tax rate: give a fraction below 1, such as 0.19", row=row)
    return rate


def whole_number(
    field: str, value: str | None, *, row: int | None = None, minimum: int = 0, maximum: int = 100_000
) -> int | None:
    """A whole number in a range, or None when empty."""
    if value is None or not str(value).strip():
        return None
    cleaned = str(value).strip()
    number = Decimal(cleaned) if _NUMBER.fullmatch(cleaned) else None
    if number is None or number != number.to_integral_value():
        raise InvalidValue(field, value, "is not a whole number", row=row)
    if not minimum <= number <= maximum:
        raise InvalidValue(field, value, f"must be between {minimum} and {maximum}", row=row)
    return int(number)


def in_range(field: str, day: date, *, row: int | None = None) -> date:
    """A date Pegboard can plan with: between the limits' earliest and latest date."""
    if not limits.EARLIEST_DATE <= day <= limits.LATEST_DATE:
        raise InvalidValue(field, day.isoformat(), f"must be {DATE_RANGE}", row=row)
    return day


def a_date(field: str, value: str | None, *, row: int | None = None) -> date | None:
    """A date written YYYY-MM-DD (in range), or None when empty."""
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    try:
        if not _DATE.fullmatch(cleaned):
            raise ValueError
        day = date.fromisoformat(cleaned)
    except ValueError:
        raise InvalidValue(field, value, "is not a date (YYYY-MM-DD)", row=row) from None
    return in_range(field, day, row=row)


def a_datetime(field: str, value: str | None, *, row: int | None = None) -> datetime | None:
    """A date or a date-time without an offset (one is refused, never converted), or None."""
    if value is None or not value.strip():
        return None
    found = _DATETIME.fullmatch(value.strip())
    try:
        if found is None:
            raise ValueError
        day, time = found.groups()
        moment = datetime.fromisoformat(f"{day}T{time or '00:00'}")
    except ValueError:
        raise InvalidValue(field, value, f"is not a date or date-time ({DATETIME_FORMAT})", row=row) from None
    in_range(field, moment.date(), row=row)
    return moment


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
