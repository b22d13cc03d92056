"""The part of a snapshot a change can affect: the SKUs joined to it through BOMs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from pegboard.planning.snapshot import PlanInput


def connected_skus(snapshot: PlanInput, skus: Iterable[str]) -> set[str]:
    """Every SKU linked to `skus` through BOM lines, upwards or downwards, at any depth.

    Supply and demand only meet along BOM lines, so planning this set alone gives the same
    promises for its lines as planning everything.
    """
    neighbours: dict[str, set[str]] = {}
    for line in snapshot.bom_lines:
        neighbours.setdefault(line.parent_sku, set()).add(line.component_sku)
        neighbours.setdefault(line.component_sku, set()).add(line.parent_sku)
    found = set(skus)
    todo = list(found)
    while todo:
        for other in neighbours.get(todo.pop(), ()):
            if other not in found:
                found.add(other)
                todo.append(other)
    return found


def narrowed(snapshot: PlanInput, skus: Iterable[str]) -> PlanInput:
    """The snapshot restricted to the SKUs connected to `skus`."""
    keep = connected_skus(snapshot, skus)
    return replace(
        snapshot,
        items=[i for i in snapshot.items if i.sku in keep],
        bom_lines=[b for b in snapshot.bom_lines if b.parent_sku in keep],
        available={sku: q for sku, q in snapshot.available.items() if sku in keep},
        purchase_lines=[p for p in snapshot.purchase_lines if p.sku in keep],
        manufacturing_orders=[m for m in snapshot.manufacturing_orders if m.sku in keep],
        demands=[d for d in snapshot.demands if d.sku in keep],
        dropships=[d for d in snapshot.dropships if d.sku in keep],
    )
