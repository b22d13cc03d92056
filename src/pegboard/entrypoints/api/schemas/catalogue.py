"""Catalogue bodies: suppliers, items, bills of materials and item options."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, field_validator

from pegboard.domain.errors import InvalidValue
from pegboard.domain.items import BomLine, Item, Procurement, Supplier
from pegboard.domain.options import OptionRow
from pegboard.domain.quantities import ZERO, Money
from pegboard.entrypoints.api.schemas.fields import (
    Amount,
    Counted,
    Day,
    Days,
    Email,
    In,
    Name,
    Number,
    Out,
    Positive,
    Sku,
    SupplierName,
    Unit,
    none_if_blank,
)


class SupplierIn(In):
    name: SupplierName
    email: Email | None = None
    lead_time_days: Days | None = None

    def to_supplier(self) -> Supplier:
        """The supplier as the catalogue keeps it."""
        return Supplier(self.name, none_if_blank(self.email), self.lead_time_days)


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
