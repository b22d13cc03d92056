"""The stock ledger: append-only movements."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, String, Table

from pegboard.adapters.db.tables.base import Id, metadata
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain import limits

stock_moves = Table(
    "stock_moves",
    metadata,
    Column("id", Id, primary_key=True),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("location", String(50), nullable=False, server_default="MAIN"),
    Column("quantity", ExactDecimal, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("reference", String(100), nullable=False, server_default=""),
    Column("reason", String(limits.REASON), nullable=False, server_default=""),
    Column("moved_on", Date, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_stock_moves_item_quantity", "item_id", "quantity"),
    # Append-only (DESIGN.md): triggers made by migration 0005 refuse every UPDATE and DELETE of a row.
)
