"""The stock ledger: append-only movements; the stock kept for one configuration of an item; and the
components reserved for confirmed MOs."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, String, Table, UniqueConstraint

from pegboard.adapters.db.tables.base import Id, metadata
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain import limits
from pegboard.domain.options import MAX_CONFIGURATION

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

#: Units of an item on hand that are of one configuration (`domain.options`) and that no line
#: holds: a configured MO made more than its lines took, or a configured line let its stock go.
#: Only a line of the same configuration may take them; they count in `items.allocated`, so
#: nothing else does. A row with nothing left is deleted.
configured_stock = Table(
    "configured_stock",
    metadata,
    Column("id", Id, primary_key=True),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("options", String(MAX_CONFIGURATION), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    UniqueConstraint("item_id", "options"),
)


#: Components on hand reserved for one confirmed MO (`services.reserving`): taken from available
#: stock when the MO is opened or when they arrive while it waits, consumed when it completes.
#: They count in `items.allocated`, so no order line, hold or other MO takes them. A row with
#: nothing left is deleted.
mo_reservations = Table(
    "mo_reservations",
    metadata,
    Column("id", Id, primary_key=True),
    Column("mo_id", ForeignKey("manufacturing_orders.id"), nullable=False),
    Column("item_id", ForeignKey("items.id"), nullable=False, index=True),
    Column("quantity", ExactDecimal, nullable=False),
    UniqueConstraint("mo_id", "item_id"),
)
