"""Field types the bodies share: exact quantities, money and dates, bounded printable text; the base models.

Quantities and money arrive as JSON numbers or strings and are taken exactly (never through a
binary float); they leave as JSON numbers. Dates are ISO ``YYYY-MM-DD``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from pegboard.domain import limits
from pegboard.domain.errors import InvalidValue
from pegboard.domain.quantities import Money, Quantity
from pegboard.services import parsing
from pegboard.views.json import number


def _invalid(reason: str) -> PydanticCustomError:
    return PydanticCustomError("invalid_value", "{reason}", {"reason": reason})


def _exact(value: object, *, allow_zero: bool, money: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise _invalid('is not a number (send a JSON number or a string such as "1.5")')
    try:
        if money:
            found = parsing.money("amount", value)
            assert found is not None
            return found
        return parsing.quantity("quantity", value, allow_zero=allow_zero)
    except InvalidValue as error:
        raise _invalid(error.reason) from None


def _positive(value: object) -> Quantity:
    return Quantity(_exact(value, allow_zero=False))


def _counted(value: object) -> Quantity:
    return Quantity(_exact(value, allow_zero=True))


def _money(value: object) -> Money:
    if isinstance(value, str) and not value.strip():
        raise _invalid("is empty")
    return Money(_exact(value, allow_zero=True, money=True))


def _day(value: object) -> date:
    if not isinstance(value, str):
        raise _invalid("is not a date (send a string YYYY-MM-DD)")
    try:
        found = parsing.a_date("date", value)
    except InvalidValue as error:
        raise _invalid(error.reason) from None
    if found is None:
        raise _invalid("is empty")
    return found


def _moment(value: object) -> datetime:
    if not isinstance(value, str):
        raise _invalid("is not a date or date-time (send a string YYYY-MM-DD[THH:MM])")
    try:
        found = parsing.a_datetime("datetime", value)
    except InvalidValue as error:
        raise _invalid(error.reason) from None
    if found is None:
        raise _invalid("is empty")
    return found


def _positive_pattern() -> str:
    """Digits above zero with up to 6 decimals: a whole part above zero, or a first non-zero decimal."""
    whole = r"0*[1-9][0-9]*(\.[0-9]{1,6})?"
    fractions = "|".join(f"0{{{k}}}[1-9][0-9]{{0,{5 - k}}}" for k in range(6))
    return rf"^\s*({whole}|0+\.({fractions}))\s*$"


def _number_in(*, positive: bool) -> dict[str, Any]:
    number: dict[str, Any] = {"type": "number", "maximum": 1_000_000_000}
    number["exclusiveMinimum" if positive else "minimum"] = 0
    pattern = _positive_pattern() if positive else r"^\s*[0-9]+(\.[0-9]{1,6})?\s*$"
    return {"anyOf": [number, {"type": "string", "pattern": pattern}], "examples": [3, "1.5"]}


Positive = Annotated[
    Quantity,
    PlainValidator(_positive),
    WithJsonSchema(
        {**_number_in(positive=True), "description": "Greater than 0, at most 6 decimals, up to 1e9"}
    ),
]


Counted = Annotated[
    Quantity,
    PlainValidator(_counted),
    WithJsonSchema({**_number_in(positive=False), "description": "0 or more, at most 6 decimals, up to 1e9"}),
]


Amount = Annotated[
    Money,
    PlainValidator(_money),
    WithJsonSchema({**_number_in(positive=False), "description": "An amount of money, 0 or more"}),
]


Day = Annotated[
    date,
    PlainValidator(_day),
    WithJsonSchema({"type": "string", "format": "date", "description": f"YYYY-MM-DD, {parsing.DATE_RANGE}"}),
]


Moment = Annotated[
    datetime,
    PlainValidator(_moment),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?\s*$",
            "description": f"{parsing.DATETIME_FORMAT}, {parsing.DATE_RANGE}",
        }
    ),
]


@dataclass(frozen=True)
class Printable:
    """Text without control characters (tabs and line breaks only where multiline), said in the schema."""

    multiline: bool = False

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        allowed = r"\t\n\r" if self.multiline else ""
        controls = r"\u0000-\u0008\u000b\u000c\u000e-\u001f" if allowed else r"\u0000-\u001f"
        found["pattern"] = rf"^\s*[^{controls}\u007f-\u009f]*\s*$"
        return found

    def _check(self, value: str) -> str:
        bad = parsing.control_character(value, multiline=self.multiline)
        if bad is not None:
            raise _invalid(parsing.control_reason(bad, multiline=self.multiline))
        return value


def _email(value: str) -> str:
    try:
        return parsing.email("email", value) or ""
    except InvalidValue as error:
        raise _invalid(error.reason) from None


def _required(length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=length)


def _optional(length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, max_length=length)


Ref = Annotated[str, _required(limits.ORDER_REF), Printable()]


PoRef = Annotated[str, _required(limits.PO_REF), Printable()]


Sku = Annotated[str, _required(limits.SKU), Printable()]


Name = Annotated[str, _required(limits.ITEM_NAME), Printable()]


SupplierName = Annotated[str, _required(limits.SUPPLIER_NAME), Printable()]


Unit = Annotated[str, _required(limits.UNIT), Printable()]


Customer = Annotated[str, _optional(limits.CUSTOMER), Printable()]


Tracking = Annotated[str, _optional(limits.TRACKING), Printable()]


Email = Annotated[
    str,
    _optional(limits.EMAIL),
    Printable(),
    AfterValidator(_email),
    Field(description="An email address such as name@example.com"),
]


Reason = Annotated[str, _required(limits.REASON), Printable(multiline=True)]


Address = Annotated[str, _optional(limits.SHIP_TO), Printable(multiline=True)]


Priority = Annotated[int, Field(strict=True, ge=-1000, le=1000)]


Days = Annotated[int, Field(strict=True, ge=0, le=100_000)]


def none_if_blank(value: str | None) -> str | None:
    return value or None


class In(BaseModel):
    """A request body: unknown fields are refused, so a misspelt field is never silently ignored."""

    model_config = ConfigDict(extra="forbid")


Number = Annotated[
    Decimal, WithJsonSchema({"type": "number"}), PlainSerializer(number, return_type=float, when_used="json")
]


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")
