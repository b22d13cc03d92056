"""Netting one BOM level: demands of all its items against their supplies at once, with NumPy.

A level's demands are backorders, component needs of the MOs above, safety stock and
reorders. Each item's demands, most urgent first, take its supplies, earliest first; what
is still short gets planned orders. Every MO of the level then asks its components for what
it needs, with the rank of the first demand it serves, for the levels below.

Ranks, most urgent first: backorders 0 .. n-1 (n backorders, in demand order), safety stock
n + item, open MOs that serve nothing n + items, reorders n + items + 1 + item. A reorder
is also served last on its own item, since it is worked out from what is left after all the
other demands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Self

import numpy as np

from pegboard.planning.arrays import SCALE, Items
from pegboard.planning.lots import component_need, lot_size, planned_make_orders
from pegboard.planning.reasons import SupplyKind
from pegboard.planning.segments import (
    Ints,
    local_cumsum,
    peg,
    positions,
    segment_starts,
    segment_totals,
)
from pegboard.planning.sorting import nearly_sorted_order, stable_order

CUSTOMER, COMPONENT, SAFETY, REORDER = 0, 1, 2, 3


@dataclass(frozen=True)
class Rows:
    """Columns of equal length; subclasses name them."""

    def take(self, index: Ints | slice) -> Self:
        """The rows at `index`, in that order."""
        return type(self)(*(getattr(self, f.name)[index] for f in fields(self)))

    @classmethod
    def join(cls, parts: Sequence[Self]) -> Self:
        """The rows of every part, one part after the other."""
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    def insert(self, before: Ints, other: Self) -> Self:
        """These rows with `other`'s rows placed before rows `before` (sorted; in order on ties)."""
        n, m = len(getattr(self, fields(self)[0].name)), len(before)
        placed = before + np.arange(m, dtype=np.int64)
        kept = np.ones(n + m, dtype=np.bool_)
        kept[placed] = False
        columns = []
        for f in fields(self):
            mine = getattr(self, f.name)
            column = np.empty(n + m, dtype=mine.dtype)
            column[kept] = mine
            column[placed] = getattr(other, f.name)
            columns.append(column)
        return type(self)(*columns)


@dataclass(frozen=True)
class Needs(Rows):
    """Demand rows: `rank` orders them (inherited down the BOM); `src` is the backorder's rank
    (customer), the parent MO's supply id (component), or -1 (safety stock, reorder).

    Only component needs share a rank on one item; they are made in the order that breaks
    such ties: parents of shallower BOM levels first, then by parent SKU, then by the
    parent's supply order, so a stable sort by (item, rank) keeps it."""

    item: Ints
    rank: Ints
    quantity: Ints
    kind: Ints
    src: Ints


@dataclass(frozen=True)
class Supplies(Rows):
    """Supply rows of a level: global id, item, kind, quantity and place among the item's supplies."""

    id: Ints
    item: Ints
    kind: Ints
    quantity: Ints
    pos: Ints


@dataclass(frozen=True)
class Netted:
    """One level netted: its new planned orders, its pegging pieces (kind and src of the demand,
    supply id, quantity) and the component needs its MOs pass down."""

    planned: Supplies
    piece_kind: Ints
    piece_src: Ints
    piece_supply: Ints
    piece_qty: Ints
    component_needs: Needs


@dataclass(frozen=True)
class Pegging:
    """Every supply of the plan by id, and every pegging piece: what kind of demand it serves
    and its `src` (see Needs), the supply id it rests on, and its quantity."""

    supplies: Supplies
    piece_kind: Ints
    piece_src: Ints
    piece_supply: Ints
    piece_qty: Ints


def needs_of(item: Ints, rank: Ints, quantity: Ints, kind: int, src: Ints) -> Needs:
    """Demand rows that need no tie-break (one per rank)."""
    return Needs(item, rank, quantity, np.full(len(item), kind, dtype=np.int64), src)


@dataclass(frozen=True)
class Reserved:
    """Components on hand reserved for firm MOs, by (supply id, component) in that order: pegged
    to the MO already, so it asks its component's level only for the rest."""

    supply: Ints
    item: Ints
    quantity: Ints


def net_level(
    parts: Sequence[Needs],
    existing: Supplies,
    level_items: Ints,
    items: Items,
    *,
    n_demands: int,
    next_id: int,
    reserved: Reserved | None = None,
) -> Netted:
    """Net one level (its demand rows given in `parts`): safety stock, shortfalls, lot-sized
    planned orders, reorders, pegging."""
    size = len(items.skus)
    safe = level_items[items.safety[level_items] > 0]
    safety = needs_of(safe, n_demands + safe, items.safety[safe], SAFETY, np.full(len(safe), -1))
    needs = Needs.join([*parts, safety])
    needs = needs.take(_by_item_and_rank(needs, n_demands + 2 * size + 2))
    planned, reorders = _planned_orders(
        needs, existing, level_items, items, n_demands=n_demands, next_id=next_id
    )
    needs = needs.insert(np.searchsorted(needs.item, reorders.item, side="right"), reorders)
    supplies = existing.insert(np.searchsorted(existing.item, planned.item, side="right"), planned)
    row, source, quantity = peg(needs.item, needs.quantity, supplies.item, supplies.quantity, size)
    ranks = np.full(len(supplies.id), n_demands + size, dtype=np.int64)
    first_piece = np.flatnonzero(np.r_[True, source[1:] != source[:-1]]) if len(source) else source
    ranks[source[first_piece]] = needs.rank[row[first_piece]]
    return Netted(
        planned=planned,
        piece_kind=needs.kind[row],
        piece_src=needs.src[row],
        piece_supply=supplies.id[source],
        piece_qty=quantity,
        component_needs=_explode(supplies, ranks, items, reserved),
    )


