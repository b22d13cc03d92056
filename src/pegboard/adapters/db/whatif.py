"""What a what-if scenario reads beyond the plan's snapshot: a supplier's POs, the last price paid."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Connection, select

from pegboard.adapters.db import tables as t


class SqlScenarioFacts:
    """Reads only; a what-if writes nothing."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def supplier_po_refs(self, supplier: str) -> set[str]:
        """The refs of every PO placed with this supplier (open or not: a closed one has nothing to slip)."""
        po, sup = t.purchase_orders, t.suppliers
        query = select(po.c.po_ref).join(sup, sup.c.id == po.c.supplier_id).where(sup.c.name == supplier)
        return set(self.conn.scalars(query))

    def supplier_skus(self, supplier: str) -> set[str]:
        """The SKUs it supplies: those of items naming it, and those on its POs."""
        po, pol, sup, it = t.purchase_orders, t.purchase_order_lines, t.suppliers, t.items
        named = select(it.c.sku).join(sup, sup.c.id == it.c.supplier_id).where(sup.c.name == supplier)
        ordered = (
            select(it.c.sku)
            .join(pol, pol.c.item_id == it.c.id)
            .join(po, po.c.id == pol.c.po_id)
            .join(sup, sup.c.id == po.c.supplier_id)
            .where(sup.c.name == supplier)
        )
        return set(self.conn.scalars(named.union(ordered)))

    def last_po_costs(self, skus: Iterable[str]) -> dict[str, Decimal]:
        """Each SKU's unit cost on its latest PO line that states one."""
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        pol, it = t.purchase_order_lines, t.items
        query = (
            select(it.c.sku, pol.c.unit_cost)
            .join(it, it.c.id == pol.c.item_id)
            .where(it.c.sku.in_(wanted), pol.c.unit_cost.is_not(None))
            .order_by(pol.c.id)
        )
        return {row.sku: row.unit_cost for row in self.conn.execute(query)}
