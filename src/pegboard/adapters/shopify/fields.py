"""Reading Shopify JSON fields: required or optional text, moments, counts and prices, each
refused with its path (``line_items[2].quantity``) when malformed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pegboard.domain.errors import InvalidValue
from pegboard.domain.quantities import Money, Quantity, QuantityError, to_money, to_quantity


def field_path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def required_field(data: Mapping[str, Any], name: str, prefix: str) -> Any:
    if data.get(name) is None:
        raise InvalidValue(field_path(prefix, name), "", "is required")
    return data[name]


def read_text(
    data: Mapping[str, Any], name: str, prefix: str, *, required: bool = False, max_length: int = 300
) -> str | None:
    value = required_field(data, name, prefix) if required else data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue(field_path(prefix, name), value, "must be text")
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidValue(field_path(prefix, name), value, "is required")
    if len(cleaned) > max_length:
        raise InvalidValue(
            field_path(prefix, name), cleaned[:40] + "...", f"is longer than {max_length} characters"
        )
    return cleaned or None


def read_moment(
    data: Mapping[str, Any], name: str, prefix: str, *, required: bool = False
) -> datetime | None:
    """An ISO 8601 timestamp, kept as naive UTC like every Pegboard timestamp."""
    text = read_text(data, name, prefix, required=required, max_length=64)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue(field_path(prefix, name), text, "is not an ISO 8601 date and time") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def read_count(item: Mapping[str, Any], name: str, prefix: str, *, required: bool = False) -> Quantity | None:
    value = required_field(item, name, prefix) if required else item.get(name)
    if value is None:
        return None
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidValue(field_path(prefix, name), value, "must be a whole number")
    try:
        return to_quantity(value, allow_zero=True)
    except QuantityError as error:
        raise InvalidValue(field_path(prefix, name), value, str(error).replace(f"{value!r} ", "")) from None


def read_price(item: Mapping[str, Any], prefix: str) -> Money:
    value = required_field(item, "price", prefix)
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidValue(field_path(prefix, "price"), value, "must be an amount")
    try:
        return to_money(value)
    except QuantityError as error:
        raise InvalidValue(
            field_path(prefix, "price"), value, str(error).replace(f"{value!r} ", "")
        ) from None


def read_object(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidValue(name, type(value).__name__, "must be a JSON object")
    return value
