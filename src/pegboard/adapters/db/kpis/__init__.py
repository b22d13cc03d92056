"""The facts the KPIs are worked out from, gathered in SQL as small grouped counts.

Every query groups in the database (by day, or by a few dates per line) so that a year of
history and a hundred thousand orders come back as a few thousand rows; the arithmetic on them
(percentiles, rates, means) is `domain/kpis.py`'s. One module per kind of fact: backorders and
stockouts (`backorders`), shipments and deliveries (`shipments`), the journal (`journal`); the
scope (a SKU or a supplier) and the helpers they share are in `scope`.
"""

from __future__ import annotations

from pegboard.adapters.db.kpis.backorders import (
    BackorderHistory,
    OpenDay,
    backorder_history,
    open_backorders_by_day,
    placed_by_day,
    stockout_days,
)
from pegboard.adapters.db.kpis.journal import JournalFigures, MoneyDay, journal_figures, journal_money
from pegboard.adapters.db.kpis.scope import MICRO, ZERO, Scope, scope
from pegboard.adapters.db.kpis.shipments import ShippedGroup, deliveries, orders_completed, shipped_lines

__all__ = [
    "MICRO",
    "ZERO",
    "BackorderHistory",
    "OpenDay",
    "Scope",
    "ShippedGroup",
    "backorder_history",
    "deliveries",
    "JournalFigures",
    "MoneyDay",
    "journal_figures",
    "journal_money",
    "open_backorders_by_day",
    "orders_completed",
    "placed_by_day",
    "scope",
    "shipped_lines",
    "stockout_days",
]
