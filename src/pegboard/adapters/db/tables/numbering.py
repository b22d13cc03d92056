"""Counters that number documents and journal entries."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, String, Table

from pegboard.adapters.db.tables.base import metadata

ref_counters = Table(
    "ref_counters",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
