"""Supply orders: purchase orders and their lines, manufacturing orders, expected date changes."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text

from pegboard.adapters.db.tables.base import Id, metadata
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain import limits

purchase_orders = Table(
    "purchase_orders",
    metadata,
    Column("id", Id, primary_key=True),
    Column("po_ref", String(limits.PO_REF), nullable=False, unique=True),
    Column("supplier_id", ForeignKey("suppliers.id"), nullable=False),
    Column("status", String(30), nullable=False),
    Column("created_at", DateTime, nullable=False),
    #: A drop-ship PO: the supplier ships straight to this address, for this sales order.
    Column("ship_to", Text),
    Column("order_id", ForeignKey("sales_orders.id")),
)


purchase_order_lines = Table(
    "purchase_order_lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("po_id", ForeignKey("purchase_orders.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    Column("received", ExactDecimal, nullable=False, server_default="0"),
    Column("unit_cost", ExactDecimal),
    Column("expected_date", Date),
    #: The customer's order line a drop-ship PO line serves.
    Column("order_line_id", ForeignKey("order_lines.id")),
    CheckConstraint("received >= 0 AND received <= quantity", name="received_in_range"),
)


manufacturing_orders = Table(
    "manufacturing_orders",
    metadata,
    Column("id", Id, primary_key=True),
    Column("mo_ref", String(limits.MO_REF), nullable=False, unique=True),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    Column("completed", ExactDecimal, nullable=False, server_default="0"),
    Column("start_date", Date, nullable=False),
    Column("finish_date", Date, nullable=False),
    Column("status", String(30), nullable=False),
    Column("created_at", DateTime, nullable=False),
    #: The configuration this MO makes (`COLOUR=green;HILT=engraved`; "" = the plain item).
    Column("options", String(500), nullable=False, server_default=""),
    #: The day all its components were last reserved for it (`services.reserving`); None while it
    #: waits for some. It cannot start before that day.
    Column("materials_on", Date),
    CheckConstraint("completed >= 0 AND completed <= quantity", name="completed_in_range"),
)


expected_date_changes = Table(
    "expected_date_changes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("supply_ref", String(limits.SUPPLY_REF), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("old_date", Date),
    Column("new_date", Date, nullable=False),
    Column("changed_on", Date, nullable=False),
    Column("created_at", DateTime, nullable=False),
)
