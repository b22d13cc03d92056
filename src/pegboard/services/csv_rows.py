"""The rows of each CSV kind as pydantic models: one field per column, read by its parser.

A model's fields are its columns, in the order they are checked: a row is refused at its first
bad cell, with the `InvalidValue` of that cell's parser (`services.parsing`), which names the
row, the column and the value. An optional column left out of the file reads as empty. A new
column is one more field (and its use where the model becomes a domain object).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, GetCoreSchemaHandler, ValidationInfo
from pydantic_core import CoreSchema, core_schema

from pegboard.domain import limits
from pegboard.domain.books import OrderCharges
from pegboard.domain.errors import InvalidValue
from pegboard.domain.items import BomLine, Item, Procurement, Supplier
from pegboard.domain.options import OptionRow, parse_choices
from pegboard.domain.quantities import ZERO, Money, Quantity
from pegboard.domain.sales import ShipPolicy
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine
from pegboard.services import parsing
from pegboard.services.csv_reading import Row
from pegboard.services.orders import LineDraft, OrderDraft

M = TypeVar("M", bound="CsvRow")


@dataclass(frozen=True)
class column:  # lower case: it reads as a call in an annotation, like pydantic's Field
    """A cell read by `parse(column, text, **options)`, the column being the field's name."""

    parse: Callable[..., Any]
    options: dict[str, Any]

    def __init__(self, parse: Callable[..., Any], **options: Any) -> None:
        object.__setattr__(self, "parse", parse)
        object.__setattr__(self, "options", options)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # The parser itself is the validator (no wrapper to call per cell); its InvalidValue is
        # not a ValueError, so it passes through pydantic as it is.
        return core_schema.no_info_plain_validator_function(
            partial(self.parse, handler.field_name, **self.options)
        )


def text(max_length: int, *, multiline: bool = False) -> column:
    """A required text cell of at most `max_length` characters."""
    return column(parsing.text, max_length=max_length, multiline=multiline)


def optional_text(max_length: int, *, multiline: bool = False) -> column:
    """A text cell that may be left empty (None)."""
    return column(parsing.optional_text, max_length=max_length, multiline=multiline)


class CsvRow(BaseModel):
    """One data row of a CSV kind, its cells parsed in the order of the fields."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    columns: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.columns = tuple(cls.model_fields)

    @classmethod
    def read(cls: type[M], row: Row) -> M:
        """The row's cells parsed; `InvalidValue` (naming row, column and value) at the first bad one."""
        try:
            return cls.model_validate({name: row[name] for name in cls.columns})
        except InvalidValue as error:
            raise InvalidValue(error.field, error.value, error.reason, row=row.number) from None


class SupplierRow(CsvRow):
    name: Annotated[str, text(limits.SUPPLIER_NAME)]
    email: Annotated[str | None, column(parsing.email)]
    lead_time_days: Annotated[int | None, column(parsing.whole_number)]

    def supplier(self) -> Supplier:
        return Supplier(name=self.name, email=self.email, lead_time_days=self.lead_time_days)


class ItemRow(CsvRow):
    sku: Annotated[str, text(limits.SKU)]
    name: Annotated[str, text(limits.ITEM_NAME)]
    procurement: Annotated[Procurement, column(parsing.choice, kind=Procurement)]
    unit: Annotated[str | None, optional_text(limits.UNIT)]
    price: Annotated[Money | None, column(parsing.money)]
    cost: Annotated[Money | None, column(parsing.money)]
    lead_time_days: Annotated[int | None, column(parsing.whole_number)]
    supplier: Annotated[str | None, optional_text(limits.SUPPLIER_NAME)]
    safety_stock: Annotated[Quantity | None, column(parsing.optional_quantity)]
    reorder_point: Annotated[Quantity | None, column(parsing.optional_quantity)]
    reorder_qty: Annotated[Quantity | None, column(parsing.optional_quantity, allow_zero=False)]
    min_order_qty: Annotated[Quantity | None, column(parsing.optional_quantity, allow_zero=False)]
    order_multiple: Annotated[Quantity | None, column(parsing.optional_quantity, allow_zero=False)]
    release_date: Annotated[date | None, column(parsing.a_date)]
    labour_cost: Annotated[Money | None, column(parsing.money)]
    tax_rate: Annotated[Money | None, column(parsing.tax_rate)]

    def item(self) -> Item:
        return Item(
            sku=self.sku,
            name=self.name,
            procurement=self.procurement,
            unit=self.unit or "pcs",
            price=self.price,
            cost=self.cost,
            lead_time_days=self.lead_time_days,
            supplier=self.supplier,
            safety_stock=self.safety_stock or ZERO,
            reorder_point=self.reorder_point,
            reorder_qty=self.reorder_qty,
            min_order_qty=self.min_order_qty,
            order_multiple=self.order_multiple,
            release_date=self.release_date,
            labour_cost=self.labour_cost,
            tax_rate=self.tax_rate,
        )


def _not_its_own_parent(component: str, info: ValidationInfo) -> str:
    if component == info.data.get("parent_sku"):
        raise InvalidValue("component_sku", component, "is its own parent")
    return component


