"""The catalogue: suppliers, items, their BOM lines and their options."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from pegboard.adapters.db.tables.base import Id, metadata
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain import limits

suppliers = Table(
    "suppliers",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(limits.SUPPLIER_NAME), nullable=False, unique=True),
    Column("email", String(limits.EMAIL)),
    Column("lead_time_days", Integer),
)


items = Table(
    "items",
    metadata,
    Column("id", Id, primary_key=True),
    Column("sku", String(limits.SKU), nullable=False, unique=True),
    Column("name", String(limits.ITEM_NAME), nullable=False),
    Column("procurement", String(20), nullable=False),
    Column("unit", String(limits.UNIT), nullable=False, server_default="pcs"),
    Column("price", ExactDecimal),
    Column("cost", ExactDecimal),
    Column("lead_time_days", Integer),
    Column("supplier_id", ForeignKey("suppliers.id")),
    Column("safety_stock", ExactDecimal, nullable=False, server_default="0"),
    Column("reorder_point", ExactDecimal),
    Column("reorder_qty", ExactDecimal),
    Column("min_order_qty", ExactDecimal),
    Column("order_multiple", ExactDecimal),
    #: While today is before it, the item is sold as a preorder promised for this date.
    Column("release_date", Date),
    #: Labour per unit made, added to an MO's output value; a tax rate (0.19) for untaxed orders.
    Column("labour_cost", ExactDecimal),
    Column("tax_rate", ExactDecimal),
    #: The ledger's sum and the lines' allocations, kept with every change in the same
    #: transaction (`stock_totals.py`), so taking an order reads two numbers, not two sums.
    Column("on_hand", ExactDecimal, nullable=False, server_default="0"),
    Column("allocated", ExactDecimal, nullable=False, server_default="0"),
    #: What its stock lines still wait for (their backordered quantity, summed), kept the same way,
    #: so the backorders page reads one number per item instead of summing every waiting line.
    Column("waiting", ExactDecimal, nullable=False, server_default="0"),
    #: The item's own target service level for computed reorder points (None: the shop's setting).
    Column("service_level", ExactDecimal),
    # The ledger's rules, held by the database too: a bug or a hand-made UPDATE cannot break them.
    CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    CheckConstraint("allocated >= 0 AND allocated <= on_hand", name="allocated_within_on_hand"),
)


bom_lines = Table(
    "bom_lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("parent_id", ForeignKey("items.id"), nullable=False),
    Column("component_id", ForeignKey("items.id"), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    UniqueConstraint("parent_id", "component_id", name="uq_bom_lines_parent_component"),
    CheckConstraint("quantity > 0", name="positive_quantity"),
)


#: An item's options: each row is one BOM change of one value (adds `component`, replaces
#: `replaces` by it, or removes `replaces`); a value with no change is its option's default.
item_options = Table(
    "item_options",
    metadata,
    Column("id", Id, primary_key=True),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("option", String(100), nullable=False),
    Column("value", String(100), nullable=False),
    Column("component_id", ForeignKey("items.id")),
    Column("quantity", ExactDecimal),
    Column("replaces_id", ForeignKey("items.id")),
    Index("ix_item_options_item", "item_id", "row_no"),
)
