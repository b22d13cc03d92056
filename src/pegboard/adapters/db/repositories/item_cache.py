"""Items of one transaction: SKU to row id, sale terms and stock totals, read once and kept."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, Connection, String, any_, bindparam, exists, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.slices import in_slices
from pegboard.domain.errors import UnknownSku
from pegboard.domain.items import Procurement, SaleTerms

# Statements built once: building a SELECT with an IN list on every call cost more client CPU
# than executing it (see BENCHMARKS.md). Expanding parameters take the lists.
#: With each id come the item's sale terms, so intake decides each line's kind without another query.
#: And the item's stock totals, read under the lock when taking it (`stock_totals.py`).
_ITEM_COLUMNS = select(
    t.items.c.id,
    t.items.c.sku,
    t.items.c.procurement,
    t.items.c.release_date,
    t.items.c.on_hand,
    t.items.c.allocated,
    # Whether the item has options (`domain.options`): intake reads them only for those that do.
    exists().where(t.item_options.c.item_id == t.items.c.id).label("has_options"),
)
_ITEM_IDS = _ITEM_COLUMNS.where(t.items.c.sku.in_(bindparam("skus", expanding=True)))
_ITEM_IDS_LOCKED = _ITEM_IDS.order_by(t.items.c.sku).with_for_update()
#: Many SKUs at once on PostgreSQL (confirming a plan's suggestions names tens of thousands): one
#: array parameter, where IN lists of 10,000 placeholders each cost seconds to split and bind; and
#: only the ids and stock totals: the sale terms are read when asked for (`sale_terms`).
_TOTALS_ARRAY = select(t.items.c.id, t.items.c.sku, t.items.c.on_hand, t.items.c.allocated).where(
    t.items.c.sku == any_(bindparam("skus", type_=ARRAY(String)))
)
_TOTALS_ARRAY_LOCKED = _TOTALS_ARRAY.order_by(t.items.c.sku).with_for_update()
#: SKUs from which an array is bound rather than IN lists.
_MANY = 1000


class TransactionItemCache:
    """Items as this transaction read them: SKU to row id, sale terms and stock totals, read once
    per SKU (or again under a lock) and kept until the transaction ends."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.ids: dict[str, int] = {}
        self.skus: dict[int, str] = {}
        self.terms: dict[str, SaleTerms] = {}
        #: (on hand, allocated) per SKU as the last read of its row found them.
        self.stock: dict[str, tuple[Decimal, Decimal]] = {}
        #: Whether each SKU read with its terms has options.
        self.has_options: dict[str, bool] = {}

    def resolve(self, skus: Iterable[str], *, lock: bool = False) -> dict[str, int]:
        """Row ids for the SKUs; an unknown SKU is an error. `lock` takes the rows' write locks."""
        wanted = sorted(set(skus))
        missing = [s for s in wanted if s not in self.ids]
        if missing or lock:
            todo = wanted if lock else missing
            if len(todo) > _MANY and self.conn.dialect.name == "postgresql":
                query = _TOTALS_ARRAY_LOCKED if lock else _TOTALS_ARRAY
                self._remember_totals(self.conn.execute(query, {"skus": todo}))
            else:
                # Slices of sorted SKUs: the row locks are still taken in SKU order.
                query = _ITEM_IDS_LOCKED if lock else _ITEM_IDS
                for part in in_slices(todo):
                    self._remember(self.conn.execute(query, {"skus": part}))
        for sku in wanted:
            if sku not in self.ids:
                raise UnknownSku(sku, field="sku")
        return {sku: self.ids[sku] for sku in wanted}

    def id(self, sku: str) -> int:
        return self.resolve([sku])[sku]

    def know(self, sku_of: Mapping[int, str]) -> None:
        """Remember these ids, read elsewhere in this transaction (a whole plan's snapshot reads
        every item's): what needs their terms or totals still reads them."""
        self.skus.update(sku_of)
        self.ids.update(zip(sku_of.values(), sku_of.keys(), strict=True))

    def sale_terms(self, skus: Iterable[str]) -> dict[str, SaleTerms]:
        """Each SKU's sale terms, from the cache when the ids were read with them."""
        wanted = set(skus)
        unread = sorted(wanted - self.terms.keys())
        if unread:
            for part in in_slices(unread):
                self._remember(self.conn.execute(_ITEM_IDS, {"skus": part}))
            for sku in unread:
                if sku not in self.terms:
                    raise UnknownSku(sku, field="sku")
        return {sku: self.terms[sku] for sku in wanted}

    def _remember_totals(self, rows: Iterable[Any]) -> None:
        """Remember the rows' ids and stock totals (not their sale terms)."""
        for row in rows:
            self.ids[row.sku] = row.id
            self.skus[row.id] = row.sku
            self.stock[row.sku] = (row.on_hand, row.allocated)

    def _remember(self, rows: Iterable[Any]) -> None:
        for row in rows:
            self.ids[row.sku] = row.id
            self.skus[row.id] = row.sku
            self.terms[row.sku] = SaleTerms(Procurement(row.procurement), row.release_date)
            self.stock[row.sku] = (row.on_hand, row.allocated)
            self.has_options[row.sku] = bool(row.has_options)