class BomRow(CsvRow):
    parent_sku: Annotated[str, text(limits.SKU)]
    component_sku: Annotated[str, text(limits.SKU), AfterValidator(_not_its_own_parent)]
    quantity: Annotated[Quantity, column(parsing.quantity)]

    def bom_line(self) -> BomLine:
        return BomLine(self.component_sku, self.quantity)


def _option_name(value: str, info: ValidationInfo) -> str:
    if any(mark in value for mark in "=;"):
        raise InvalidValue(info.field_name or "option", value, "must not contain '=' or ';'")
    return value


class OptionsRow(CsvRow):
    """One BOM change of one value of an option: adds `component_sku` (in place of
    `replaces_sku` when given), removes `replaces_sku` (no component), or, with neither,
    marks the value as the option's default (it changes nothing)."""

    parent_sku: Annotated[str, text(limits.SKU)]
    option: Annotated[str, text(100), AfterValidator(_option_name)]
    value: Annotated[str, text(100), AfterValidator(_option_name)]
    component_sku: Annotated[str | None, optional_text(limits.SKU)]
    quantity: Annotated[Quantity | None, column(parsing.optional_quantity, allow_zero=False)]
    replaces_sku: Annotated[str | None, optional_text(limits.SKU)]

    def option_row(self) -> OptionRow:
        if self.component_sku is None and self.quantity is not None:
            raise InvalidValue("quantity", self.quantity, "a row without component_sku takes no quantity")
        if self.component_sku is not None and self.quantity is None and self.replaces_sku is None:
            raise InvalidValue("quantity", "", f"enter how much {self.component_sku} one unit takes")
        for name in ("component_sku", "replaces_sku"):
            if getattr(self, name) == self.parent_sku:
                raise InvalidValue(name, self.parent_sku, "is the parent itself")
        return OptionRow(self.option, self.value, self.component_sku, self.quantity, self.replaces_sku)


def _choices(_column: str, text: str | None) -> dict[str, str]:
    return parse_choices(text or "", field="options")


class StockRow(CsvRow):
    sku: Annotated[str, text(limits.SKU)]
    quantity: Annotated[Quantity, column(parsing.quantity, allow_zero=True)]


class OrderRow(CsvRow):
    """Order fields first, then the line's: the order in which an order row's cells are checked."""

    order_ref: Annotated[str, text(limits.ORDER_REF)]
    customer: Annotated[str | None, optional_text(limits.CUSTOMER)]
    email: Annotated[str | None, column(parsing.email)]
    ordered_at: Annotated[datetime | None, column(parsing.a_datetime)]
    priority: Annotated[int | None, column(parsing.whole_number, minimum=-1000, maximum=1000)]
    ship_policy: Annotated[ShipPolicy, column(parsing.choice, kind=ShipPolicy, default=ShipPolicy.PARTIAL)]
    ship_to: Annotated[str | None, optional_text(limits.SHIP_TO, multiline=True)]
    requested_date: Annotated[date | None, column(parsing.a_date)]
    sku: Annotated[str, text(limits.SKU)]
    quantity: Annotated[Quantity, column(parsing.quantity)]
    unit_price: Annotated[Money | None, column(parsing.money)]
    tax: Annotated[Money | None, column(parsing.money)]
    discount: Annotated[Money | None, column(parsing.money)]
    shipping: Annotated[Money | None, column(parsing.money)]
    shipping_tax: Annotated[Money | None, column(parsing.money)]
    #: The line's choices, `COLOUR=green;HILT=engraved` (checked against the item when placed).
    options: Annotated[dict[str, str], column(_choices)]

    def charges(self) -> OrderCharges:
        """The row's tax and discount (for its line) and the order's shipping (on any one of its rows)."""
        return OrderCharges(
            {1: self.tax} if self.tax else {},
            {1: self.discount} if self.discount else {},
            self.shipping or ZERO,
            self.shipping_tax or ZERO,
        )

    def draft(self) -> OrderDraft:
        return OrderDraft(
            order_ref=self.order_ref,
            customer=self.customer or "",
            email=self.email,
            ordered_at=self.ordered_at,
            priority=self.priority or 0,
            ship_policy=self.ship_policy,
            ship_to=self.ship_to,
            requested_date=self.requested_date,
            lines=(
                LineDraft(
                    sku=self.sku, quantity=self.quantity, unit_price=self.unit_price, options=self.options
                ),
            ),
            charges=self.charges(),
        )


class PurchaseOrderRow(CsvRow):
    po_ref: Annotated[str, text(limits.PO_REF)]
    supplier: Annotated[str, text(limits.SUPPLIER_NAME)]
    sku: Annotated[str, text(limits.SKU)]
    quantity: Annotated[Quantity, column(parsing.quantity)]
    expected_date: Annotated[date | None, column(parsing.a_date)]
    unit_cost: Annotated[Money | None, column(parsing.money)]

    def purchase_order(self) -> PurchaseOrder:
        line = PurchaseOrderLine(
            sku=self.sku, quantity=self.quantity, expected_date=self.expected_date, unit_cost=self.unit_cost
        )
        return PurchaseOrder(po_ref=self.po_ref, supplier=self.supplier, lines=[line])


def bom_line(row: Row) -> tuple[str, BomLine, Row]:
    """A BOM row as (parent, line, row)."""
    read = BomRow.read(row)
    return read.parent_sku, read.bom_line(), row
