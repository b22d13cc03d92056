"""The planning snapshot read in a few bulk queries, and the promises stored after a plan."""

from __future__ import annotations

from sqlalchemy import Connection

from pegboard.adapters.db.planning.demand import ACTIVE, DemandQueries
from pegboard.adapters.db.planning.promises import PromiseStore
from pegboard.adapters.db.planning.snapshot import PlanSnapshots, configurations_of
from pegboard.adapters.db.repositories.item_cache import TransactionItemCache
from pegboard.adapters.db.stock_totals import StockTotals

__all__ = ["ACTIVE", "DemandQueries", "PlanSnapshots", "PromiseStore", "SqlPlanning", "configurations_of"]


class SqlPlanning(PlanSnapshots, PromiseStore):
    """Reads what planning needs and keeps the promises it gives."""

    def __init__(
        self,
        conn: Connection,
        totals: StockTotals,
        item_cache: TransactionItemCache,
        *,
        confidence: float | None = None,
    ) -> None:
        self.conn, self.totals, self.item_cache = conn, totals, item_cache
        #: Promises are dated at this share of suppliers' deliveries (None: stated dates).
        self.confidence = confidence
