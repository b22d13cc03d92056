"""Request and answer bodies: requests are checked field by field; answers are documented shapes.

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
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from pegboard.domain import limits
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.books import OrderCharges
from pegboard.domain.errors import InvalidValue
from pegboard.domain.items import BomLine, Item, Procurement, Supplier
from pegboard.domain.options import OptionRow
from pegboard.domain.quantities import ZERO, Money, Quantity
from pegboard.domain.sales import ShipPolicy
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine
from pegboard.services import parsing
from pegboard.services.orders import LineDraft, OrderDraft
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


def _blank(value: str | None) -> str | None:
    return value or None


class In(BaseModel):
    """A request body: unknown fields are refused, so a misspelt field is never silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- requests -----------------------------------------------------------------------------------


class LineIn(In):
    sku: Sku
    quantity: Positive
    unit_price: Amount | None = None
    tax: Amount | None = Field(default=None, description="Tax charged on the whole line")
    discount: Amount | None = Field(default=None, description="Discount off the whole line")
    options: dict[Annotated[str, Field(max_length=100)], Annotated[str, Field(max_length=100)]] = Field(
        default_factory=dict,
        max_length=50,
        description='The line\'s choices by option name, such as {"HILT": "engraved"}',
    )


class OrderIn(In):
    """A sales order; the same ref with the same content may be sent again safely."""

    order_ref: Ref
    customer: Customer = ""
    email: Email | None = None
    ordered_at: Moment | None = None
    priority: Priority = 0
    ship_policy: ShipPolicy = ShipPolicy.PARTIAL
    ship_to: Address | None = Field(
        default=None, description="The delivery address; a drop-ship supplier ships to it"
    )
    requested_date: Day | None = Field(default=None, description="The day the customer asked to receive it")
    lines: list[LineIn] = Field(min_length=1, max_length=1000)
    shipping: Amount | None = Field(default=None, description="Shipping charged (first shipment)")
    shipping_tax: Amount | None = Field(default=None, description="Tax charged on the shipping")
    quote_id: str | None = Field(
        default=None, max_length=40, description="The held quote this order checks out (it gets its stock)"
    )

    def to_draft(self) -> OrderDraft:
        """The order as the ordering service takes it; a discount above its line's value is refused."""
        for n, line in enumerate(self.lines, start=1):
            if (
                line.discount
                and line.unit_price is not None
                and line.discount > line.unit_price * line.quantity
            ):
                raise InvalidValue(f"lines[{n}].discount", line.discount, "is more than the line's value")
        return OrderDraft(
            order_ref=self.order_ref,
            customer=self.customer,
            email=_blank(self.email),
            ordered_at=self.ordered_at,
            priority=self.priority,
            ship_policy=self.ship_policy,
            ship_to=_blank(self.ship_to),
            requested_date=self.requested_date,
            lines=tuple(
                LineDraft(line.sku, line.quantity, line.unit_price, options=line.options)
                for line in self.lines
            ),
            charges=OrderCharges(
                {n: line.tax for n, line in enumerate(self.lines, start=1) if line.tax},
                {n: line.discount for n, line in enumerate(self.lines, start=1) if line.discount},
                self.shipping or Decimal(0),
                self.shipping_tax or Decimal(0),
            ),
            quote_id=_blank(self.quote_id),
        )


class ShipIn(In):
    tracking: Tracking | None = None


class CancelIn(In):
    sku: Sku | None = Field(default=None, description="Only this SKU's remainder; the whole order if absent")
    policy: AllocationPolicy | None = None


class ReleaseIn(In):
    policy: AllocationPolicy | None = None


class CountIn(In):
    quantity: Counted = Field(description="What was counted on the shelf")
    reason: Reason
    policy: AllocationPolicy | None = None


class PurchaseOrderLineIn(In):
    sku: Sku
    quantity: Positive
    expected_date: Day | None = None
    unit_cost: Amount | None = None


