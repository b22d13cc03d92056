"""The books: journal entries and their lines, and the stock value ledger."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table

from pegboard.adapters.db.tables.base import Id, metadata
from pegboard.adapters.db.types import ExactDecimal

#: The books' journal: one row per entry, numbered in the order booked; its lines below.
#: Append-only like the stock ledger: triggers made by migration 0008 refuse UPDATE and DELETE.
journal_entries = Table(
    "journal_entries",
    metadata,
    Column("id", Id, primary_key=True),
    Column("entry_no", Integer, nullable=False, unique=True),
    Column("booked_on", Date, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("order_ref", String(100)),
    Column("reference", String(120), nullable=False, server_default=""),
    Column("memo", String(500), nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
)


#: One side of an entry: a positive debit or a positive credit to one account (by code).
journal_lines = Table(
    "journal_lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("entry_id", ForeignKey("journal_entries.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("account", String(10), nullable=False),
    Column("debit", ExactDecimal, nullable=False, server_default="0"),
    Column("credit", ExactDecimal, nullable=False, server_default="0"),
    #: The entry's order, kept on the line too: an order's deposit is one indexed sum.
    Column("order_ref", String(100)),
    CheckConstraint(
        "debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0) AND debit + credit > 0",
        name="one_sided",
    ),
    Index("ix_journal_lines_order_account", "order_ref", "account"),
)


#: The stock value ledger: per stock movement the value it added (positive) or took (negative).
stock_values = Table(
    "stock_values",
    metadata,
    Column("id", Id, primary_key=True),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("moved_on", Date, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("reference", String(100), nullable=False, server_default=""),
    Column("quantity", ExactDecimal, nullable=False),
    Column("value", ExactDecimal, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_stock_values_item_id", "item_id", "id"),
)
