"""The part of a snapshot a change can affect, and the part needed to re-plan it exactly.

A change at some SKUs (a PO's or MO's date or quantity, stock, an order line) re-nets those
SKUs and, through component needs, everything below them; their dates then reach every item
above those. So the lines whose promise can move are those of `affected` = the ancestors of
the descendants of the changed SKUs (`up(down(changed))`). Promising them exactly needs every
supply below them dated exactly (`down(affected)`), and each of those items netted exactly,
which needs every item that puts demand on it (`up(...)`, closed upwards, so netting it alone
is exact). Planning `needed` = up(down(affected)) alone gives the full plan's promises for
the lines of `affected`; other lines keep the promises they had. Supply and demand meet only
along BOM lines, and netting uses dates only to order one item's supplies, which is what keeps
the set small: with one-level BOMs it is the changed material, the products using it, their
other materials and the other products using those.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from pegboard.planning.snapshot import PlanBomLine, PlanInput


@dataclass(frozen=True)
class Scope:
    """`affected`: SKUs whose lines a change can re-promise; `needed`: the SKUs to plan for them."""

    affected: frozenset[str]
    needed: frozenset[str]


K = TypeVar("K", bound=Hashable)


def closure(links: Mapping[K, Iterable[K]], skus: Iterable[K]) -> set[K]:
    """`skus` (or ids) and everything reachable from them through `links`, at any depth."""
    found = set(skus)
    todo = list(found)
    while todo:
        for other in links.get(todo.pop(), ()):
            if other not in found:
                found.add(other)
                todo.append(other)
    return found


def scope_of(bom_lines: Iterable[PlanBomLine], changed: Iterable[str]) -> Scope:
    """What a change at `changed` can affect, and what must be planned to promise it exactly."""
    parents: dict[str, set[str]] = {}
    components: dict[str, set[str]] = {}
    for line in bom_lines:
        parents.setdefault(line.component_sku, set()).add(line.parent_sku)
        components.setdefault(line.parent_sku, set()).add(line.component_sku)
    affected = closure(parents, closure(components, changed))
    needed = closure(parents, closure(components, affected))
    return Scope(frozenset(affected), frozenset(needed))


def snapshot_scope(snapshot: PlanInput, changed: Iterable[str]) -> Scope:
    """`scope_of`, widened so that the lines of a ship-complete order move together: when it has a
    line (waiting or held) among the affected SKUs, the SKUs of all its lines count as changed too (their
    dates make the order's), until no such order reaches outside (`planning.ship_complete`)."""
    found = set(changed)
    while True:
        scope = scope_of(snapshot.bom_lines, found)
        more = whole_order_skus(snapshot, scope.affected) - found
        if not more:
            return scope
        found |= more


def whole_order_skus(snapshot: PlanInput, skus: frozenset[str]) -> set[str]:
    """The SKUs of every line of the ship-complete orders with a line of `skus` (waiting or held)."""
    complete = snapshot.ship_complete
    if not complete:
        return set()
    waiting = {d.order_ref for d in snapshot.demands if d.order_ref in complete and d.sku in skus}
    waiting |= {d.order_ref for d in snapshot.dropships if d.order_ref in complete and d.sku in skus}
    waiting |= {h.order_ref for h in snapshot.held if h.order_ref in complete and h.sku in skus}
    found = {d.sku for d in snapshot.demands if d.order_ref in waiting}
    found |= {d.sku for d in snapshot.dropships if d.order_ref in waiting}
    return found | {h.sku for h in snapshot.held if h.order_ref in waiting}


def connected_skus(snapshot: PlanInput, skus: Iterable[str]) -> set[str]:
    """Every SKU linked to `skus` through BOM lines, upwards or downwards, at any depth."""
    neighbours: dict[str, set[str]] = {}
    for line in snapshot.bom_lines:
        neighbours.setdefault(line.parent_sku, set()).add(line.component_sku)
        neighbours.setdefault(line.component_sku, set()).add(line.parent_sku)
    return closure(neighbours, skus)


def narrowed(snapshot: PlanInput, skus: Iterable[str]) -> PlanInput:
    """The snapshot restricted to what re-promising after a change at `skus` needs
    (`snapshot_scope`), with `affected` set to the SKUs whose promises it gives exactly."""
    scope = snapshot_scope(snapshot, skus)
    return restricted(snapshot, scope.needed, affected=scope.affected)


def narrowed_for_new_lines(snapshot: PlanInput, skus: Iterable[str]) -> PlanInput:
    """The snapshot restricted to what promising *new* lines of `skus` needs, and no other line.

    A new line's promise rests on supply below its SKU (`down(skus)`), each item of it netted
    exactly, which needs every item that puts demand on it (`up(down(skus))`: the `affected`
    of `scope_of`); the lines already there may keep the promises they had (a quote)."""
    skus = set(skus)
    return restricted(snapshot, scope_of(snapshot.bom_lines, skus).affected, affected=frozenset(skus))


def restricted(snapshot: PlanInput, keep: frozenset[str], *, affected: frozenset[str]) -> PlanInput:
    """The snapshot with only the items of `keep`, their BOM lines, stock, supply and demand, and
    the ship-complete orders among that demand with their held lines."""
    demands = [d for d in snapshot.demands if d.sku in keep]
    dropships = [d for d in snapshot.dropships if d.sku in keep]
    complete = snapshot.ship_complete & ({d.order_ref for d in demands} | {d.order_ref for d in dropships})
    return replace(
        snapshot,
        items=[i for i in snapshot.items if i.sku in keep],
        bom_lines=[b for b in snapshot.bom_lines if b.parent_sku in keep and b.component_sku in keep],
        available={sku: q for sku, q in snapshot.available.items() if sku in keep},
        purchase_lines=[p for p in snapshot.purchase_lines if p.sku in keep],
        manufacturing_orders=[m for m in snapshot.manufacturing_orders if m.sku in keep],
        demands=demands,
        dropships=dropships,
        affected=affected,
        ship_complete=complete,
        held=[h for h in snapshot.held if h.order_ref in complete],
    )
