"""Request and answer bodies: requests are checked field by field; answers are documented shapes.

Quantities and money arrive as JSON numbers or strings and are taken exactly (never through a
binary float); they leave as JSON numbers. Dates are ISO ``YYYY-MM-DD``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import InvalidValue
from pegboard.domain.items import BomLine, Item, Procurement, Supplier
from pegboard.domain.quantities import ZERO, Money, Quantity
from pegboard.domain.sales import ShipPolicy
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine
from pegboard.services import parsing as p
from pegboard.services.orders import LineDraft, OrderDraft
from pegboard.views.json import number


def _invalid(reason: str) -> PydanticCustomError:
    return PydanticCustomError("invalid_value", "{reason}", {"reason": reason})


def _exact(value: object, *, allow_zero: bool, money: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise _invalid('is not a number (send a JSON number or a string such as "1.5")')
    try:
        if money:
            found = p.money("amount", value if isinstance(value, str) else str(value))
            assert found is not None
            return found
        return p.quantity("quantity", value, allow_zero=allow_zero)
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
        found = p.a_date("date", value)
    except InvalidValue as error:
        raise _invalid(error.reason) from None
    if found is None:
        raise _invalid("is empty")
    return found


def _moment(value: object) -> datetime:
    if not isinstance(value, str):
        raise _invalid("is not a date or date-time (send a string YYYY-MM-DD[THH:MM])")
    try:
        found = p.a_datetime("datetime", value)
    except InvalidValue as error:
        raise _invalid(error.reason) from None
    if found is None:
        raise _invalid("is empty")
    return found


_NUMBER_IN = {
    "anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]{1,6})?\s*$"}],
    "examples": [3, "1.5"],
}

Positive = Annotated[
    Quantity,
    PlainValidator(_positive),
    WithJsonSchema({**_NUMBER_IN, "description": "Greater than 0, at most 6 decimals, up to 1e9"}),
]
Counted = Annotated[
    Quantity,
    PlainValidator(_counted),
    WithJsonSchema({**_NUMBER_IN, "description": "0 or more, at most 6 decimals, up to 1e9"}),
]
Amount = Annotated[
    Money,
    PlainValidator(_money),
    WithJsonSchema({**_NUMBER_IN, "description": "An amount of money, 0 or more"}),
]
Day = Annotated[date, PlainValidator(_day), WithJsonSchema({"type": "string", "format": "date"})]
Moment = Annotated[
    datetime,
    PlainValidator(_moment),
    WithJsonSchema({"type": "string", "description": "YYYY-MM-DD or an ISO date-time"}),
]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
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


class OrderIn(In):
    """A sales order; the same ref with the same content may be sent again safely."""

    order_ref: Ref
    customer: Text = ""
    email: Text | None = None
    ordered_at: Moment | None = None
    priority: Priority = 0
    ship_policy: ShipPolicy = ShipPolicy.PARTIAL
    ship_to: Address | None = Field(
        default=None, description="The delivery address; a drop-ship supplier ships to it"
    )
    lines: list[LineIn] = Field(min_length=1, max_length=1000)

    def to_draft(self) -> OrderDraft:
        """The order as the ordering service takes it."""
        return OrderDraft(
            order_ref=self.order_ref,
            customer=self.customer,
            email=_blank(self.email),
            ordered_at=self.ordered_at,
            priority=self.priority,
            ship_policy=self.ship_policy,
            ship_to=_blank(self.ship_to),
            lines=tuple(LineDraft(line.sku, line.quantity, line.unit_price) for line in self.lines),
        )


class ShipIn(In):
    tracking: Text | None = None


class CancelIn(In):
    sku: Sku | None = Field(default=None, description="Only this SKU's remainder; the whole order if absent")
    policy: AllocationPolicy | None = None


class ReleaseIn(In):
    policy: AllocationPolicy | None = None


class CountIn(In):
    quantity: Counted = Field(description="What was counted on the shelf")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    policy: AllocationPolicy | None = None


class PurchaseOrderLineIn(In):
    sku: Sku
    quantity: Positive
    expected_date: Day | None = None
    unit_cost: Amount | None = None


class PurchaseOrderIn(In):
    po_ref: Ref
    supplier: Name
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
    tracking: Text | None = Field(
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
    name: Name
    email: Text | None = None
    lead_time_days: Days | None = None

    def to_supplier(self) -> Supplier:
        """The supplier as the catalogue keeps it."""
        return Supplier(self.name, _blank(self.email), self.lead_time_days)


class ItemIn(In):
    """An item as a whole: sending it again replaces every field."""

    sku: Sku
    name: Name
    procurement: Procurement
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] = "pcs"
    price: Amount | None = None
    cost: Amount | None = None
    lead_time_days: Days | None = None
    supplier: Name | None = None
    safety_stock: Counted = ZERO
    reorder_point: Counted | None = None
    reorder_qty: Positive | None = None
    min_order_qty: Positive | None = None
    order_multiple: Positive | None = None
    release_date: Day | None = Field(
        default=None, description="Orders placed before it are preorders, promised for it"
    )

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


class OrderOut(Out):
    order_ref: str
    customer: str
    email: str | None
    ordered_at: str
    priority: int
    ship_policy: ShipPolicy
    status: str
    ship_to: str | None = None
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


class BomLineOut(Out):
    component_sku: str
    quantity: Number


class BomOut(Out):
    parent_sku: str
    lines: list[BomLineOut]


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