class PurchaseOrderIn(In):
    po_ref: PoRef
    supplier: SupplierName
    lines: list[PurchaseOrderLineIn] = Field(min_length=1, max_length=1000)

    def to_purchase_order(self) -> PurchaseOrder:
        """The purchase order as the purchasing service takes it."""
        return PurchaseOrder(
            po_ref=self.po_ref,
            supplier=self.supplier,
            lines=[
                PurchaseOrderLine(line.sku, line.quantity, line.expected_date, line.unit_cost)
                for line in self.lines
            ],
        )


class ReceiptIn(In):
    sku: Sku
    quantity: Positive
    policy: AllocationPolicy | None = None
    tracking: Tracking | None = Field(
        default=None, description="On a drop-ship PO: the supplier's tracking number for the customer"
    )


class RescheduleIn(In):
    date: Day = Field(description="The new expected date, YYYY-MM-DD")


class ManufacturingOrderIn(In):
    sku: Sku
    quantity: Positive


class CompleteIn(In):
    quantity: Positive | None = Field(default=None, description="How many were finished; all if absent")
    policy: AllocationPolicy | None = None


class SupplierIn(In):
    name: SupplierName
    email: Email | None = None
    lead_time_days: Days | None = None

    def to_supplier(self) -> Supplier:
        """The supplier as the catalogue keeps it."""
        return Supplier(self.name, _blank(self.email), self.lead_time_days)


class ItemIn(In):
    """An item as a whole: sending it again replaces every field."""

    sku: Sku
    name: Name
    procurement: Procurement
    unit: Unit = "pcs"
    price: Amount | None = None
    cost: Amount | None = None
    lead_time_days: Days | None = None
    supplier: SupplierName | None = None
    safety_stock: Counted = ZERO
    reorder_point: Counted | None = None
    reorder_qty: Positive | None = None
    min_order_qty: Positive | None = None
    order_multiple: Positive | None = None
    release_date: Day | None = Field(
        default=None, description="Orders placed before it are preorders, promised for it"
    )
    labour_cost: Amount | None = Field(default=None, description="Labour per unit made (MO output value)")
    tax_rate: Amount | None = Field(default=None, description="Tax on sales as a fraction below 1, e.g. 0.19")

    @field_validator("tax_rate")
    @classmethod
    def _a_fraction(cls, rate: Money | None) -> Money | None:
        if rate is not None and rate >= 1:
            raise ValueError("is not a tax rate: give a fraction below 1, such as 0.19")
        return rate

    def to_item(self) -> Item:
        """The item as the catalogue keeps it."""
        return Item(**self.model_dump())


class BomLineIn(In):
    component_sku: Sku
    quantity: Positive = Field(description="How much goes into one unit of the parent")


class BomIn(In):
    """A make item's whole bill of materials; it replaces the one stored."""

    parent_sku: Sku
    lines: list[BomLineIn] = Field(min_length=1, max_length=1000)

    def to_lines(self) -> list[BomLine]:
        """The BOM lines as the catalogue keeps them."""
        return [BomLine(line.component_sku, line.quantity) for line in self.lines]


class OptionRowIn(In):
    """One BOM change of one value, as a row of the `options` CSV kind (without `parent_sku`)."""

    option: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^=;]+$")]
    value: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^=;]+$")]
    component_sku: Sku | None = Field(default=None, description="Added (in place of replaces_sku when given)")
    quantity: Positive | None = Field(default=None, description="How much of component_sku one unit takes")
    replaces_sku: Sku | None = Field(default=None, description="Replaced by component_sku, or removed")


