"""Supply bodies: purchase orders and receipts, manufacturing orders and completions, new dates."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine
from pegboard.entrypoints.api.schemas.fields import (
    Amount,
    Day,
    In,
    Number,
    Out,
    PoRef,
    Positive,
    Sku,
    SupplierName,
    Tracking,
)


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
    plan_as_of: date | None = Field(
        default=None,
        description="An open MO's: the day of the plan its feasible dates come from (today when dated "
        "on the read); null on a PO",
    )
    plan_out_of_date: bool | None = Field(
        default=None,
        description="An open MO's: whether anything planning reads changed since that plan (run the "
        "plan to bring its feasible dates up to date); null on a PO",
    )


class RescheduleOut(Out):
    ref: str
    expected_date: date
    previous_date: date | None
