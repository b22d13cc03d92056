"""The catalogue's repository: suppliers, items and bills of materials."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, true, update

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.repositories.item_cache import TransactionItemCache
from pegboard.adapters.db.repositories.values import money_or_none, quantity_or_none
from pegboard.adapters.db.slices import among, in_slices
from pegboard.domain.errors import UnknownSupplier
from pegboard.domain.items import BillsOfMaterials, BomLine, Item, Procurement, SaleTerms, Supplier
from pegboard.domain.options import ItemOptions, OptionRow
from pegboard.domain.quantities import Quantity


class SqlCatalogue:
    """Suppliers, items and BOMs."""

    def __init__(self, conn: Connection, item_cache: TransactionItemCache) -> None:
        self.conn, self.item_cache = conn, item_cache

    def supplier(self, name: str) -> Supplier | None:
        row = self.conn.execute(select(t.suppliers).where(t.suppliers.c.name == name)).first()
        return None if row is None else Supplier(row.name, row.email, row.lead_time_days)

    def suppliers(self) -> list[Supplier]:
        rows = self.conn.execute(select(t.suppliers).order_by(t.suppliers.c.name))
        return [Supplier(r.name, r.email, r.lead_time_days) for r in rows]

    def save_supplier(self, supplier: Supplier) -> None:
        values = {"email": supplier.email, "lead_time_days": supplier.lead_time_days}
        done = self.conn.execute(
            update(t.suppliers).where(t.suppliers.c.name == supplier.name).values(**values)
        )
        if done.rowcount == 0:
            self.conn.execute(insert(t.suppliers).values(name=supplier.name, **values))

    def supplier_id(self, name: str) -> int:
        found = self.conn.execute(select(t.suppliers.c.id).where(t.suppliers.c.name == name)).scalar()
        if found is None:
            raise UnknownSupplier(name, field="supplier")
        return int(found)

    def item(self, sku: str) -> Item | None:
        return self.items([sku]).get(sku)

    def items(self, skus: Iterable[str] | None = None) -> dict[str, Item]:
        query = select(t.items, t.suppliers.c.name.label("supplier_name")).outerjoin(
            t.suppliers, t.items.c.supplier_id == t.suppliers.c.id
        )
        if skus is None:
            rows: list[Any] = list(self.conn.execute(query.order_by(t.items.c.sku)))
        else:
            rows = []
            for part in in_slices(sorted(set(skus))):
                rows += self.conn.execute(query.where(t.items.c.sku.in_(part)).order_by(t.items.c.sku)).all()
        found: dict[str, Item] = {}
        for r in rows:
            self.item_cache.ids[r.sku] = r.id
            found[r.sku] = Item(
                sku=r.sku,
                name=r.name,
                procurement=Procurement(r.procurement),
                unit=r.unit,
                price=money_or_none(r.price),
                cost=money_or_none(r.cost),
                lead_time_days=r.lead_time_days,
                supplier=r.supplier_name,
                safety_stock=Quantity(r.safety_stock),
                reorder_point=quantity_or_none(r.reorder_point),
                reorder_qty=quantity_or_none(r.reorder_qty),
                min_order_qty=quantity_or_none(r.min_order_qty),
                order_multiple=quantity_or_none(r.order_multiple),
                release_date=r.release_date,
                labour_cost=money_or_none(r.labour_cost),
                tax_rate=r.tax_rate,
            )
            self.item_cache.terms[r.sku] = found[r.sku].terms
        return found

    def sale_terms(self, skus: Iterable[str]) -> dict[str, SaleTerms]:
        """How each SKU is sold; read with the item ids when intake locked them (no extra query)."""
        return self.item_cache.sale_terms(skus)

    def save_item(self, item: Item) -> None:
        values: dict[str, Any] = {
            "name": item.name,
            "procurement": item.procurement.value,
            "unit": item.unit,
            "price": item.price,
            "cost": item.cost,
            "lead_time_days": item.lead_time_days,
            "supplier_id": self.supplier_id(item.supplier) if item.supplier else None,
            "safety_stock": item.safety_stock,
            "reorder_point": item.reorder_point,
            "reorder_qty": item.reorder_qty,
            "min_order_qty": item.min_order_qty,
            "order_multiple": item.order_multiple,
            "release_date": item.release_date,
            "labour_cost": item.labour_cost,
            "tax_rate": item.tax_rate,
        }
        self.item_cache.terms.pop(item.sku, None)
        done = self.conn.execute(update(t.items).where(t.items.c.sku == item.sku).values(**values))
        if done.rowcount == 0:
            self.conn.execute(insert(t.items).values(sku=item.sku, **values))

    def boms(self, parents: Iterable[str] | None = None) -> BillsOfMaterials:
        """Every BOM, or only the BOMs of these parent SKUs (one level)."""
        parent, component = t.items.alias("parent"), t.items.alias("component")
        query = (
            select(
                parent.c.sku.label("parent"),
                component.c.sku.label("component"),
                t.bom_lines.c.quantity,
            )
            .join(parent, parent.c.id == t.bom_lines.c.parent_id)
            .join(component, component.c.id == t.bom_lines.c.component_id)
            .order_by(parent.c.sku, component.c.sku)
        )
        lines: dict[str, list[BomLine]] = {}
        conditions = [true()] if parents is None else among(self.conn, parent.c.sku, sorted(set(parents)))
        for condition in conditions:
            for r in self.conn.execute(query.where(condition)):
                lines.setdefault(r.parent, []).append(BomLine(r.component, Quantity(r.quantity)))
        return BillsOfMaterials(lines)

    def replace_bom(self, parent_sku: str, lines: Sequence[BomLine]) -> None:
        ids = self.item_cache.resolve([parent_sku, *(line.component_sku for line in lines)])
        self.conn.execute(t.bom_lines.delete().where(t.bom_lines.c.parent_id == ids[parent_sku]))
        if lines:
            self.conn.execute(
                insert(t.bom_lines),
                [
                    {
                        "parent_id": ids[parent_sku],
                        "component_id": ids[line.component_sku],
                        "quantity": line.quantity_per,
                    }
                    for line in lines
                ],
            )

    def options(self, skus: Iterable[str] | None = None) -> dict[str, ItemOptions]:
        """The options of these items (of every item that has some, when None), rows in file order.

        Items this transaction has read (intake locks them first) are asked for only when they
        have options: an order of plain items costs no query."""
        if skus is None:
            return read_options(self.conn, None)
        known = self.item_cache.has_options
        wanted = [sku for sku in set(skus) if known.get(sku, True)]
        return read_options(self.conn, wanted) if wanted else {}

    def replace_options(self, parent_sku: str, rows: Sequence[OptionRow]) -> None:
        """The item's options become these rows (none: the item has no options any more)."""
        named = [parent_sku]
        named += [r.component_sku for r in rows if r.component_sku]
        named += [r.replaces_sku for r in rows if r.replaces_sku]
        ids = self.item_cache.resolve(named)
        self.item_cache.has_options[parent_sku] = bool(rows)
        self.conn.execute(t.item_options.delete().where(t.item_options.c.item_id == ids[parent_sku]))
        if rows:
            self.conn.execute(
                insert(t.item_options),
                [
                    {
                        "item_id": ids[parent_sku],
                        "row_no": number,
                        "option": r.option,
                        "value": r.value,
                        "component_id": ids[r.component_sku] if r.component_sku else None,
                        "quantity": r.quantity,
                        "replaces_id": ids[r.replaces_sku] if r.replaces_sku else None,
                    }
                    for number, r in enumerate(rows, start=1)
                ],
            )


