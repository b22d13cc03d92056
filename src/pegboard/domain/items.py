"""Items (keyed by SKU), suppliers and multi-level bills of materials."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pegboard.domain.errors import BomCycle, Shortage
from pegboard.domain.quantities import ZERO, Money, Quantity, component_need
from pegboard.domain.sales import LineKind


class Procurement(StrEnum):
    """How an item is replenished."""

    BUY = "buy"
    MAKE = "make"
    DROPSHIP = "dropship"


@dataclass(frozen=True)
class Supplier:
    """Someone we buy from; the lead time is theirs unless an item says otherwise."""

    name: str
    email: str | None = None
    lead_time_days: int | None = None


@dataclass(frozen=True)
class Item:
    """Anything stocked: a product sold, a material bought, or both."""

    sku: str
    name: str
    procurement: Procurement
    unit: str = "pcs"
    price: Money | None = None
    cost: Money | None = None
    lead_time_days: int | None = None
    supplier: str | None = None
    safety_stock: Quantity = ZERO
    reorder_point: Quantity | None = None
    reorder_qty: Quantity | None = None
    min_order_qty: Quantity | None = None
    order_multiple: Quantity | None = None
    #: Orders placed before this date are preorders, promised for it.
    release_date: date | None = None
    #: Labour per unit made, added to the value of what an MO makes.
    labour_cost: Money | None = None
    #: Tax charged on the item's sales (0.19 for 19 %) when an order brings no tax of its own.
    tax_rate: Decimal | None = None

    @property
    def terms(self) -> SaleTerms:
        """How the item is sold: the part of it an order line's kind depends on."""
        return SaleTerms(self.procurement, self.release_date)


@dataclass(frozen=True)
class SaleTerms:
    """How a SKU is sold: drop-shipped by its supplier, or from our stock after its release date."""

    procurement: Procurement
    release_date: date | None = None

    def line_kind(self, ordered_on: date) -> LineKind:
        """Drop-ship for a dropship item; a preorder while the order date is before the release date."""
        if self.procurement is Procurement.DROPSHIP:
            return LineKind.DROPSHIP
        if self.release_date is not None and ordered_on < self.release_date:
            return LineKind.PREORDER
        return LineKind.STOCK

    def released_by(self, day: date) -> bool:
        """Whether preorders of the item may take stock on `day`."""
        return self.release_date is None or self.release_date <= day


@dataclass(frozen=True)
class BomLine:
    """One component of a make item and how much of it goes into one parent unit."""

    component_sku: str
    quantity_per: Quantity


@dataclass
class BillsOfMaterials:
    """Every parent's components; a graph that must stay free of cycles."""

    lines: dict[str, list[BomLine]] = field(default_factory=dict)

    def components(self, parent_sku: str) -> list[BomLine]:
        """The direct components of a parent, empty for a bought item."""
        return self.lines.get(parent_sku, [])

    def with_lines(self, parent_sku: str, lines: Sequence[BomLine]) -> BillsOfMaterials:
        """A copy in which the parent's BOM is replaced; refuses a cycle and names it."""
        return self.with_boms({parent_sku: lines})

    def with_boms(self, boms: Mapping[str, Sequence[BomLine]]) -> BillsOfMaterials:
        """A copy in which each given parent's BOM is replaced, checked for a cycle once (linear time)."""
        merged = dict(self.lines)
        merged.update({parent: list(lines) for parent, lines in boms.items()})
        candidate = BillsOfMaterials(merged)
        cycle = candidate.find_cycle()
        if cycle:
            raise BomCycle(cycle)
        return candidate

    def find_cycle(self) -> list[str] | None:
        """A path that returns to its start (A -> B -> A), or None when the graph is acyclic."""
        state: dict[str, int] = {}
        for start in sorted(self.lines):
            if state.get(start):
                continue
            path: list[str] = []
            stack: list[tuple[str, int]] = [(start, 0)]
            while stack:
                node, index = stack.pop()
                if index == 0:
                    state[node] = 1
                    path.append(node)
                children = [line.component_sku for line in self.components(node)]
                if index < len(children):
                    stack.append((node, index + 1))
                    child = children[index]
                    if state.get(child) == 1:
                        return path[path.index(child) :] + [child]
                    if not state.get(child):
                        stack.append((child, 0))
                else:
                    state[node] = 2
                    path.pop()
        return None

    def shortages(self, sku: str, quantity: Decimal, available: Mapping[str, Decimal]) -> list[Shortage]:
        """What is missing to make `quantity` of `sku`, through every BOM level.

        Available stock of a component is used first; what is still missing of a component
        that has its own BOM is exploded into its components at the next level.
        """
        left = dict(available)
        missing: list[Shortage] = []

        def explode(parent: str, amount: Decimal, level: int) -> None:
            for line in self.components(parent):
                need = component_need(line.quantity_per, amount)
                have = max(left.get(line.component_sku, ZERO), ZERO)
                used = min(have, need)
                left[line.component_sku] = have - used
                short = need - used
                if short > 0:
                    missing.append(Shortage(line.component_sku, short, level))
                    explode(line.component_sku, short, level + 1)

        explode(sku, quantity, 1)
        return missing
