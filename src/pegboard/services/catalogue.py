"""Keeping the catalogue: suppliers, items and their bills of materials."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pegboard.domain.errors import InvalidValue, UnknownSku, UnknownSupplier
from pegboard.domain.items import BomLine, Item, Procurement, Supplier
from pegboard.domain.options import OptionRow, check_rows
from pegboard.services.ports import UnitOfWork


@dataclass
class Changes:
    """What a save did: rows created, rows updated, rows left as they were, and each field's changes."""

    noun: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    fields: Counter[str] = field(default_factory=Counter)

    @property
    def written(self) -> int:
        return self.created + self.updated

    def count(self, before: Any | None, after: Any, names: Sequence[str]) -> bool:
        """Count one row's change; whether it needs writing."""
        if before is None:
            self.created += 1
            return True
        changed = [name for name in names if getattr(before, name) != getattr(after, name)]
        self.fields.update(changed)
        self.updated += bool(changed)
        self.unchanged += not changed
        return bool(changed)

    def __str__(self) -> str:
        parts = [f"{self._many(self.created)} created"] if self.created else []
        if self.updated:
            each = [f"{name} changed for {n}" for name, n in self.fields.most_common()]
            each[1:] = [part.replace(" changed", "") for part in each[1:]]
            parts.append(f"{self._many(self.updated)} updated: {', '.join(each)}")
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        return "; ".join(parts) or f"no {self.noun}s"

    def _many(self, n: int) -> str:
        return f"{n} {self.noun}{'' if n == 1 else 's'}"


def _kept(before: Any | None, given: Any, columns: Collection[str] | None) -> Any:
    """The given row, except that columns it does not name keep their stored value."""
    if before is None or columns is None:
        return given
    return replace(before, **{name: getattr(given, name) for name in columns})


def save_suppliers(
    suppliers: Sequence[Supplier], *, uow: UnitOfWork, columns: Collection[str] | None = None
) -> Changes:
    """Create or update suppliers by name; on an update only `columns` change (all when None)."""
    changes = Changes("supplier")
    with uow:
        stored = {s.name: s for s in uow.catalogue.suppliers()}
        saved: dict[str, Supplier] = {}
        for given in suppliers:
            saved[given.name] = _kept(saved.get(given.name) or stored.get(given.name), given, columns)
        for name, supplier in saved.items():
            if changes.count(stored.get(name), supplier, ("email", "lead_time_days")):
                uow.catalogue.save_supplier(supplier)
        uow.commit()
    return changes


_ITEM_FIELDS = tuple(f for f in Item.__dataclass_fields__ if f != "sku")


def save_items(
    items: Sequence[Item],
    *,
    uow: UnitOfWork,
    rows: Sequence[int] | None = None,
    columns: Collection[str] | None = None,
) -> Changes:
    """Create or update items by SKU; a named supplier must exist; on an update only `columns` change."""
    changes = Changes("item")
    with uow:
        known = {s.name for s in uow.catalogue.suppliers()}
        stored = uow.catalogue.items({item.sku for item in items})
        saved: dict[str, Item] = {}
        for index, given in enumerate(items):
            row = rows[index] if rows else None
            item = _kept(saved.get(given.sku) or stored.get(given.sku), given, columns)
            if item.supplier and item.supplier not in known:
                raise UnknownSupplier(item.supplier, field="supplier", row=row)
            if item.procurement is Procurement.DROPSHIP and not item.supplier:
                raise InvalidValue("supplier", "", "a dropship item needs a supplier", row=row)
            saved[item.sku] = item
        for sku, item in saved.items():
            if changes.count(stored.get(sku), item, _ITEM_FIELDS):
                uow.catalogue.save_item(item)
        uow.commit()
    return changes


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


def save_options(options: dict[str, list[OptionRow]], *, uow: UnitOfWork) -> int:
    """Replace each parent's options (`domain.options`): the parent must be a make item, every
    SKU known, a replaced SKU part of the parent's BOM, and an option has at most one default."""
    with uow:
        boms = uow.catalogue.boms()
        named = {*options}
        named |= {
            s for rows in options.values() for r in rows for s in (r.component_sku, r.replaces_sku) if s
        }
        items = uow.catalogue.items(named)
        for parent, rows in options.items():
            if parent not in items:
                raise UnknownSku(parent, field="parent_sku")
            if items[parent].procurement is not Procurement.MAKE:
                reason = f"is a {items[parent].procurement} item; only make items have options"
                raise InvalidValue("parent_sku", parent, reason)
            components = {line.component_sku for line in boms.components(parent)}
            for r in rows:
                for name, sku in (("component_sku", r.component_sku), ("replaces_sku", r.replaces_sku)):
                    if sku and sku not in items:
                        raise UnknownSku(sku, field=name)
                if r.replaces_sku and r.replaces_sku not in components:
                    raise InvalidValue("replaces_sku", r.replaces_sku, f"is not in the BOM of {parent}")
            check_rows(parent, rows)
            uow.catalogue.replace_options(parent, rows)
        uow.commit()
    return sum(len(rows) for rows in options.values())