def _options_queries() -> tuple[Any, Any]:
    """Every item's options, and those of the items named by the expanding parameter `skus`."""
    parent, component, replaced = (t.items.alias(name) for name in ("parent", "component", "replaced"))
    io = t.item_options.c
    every = (
        select(parent.c.sku, io.option, io.value, component.c.sku, io.quantity, replaced.c.sku)
        .join(parent, parent.c.id == io.item_id)
        .outerjoin(component, component.c.id == io.component_id)
        .outerjoin(replaced, replaced.c.id == io.replaces_id)
        .order_by(parent.c.sku, io.row_no)
    )
    return every, every.where(parent.c.sku.in_(bindparam("skus", expanding=True)))


#: Built once, so SQLAlchemy compiles them once: order intake reads options for every order.
_OPTIONS, _OPTIONS_OF = _options_queries()


def read_options(conn: Connection, skus: Iterable[str] | None = None) -> dict[str, ItemOptions]:
    """The options of these items (of every item that has some, when None), rows in file order."""
    if skus is None:
        found_rows = conn.execute(_OPTIONS)
    else:
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        found_rows = conn.execute(_OPTIONS_OF, {"skus": wanted})
    rows: dict[str, list[OptionRow]] = {}
    for sku, option, value, component_sku, quantity, replaces_sku in found_rows:
        rows.setdefault(sku, []).append(
            OptionRow(option, value, component_sku, quantity_or_none(quantity), replaces_sku)
        )
    return {sku: ItemOptions(sku, tuple(found)) for sku, found in rows.items()}
