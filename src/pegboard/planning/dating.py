"""Feasible dates, worked out bottom-up once quantities are netted top-down.

Stock counts today; an open PO its expected date (today when overdue; none: open term); a
planned PO today plus its lead time (unpredictable: open term). An MO waits for its last
component that is not on hand: a planned MO starts no earlier than today and than that day
and finishes after its production lead time; an open MO keeps its own dates unless its
components hold it up (and finishes no earlier than today). A component piece without a
date leaves the MO without one. Each supply also gets its root: the supply its date rests
on, itself unless components hold it up, else the root of the latest component (the first
one, in SKU and supply order, on ties).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pegboard.planning.arrays import NEG, NONE, Bools, Items
from pegboard.planning.reasons import SupplyKind
from pegboard.planning.segments import Ints


@dataclass(frozen=True)
class Dated:
    """Per supply id: start and finish day (NONE: open term), whether components hold it up, root."""

    start: Ints
    finish: Ints
    held_up: Bools
    root: Ints


@dataclass(frozen=True)
class SupplyTable:
    """Every supply of the plan by id, and the component pieces of every MO."""

    item: Ints
    kind: Ints
    pos: Ints
    when: Ints
    mo_start: Ints
    mo_finish: Ints
    parent: Ints
    child: Ints


def date_supplies(table: SupplyTable, items: Items, today: int) -> Dated:
    """Dates for every supply, deepest BOM level first, so components are dated before their MOs."""
    kind, item = table.kind, table.item
    n = len(kind)
    finish = table.when.copy()
    bought = np.flatnonzero(kind == SupplyKind.PLANNED_PO)
    days = items.purchase_days[item[bought]]
    finish[bought] = np.where(days >= NONE, NONE, today + days)
    start = finish.copy()
    root = np.arange(n, dtype=np.int64)
    held_up = np.zeros(n, dtype=np.bool_)
    ready = np.full(n, NEG, dtype=np.int64)
    order_key = np.empty(n, dtype=np.int64)
    by_key = np.lexsort((table.pos, item))
    order_key[by_key] = np.arange(n)
    supply_level = items.level[item]
    piece_level = supply_level[table.parent]
    is_mo = (kind == SupplyKind.MO) | (kind == SupplyKind.PLANNED_MO)
    top = int(supply_level.max()) if n else -1
    for level in range(top, -1, -1):
        chosen = np.flatnonzero(piece_level == level)
        parent, child = table.parent[chosen], table.child[chosen]
        value = np.where(kind[child] == SupplyKind.STOCK, NEG, finish[child])
        np.maximum.at(ready, parent, value)
        mos = np.flatnonzero(is_mo & (supply_level == level))
        _date_mos(mos, table, items, today, ready, start, finish, held_up)
        late = held_up[parent] & (value == ready[parent])
        best = np.full(n, n, dtype=np.int64)
        np.minimum.at(best, parent[late], order_key[root[child[late]]])
        waiting = mos[held_up[mos]]
        root[waiting] = by_key[best[waiting]]
    return Dated(start=start, finish=finish, held_up=held_up, root=root)


def _date_mos(
    mos: Ints,
    table: SupplyTable,
    items: Items,
    today: int,
    ready: Ints,
    start: Ints,
    finish: Ints,
    held: Bools,
) -> None:
    """Planned MOs start when their components are there; open MOs move only when held up."""
    planned = table.kind[mos] == SupplyKind.PLANNED_MO
    waits = ready[mos]
    own_start, own_finish = table.mo_start[mos], table.mo_finish[mos]
    planned_start = np.maximum(waits, today)
    open_start = np.maximum(own_start, waits)
    begin = np.where(planned, planned_start, open_start)
    end = np.where(
        planned,
        planned_start + items.production_days[table.item[mos]],
        np.maximum(open_start + (own_finish - own_start), today),
    )
    no_date = waits >= NONE
    start[mos] = np.where(no_date, NONE, begin)
    finish[mos] = np.where(no_date, NONE, end)
    held[mos] = np.where(planned, waits > today, finish[mos] > np.maximum(own_finish, today))