def _by_item_and_rank(needs: Needs, ranks: int) -> Ints:
    """The stable order of `needs` by item, then rank (below `ranks`)."""
    rank = needs.rank
    if bool((rank[1:] >= rank[:-1]).all()):
        # Ranks already ascend (a top level's backorders, then its safety stock): a stable sort
        # by item keeps them so, with half the radix passes.
        return stable_order(needs.item)
    return stable_order(needs.item * ranks + rank)


def _planned_orders(
    needs: Needs, existing: Supplies, level_items: Ints, items: Items, *, n_demands: int, next_id: int
) -> tuple[Supplies, Needs]:
    """The level's planned orders, numbered from `next_id` in item and creation order, and its
    reorder demands."""
    size = len(items.skus)
    demanded = segment_totals(needs.item, needs.quantity, size)
    on_hand_or_due = segment_totals(existing.item, existing.quantity, size)
    short_end = local_cumsum(needs.item, needs.quantity) - on_hand_or_due[needs.item]
    first_row, quantity = _planned_for_shortfalls(needs.item, short_end, demanded - on_hand_or_due, items)
    item = needs.item[first_row]
    stock_level = on_hand_or_due + segment_totals(item, quantity, size) - demanded + items.safety
    reorders, reorder_qty = _reorders(level_items, items, n_demands=n_demands, stock_level=stock_level)
    item = np.r_[item, reorders.item]
    order = nearly_sorted_order(item)
    item = item[order]
    kind = np.where(items.make[item], SupplyKind.PLANNED_MO, SupplyKind.PLANNED_PO).astype(np.int64)
    pos = np.bincount(existing.item, minlength=size)[item] + positions(item)
    ids = next_id + np.arange(len(item), dtype=np.int64)
    return Supplies(ids, item, kind, np.r_[quantity, reorder_qty][order], pos), reorders


def _planned_for_shortfalls(item: Ints, short_end: Ints, shortfall: Ints, items: Items) -> tuple[Ints, Ints]:
    """Planned orders (first row served, quantity): one per bought item for its whole shortfall,
    since all its planned POs would arrive the same day; planned MOs demand by demand."""
    short = np.flatnonzero(short_end > 0)
    made = items.make[item[short]]
    make_rows = short[made]
    first, quantity = planned_make_orders(
        item[make_rows], short_end[make_rows], items.min_qty, items.multiple
    )
    buy_rows = short[~made]
    buy_first = buy_rows[segment_starts(item[buy_rows])]
    bought = item[buy_first]
    buy_qty = lot_size(shortfall[bought], items.min_qty[bought], items.multiple[bought])
    rows = np.r_[make_rows[first], buy_first].astype(np.int64)
    order = np.argsort(rows, kind="stable")
    return rows[order], np.r_[quantity, buy_qty][order].astype(np.int64)


def _reorders(level_items: Ints, items: Items, *, n_demands: int, stock_level: Ints) -> tuple[Needs, Ints]:
    """Items whose projected stock is at or below the reorder point: a reorder demand that takes
    what is left beyond safety stock plus the reorder quantity (by default just enough to get
    back above reorder point + safety stock), and its lot-sized planned order."""
    watched = level_items[items.has_reorder_point[level_items]]
    watched = watched[stock_level[watched] <= items.reorder_point[watched]]
    level, point, safety = stock_level[watched], items.reorder_point[watched], items.safety[watched]
    fixed = items.reorder_qty[watched]
    extra = np.where(fixed > 0, fixed, point + safety - level + SCALE)
    rank = n_demands + len(items.skus) + 1 + watched
    need = needs_of(watched, rank, level - safety + extra, REORDER, np.full(len(watched), -1))
    return need, lot_size(extra, items.min_qty[watched], items.multiple[watched])


def _explode(supplies: Supplies, ranks: Ints, items: Items, reserved: Reserved | None = None) -> Needs:
    """Each MO's component needs: open quantity x quantity per unit, less what is reserved for
    it, with the MO's rank."""
    is_mo = (supplies.kind == SupplyKind.MO) | (supplies.kind == SupplyKind.PLANNED_MO)
    mo = np.flatnonzero(is_mo)
    item = supplies.item[mo]
    first, count = items.bom_start[item], items.bom_start[item + 1] - items.bom_start[item]
    owner = np.repeat(np.arange(len(mo)), count)
    line = np.repeat(first, count) + positions(owner)
    quantity = supplies.quantity[mo][owner]
    needs = Needs(
        item=items.bom_component[line],
        rank=ranks[mo][owner],
        quantity=component_need(quantity, items.bom_per[line]),
        kind=np.full(len(line), COMPONENT, dtype=np.int64),
        src=supplies.id[mo][owner],
    )
    if reserved is None or not len(reserved.supply) or not len(line):
        return needs
    size = len(items.skus)
    keys = reserved.supply * size + reserved.item
    wanted = needs.src * size + needs.item
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    covered = np.where(keys[at] == wanted, reserved.quantity[at], 0)
    rest = needs.quantity - covered
    needs = replace(needs, quantity=rest)
    return needs.take(np.flatnonzero(rest > 0))
