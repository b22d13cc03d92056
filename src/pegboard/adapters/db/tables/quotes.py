"""Stock a quote holds for a checkout, and its lines."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, String, Table

from pegboard.adapters.db.tables.base import Id, metadata
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain import limits

#: Stock a quote reserved for a checkout (`pegboard quote --hold MINUTES`): counted in
#: `items.allocated` while `status` is held; it ends expired, released or converted (to `order_ref`).
quote_holds = Table(
    "quote_holds",
    metadata,
    Column("id", Id, primary_key=True),
    Column("quote_id", String(40), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("order_ref", String(limits.ORDER_REF)),
    Index("ix_quote_holds_status_expires_at", "status", "expires_at"),
)


quote_hold_lines = Table(
    "quote_hold_lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("hold_id", Id, ForeignKey("quote_holds.id"), nullable=False),
    Column("item_id", Id, ForeignKey("items.id"), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    CheckConstraint("quantity > 0", name="positive_quantity"),
    Index("ix_quote_hold_lines_hold_id", "hold_id"),
)
