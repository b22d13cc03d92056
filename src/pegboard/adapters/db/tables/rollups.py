"""Daily rollups the KPIs read, kept by triggers in the same transaction as each change."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table

from pegboard.adapters.db.tables.base import metadata
from pegboard.adapters.db.types import ExactDecimal

#: The ledger summed per item and day (stockout days read it); kept by triggers on `stock_moves`
#: (migration 0015), in the same transaction as each movement.
stock_days = Table(
    "stock_days",
    metadata,
    Column("item_id", ForeignKey("items.id"), primary_key=True),
    Column("moved_on", Date, primary_key=True),
    Column("quantity", ExactDecimal, nullable=False),
)


#: Per day orders were placed and item: their stock lines, and those that went on backorder that
#: day (the backorder rate at order time); kept by triggers on `order_lines` (migration 0015).
placed_days = Table(
    "placed_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("item_id", ForeignKey("items.id"), primary_key=True),
    Column("lines", Integer, nullable=False),
    Column("backordered_at_order", Integer, nullable=False),
)


#: Lines with a shipment counted by what the KPIs' shipment figures need (`kpis.shipped_lines`);
#: "none" (no dated promise; a dated promise instead of the order's day) is the date 0001-01-01.
#: Kept by triggers on `order_lines` and `line_promises` (migration 0016).
shipped_days = Table(
    "shipped_days",
    metadata,
    Column("first_shipped_on", Date, primary_key=True),
    Column("last_shipped_on", Date, primary_key=True),
    Column("whole_at_once", Boolean, primary_key=True),
    Column("complete", Boolean, primary_key=True),
    Column("promised", Boolean, primary_key=True),
    Column("first_promise", Date, primary_key=True),
    Column("ordered_on", Date, primary_key=True),
    Column("lines", Integer, nullable=False),
)


#: The journal summed per day booked and account (the KPIs' deposits held and revenue read it);
#: kept by triggers on `journal_lines` (migration 0028), in the same transaction as each entry.
journal_days = Table(
    "journal_days",
    metadata,
    Column("booked_on", Date, primary_key=True),
    Column("account", String(10), primary_key=True),
    Column("debit", ExactDecimal, nullable=False),
    Column("credit", ExactDecimal, nullable=False),
)
