"""Keeping the catalogue: suppliers, items and their bills of materials."""

from __future__ import annotations

from collections.abc import Sequence

from pegboard.domain.errors import InvalidValue, UnknownSku, UnknownSupplier
from pegboard.domain.items import BomLine, Item, Procurement, Supplier
from pegboard.services.ports import UnitOfWork


def save_suppliers(suppliers: Sequence[Supplier], *, uow: UnitOfWork) -> int:
    """Create or update suppliers by name."""
    with uow:
        for supplier in suppliers:
            uow.catalogue.save_supplier(supplier)
        uow.commit()
    return len(suppliers)


def save_items(items: Sequence[Item], *, uow: UnitOfWork, rows: Sequence[int] | None = None) -> int:
    """Create or update items by SKU; a named supplier must exist."""
    with uow:
        known = {s.name for s in uow.catalogue.suppliers()}
        for index, item in enumerate(items):
            row = rows[index] if rows else None
            if item.supplier and item.supplier not in known:
                raise UnknownSupplier(item.supplier, field="supplier", row=row)
            if item.procurement is Procurement.DROPSHIP and not item.supplier:
                raise InvalidValue("supplier", "", "a dropship item needs a supplier", row=row)
            uow.catalogue.save_item(item)
        uow.commit()
    return len(items)


def save_boms(boms: dict[str, list[BomLine]], *, uow: UnitOfWork) -> int:
    """Replace each parent's BOM; the parent must be a make item and no cycle may form."""
    with uow:
        graph = uow.catalogue.boms()
        items = uow.catalogue.items({*boms, *(line.component_sku for ls in boms.values() for line in ls)})
        for parent, lines in boms.items():
            if parent not in items:
                raise UnknownSku(parent, field="parent_sku")
            if items[parent].procurement is not Procurement.MAKE:
                raise InvalidValue(
                    "parent_sku", parent, f"is a {items[parent].procurement} item; only make items have a BOM"
                )
            skus = [line.component_sku for line in lines]
            duplicated = {s for s in skus if skus.count(s) > 1}
            if duplicated:
                raise InvalidValue(
                    "component_sku", sorted(duplicated)[0], f"appears twice in the BOM of {parent}"
                )
        graph.with_boms(boms)  # one cycle check over the whole import: refuses and names a cycle
        for parent, lines in boms.items():
            uow.catalogue.replace_bom(parent, lines)
        uow.commit()
    return sum(len(lines) for lines in boms.values())