class OptionsIn(In):
    """An item's options, replacing the stored ones; a value with no change is its option's default,
    and an option without a default is required."""

    rows: list[OptionRowIn] = Field(max_length=1000)

    def to_rows(self) -> list[OptionRow]:
        """The rows as the catalogue keeps them; a quantity without a component is refused."""
        found = []
        for n, r in enumerate(self.rows, start=1):
            if r.component_sku is None and r.quantity is not None:
                raise InvalidValue(
                    f"rows[{n}].quantity", r.quantity, "a row without component_sku takes none"
                )
            if r.component_sku is not None and r.quantity is None and r.replaces_sku is None:
                raise InvalidValue(
                    f"rows[{n}].quantity", "", f"enter how much {r.component_sku} one unit takes"
                )
            found.append(OptionRow(r.option, r.value, r.component_sku, r.quantity, r.replaces_sku))
        return found


# --- answers (documentation of what the routes send) ------------------------------------------

Number = Annotated[
    Decimal, WithJsonSchema({"type": "number"}), PlainSerializer(number, return_type=float, when_used="json")
]


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderLineOut(Out):
    line_no: int
    sku: str
    kind: str = Field(description="stock, preorder or dropship")
    quantity: Number
    allocated: Number
    shipped: Number
    backordered: Number = Field(description="Open quantity of a stock line: waits for stock")
    preordered: Number = Field(description="Open quantity of a preorder line: waits for the release")
    awaiting_supplier: Number = Field(description="Open quantity of a drop-ship line: the supplier ships it")
    cancelled: Number
    unit_price: Number | None
    backordered_on: date | None
    options: dict[str, str] = Field(
        default_factory=dict, description="A configured line's choices by option name ({}: plain)"
    )


class OrderOut(Out):
    order_ref: str
    customer: str
    email: str | None
    ordered_at: str
    priority: int
    ship_policy: ShipPolicy
    status: str
    ship_to: str | None = None
    requested_date: date | None = Field(default=None, description="The day the customer asked for")
    lines: list[OrderLineOut]


class BackorderOut(Out):
    order_ref: str
    line_no: int
    sku: str
    quantity: Number
    opened_at: date
    age_days: int
    customer: str
    priority: int


class PreorderOut(Out):
    order_ref: str
    line_no: int
    sku: str
    quantity: Number
    release_date: date | None
    released: bool
    ordered_at: date
    customer: str
    priority: int


class ReleasedOut(Out):
    order_ref: str
    line_no: int
    sku: str
    quantity: Number
    reason: str = Field(
        default="", description="Why the line got the stock, when the policy chose (complete-first)"
    )


class ShipmentLineOut(Out):
    line_no: int
    sku: str
    quantity: Number


class ShipmentOut(Out):
    shipment_ref: str
    order_ref: str
    shipped_on: date
    tracking: str | None
    lines: list[ShipmentLineOut]


class MovementOut(Out):
    date: str
    kind: str
    quantity: Number
    reference: str
    reason: str


class StockOut(Out):
    sku: str
    on_hand: Number
    allocated: Number
    available: Number
    movements: list[MovementOut]


class TakenBackOut(Out):
    """Reserved stock the count took back from an order line, which is on backorder again."""

    order_ref: str
    line_no: int
    sku: str
    quantity: Number


class CountOut(Out):
    sku: str
    quantity: Number
    change: Number
    reason: str
    taken_back: list[TakenBackOut] = []


class PurchaseOrderLineOut(Out):
    sku: str
    quantity: Number
    received: Number
    expected_date: date | None
    unit_cost: Number | None
    order_line_no: int | None = None


class PurchaseOrderOut(Out):
    po_ref: str
    supplier: str
    status: str
    dropship: bool = False
    order_ref: str | None = None
    ship_to: str | None = None
    lines: list[PurchaseOrderLineOut]


class ShortageOut(Out):
    sku: str
    quantity: Number
    level: int


class ManufacturingOrderOut(Out):
    mo_ref: str
    sku: str
    quantity: Number
    completed: Number
    start_date: date
    finish_date: date
    status: str
    missing: list[ShortageOut] | None = None


class MaterialCheckOut(Out):
    sku: str
    quantity: Number
    missing: list[ShortageOut]


