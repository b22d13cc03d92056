"""Sales order bodies: placing, shipping, cancelling and releasing orders; orders, backorders,
preorders and shipments as answered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.books import OrderCharges
from pegboard.domain.errors import InvalidValue
from pegboard.domain.sales import ShipPolicy
from pegboard.entrypoints.api.schemas.fields import (
    Address,
    Amount,
    Customer,
    Day,
    Email,
    In,
    Moment,
    Number,
    Out,
    Positive,
    Priority,
    Ref,
    Sku,
    Tracking,
    none_if_blank,
)
from pegboard.services.orders import LineDraft, OrderDraft


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
            email=none_if_blank(self.email),
            ordered_at=self.ordered_at,
            priority=self.priority,
            ship_policy=self.ship_policy,
            ship_to=none_if_blank(self.ship_to),
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
            quote_id=none_if_blank(self.quote_id),
        )


class ShipIn(In):
    tracking: Tracking | None = None


class CancelIn(In):
    sku: Sku | None = Field(default=None, description="Only this SKU's remainder; the whole order if absent")
    policy: AllocationPolicy | None = None


class ReleaseIn(In):
    policy: AllocationPolicy | None = None


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
