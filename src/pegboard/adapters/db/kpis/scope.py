"""What the KPI queries share: the scope (one SKU, one supplier or all) and day arithmetic in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Date, cast, func, literal, select, true, type_coerce

from pegboard.adapters.db import tables as t
from pegboard.domain.errors import UnknownSku, UnknownSupplier

ZERO = Decimal(0)
MICRO = 1_000_000


@dataclass(frozen=True)
class Scope:
    """Which lines and POs a figure looks at: all, one SKU's, or one supplier's items."""

    sku: str | None = None
    supplier: str | None = None
    #: Row ids of the items in scope; None for every item.
    item_ids: tuple[int, ...] | None = None
    supplier_id: int | None = None

    @property
    def everything(self) -> bool:
        """Nothing narrows the figures: the journal's totals apply as they are."""
        return self.item_ids is None and self.supplier_id is None


def scope(conn: Connection, *, sku: str | None = None, supplier: str | None = None) -> Scope:
    """The scope for a SKU and/or a supplier; an unknown one is refused, naming the field."""
    item_ids: set[int] | None = None
    supplier_id = None
    if sku is not None:
        found = conn.execute(select(t.items.c.id).where(t.items.c.sku == sku)).scalar()
        if found is None:
            raise UnknownSku(sku, field="sku")
        item_ids = {int(found)}
    if supplier is not None:
        sup = conn.execute(select(t.suppliers.c.id).where(t.suppliers.c.name == supplier)).scalar()
        if sup is None:
            raise UnknownSupplier(supplier, field="supplier")
        supplier_id = int(sup)
        theirs = set(conn.execute(select(t.items.c.id).where(t.items.c.supplier_id == supplier_id)).scalars())
        item_ids = theirs if item_ids is None else item_ids & theirs
    return Scope(sku, supplier, None if item_ids is None else tuple(sorted(item_ids)), supplier_id)


def items_in_scope(column: Any, where: Scope) -> ColumnElement[bool]:
    if where.item_ids is None:
        return true()
    if not where.item_ids:
        return literal(False)
    return column.in_(where.item_ids)  # type: ignore[no-any-return]


def day_of(conn: Connection, column: Any) -> ColumnElement[date]:
    """The calendar day of a timestamp column, as a date on both databases."""
    if conn.dialect.name == "postgresql":
        return cast(column, Date)
    return type_coerce(func.date(column), Date)


def day_after(day: date) -> date:
    return day + timedelta(days=1)