class SupplyOut(Out):
    ref: str
    kind: str
    sku: str
    quantity: Number
    received: Number
    expected_date: date | None
    status: str
    supplier: str | None
    dropship: bool = False
    order_ref: str | None = None
    feasible_start: date | None = None
    feasible_due: date | None = None
    late_because: str | None = None
    options: dict[str, str] = Field(
        default_factory=dict, description="The configuration an MO makes, by option name ({}: plain)"
    )


class RescheduleOut(Out):
    ref: str
    expected_date: date
    previous_date: date | None


class SupplierOut(Out):
    name: str
    email: str | None
    lead_time_days: int | None


class ItemOut(Out):
    sku: str
    name: str
    procurement: Procurement
    unit: str
    price: Number | None
    cost: Number | None
    lead_time_days: int | None
    supplier: str | None
    safety_stock: Number
    reorder_point: Number | None
    reorder_qty: Number | None
    min_order_qty: Number | None
    order_multiple: Number | None
    release_date: date | None = None
    labour_cost: Number | None = None
    tax_rate: Number | None = None


class BomLineOut(Out):
    component_sku: str
    quantity: Number


class BomOut(Out):
    parent_sku: str
    lines: list[BomLineOut]


class OptionChangeOut(Out):
    component_sku: str | None
    quantity: Number | None
    replaces_sku: str | None


class OptionValueOut(Out):
    value: str
    changes: list[OptionChangeOut]


class OptionOut(Out):
    option: str
    required: bool = Field(description="True when no value is the default (a value that changes nothing)")
    default: str | None
    values: list[OptionValueOut]


class ItemOptionsOut(Out):
    sku: str
    options: list[OptionOut]


class ImportOut(Out):
    kind: str
    rows: int
    written: int
    notes: list[str]


class ErrorDetailOut(BaseModel):
    """A stable code for machines, a message for people, and details such as the field."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str
    field: str | None = None
    value: Any = None
    problems: list[Any] | None = None
    shortages: list[ShortageOut] | None = None


class ErrorOut(BaseModel):
    error: ErrorDetailOut


# --- what history teaches: supplier reliability, forecasts, reorder points (views/learning.py) ---

ServiceLevel = Annotated[
    float,
    Field(gt=0, lt=1, description="Share of replenishment cycles without a stockout, e.g. 0.95"),
]


class ServiceLevelIn(In):
    """An item's own target service level; null puts it back on the shop's setting."""

    service_level: ServiceLevel | None


class ServiceLevelOut(Out):
    sku: str
    service_level: float | None


class ReliabilityOut(Out):
    receipts: int
    learned: bool
    on_time_rate: float | None
    lateness_mean_days: float | None
    lateness_p90_days: float | None
    lead_time_p50_days: float | None
    lead_time_p90_days: float | None


class ItemReliabilityOut(ReliabilityOut):
    sku: str


class SupplierReliabilityOut(ReliabilityOut):
    supplier: str
    items: list[ItemReliabilityOut]


class BucketOut(Out):
    date: date
    quantity: float | None


class ModelScoreOut(Out):
    model: str
    mase: float | None


class ForecastOut(Out):
    sku: str
    bucket: str
    model: str
    mase: float | None
    naive_mase: float | None
    mean_per_day: float | None
    history: list[BucketOut]
    forecast: list[BucketOut]
    scores: list[ModelScoreOut]


class ReorderPointOut(Out):
    sku: str
    service_level: float
    demand_per_day: float | None
    demand_std_per_day: float | None
    lead_time_days: float | None
    lead_time_std_days: float | None
    lead_time_learned: bool | None
    current_safety_stock: float | None
    safety_stock: float | None
    current_reorder_point: float | None
    reorder_point: float | None
    current_stockout_probability: float | None
    stockout_probability: float | None
    extra_stock_value: float | None
    problem: str | None
    applied: bool | None = Field(default=None, description="Only from apply: whether its values changed")
