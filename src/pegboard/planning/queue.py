"""Suggested MOs and the production queue: what to make first so whole orders ship.

Planned MOs of one SKU with the same dates merge into one suggestion (PLANNED-1, ...). The
queue holds every suggestion and every open MO: first what can be made now (no component
still missing), then what makes the most customer orders whole, then the oldest of them.
An entry completes an order when the order rests on it and nothing the order rests on comes
later; its missing materials are the component pieces not on hand, per SKU, with the day
the last of them arrives (None: open term).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter

import numpy as np
from numpy.typing import NDArray

from pegboard.planning.arrays import NEG, Demands, Existing, Items
from pegboard.planning.dating import Dated
from pegboard.planning.netting import COMPONENT, Pegging
from pegboard.planning.reasons import SupplyKind
from pegboard.planning.result import MissingMaterial, ProductionSuggestion, QueueEntry
from pegboard.planning.segments import Ints, segment_starts
from pegboard.planning.snapshot import PlanInput
from pegboard.planning.sorting import stable_order
from pegboard.planning.values import as_dates, as_decimals

LAST = 1 << 62


@dataclass(frozen=True)
class Entries:
    """The queue's entries: groups of planned MOs (the suggestions) first, then open MOs.

    `head` is a supply id standing for each entry, `entry_of` maps every supply id to its
    entry (-1: none), `firm` lists the open MOs' supply ids."""

    head: Ints
    quantity: Ints
    entry_of: Ints
    refs: list[str]
    n_groups: int
    firm: Ints


def _entries(snapshot: PlanInput, existing: Existing, pegging: Pegging, dated: Dated) -> Entries:
    """Planned MOs grouped by SKU, start and finish, numbered PLANNED-1, ... in that order."""
    supplies = pegging.supplies
    planned = np.flatnonzero(supplies.kind == SupplyKind.PLANNED_MO)
    planned = planned[np.lexsort((dated.finish[planned], dated.start[planned], supplies.item[planned]))]
    keys = np.stack([supplies.item[planned], dated.start[planned], dated.finish[planned]])
    changed = np.ones(len(planned), dtype=np.bool_)
    changed[1:] = (keys[:, 1:] != keys[:, :-1]).any(axis=0)
    starts = np.flatnonzero(changed)
    firm = np.flatnonzero(supplies.kind == SupplyKind.MO)
    entry_of = np.full(len(supplies.id), -1, dtype=np.int64)
    entry_of[planned] = np.cumsum(changed) - 1
    entry_of[firm] = len(starts) + np.arange(len(firm))
    grouped = np.add.reduceat(supplies.quantity[planned], starts) if len(starts) else starts
    refs = [f"PLANNED-{k}" for k in range(1, len(starts) + 1)]
    refs += [snapshot.manufacturing_orders[s].mo_ref for s in existing.seq[firm].tolist()]
    head = np.r_[planned[starts], firm].astype(np.int64)
    quantity = np.r_[grouped, supplies.quantity[firm]].astype(np.int64)
    return Entries(head, quantity, entry_of, refs, len(starts), firm)


@dataclass(frozen=True)
class CustomerPieces:
    """The pieces of backorders in rank order: the backorder's rank, the supply the piece
    rests on, its quantity and that supply's finish day."""

    rank: Ints
    supply: Ints
    quantity: Ints
    finish: Ints


def production_plan(
    snapshot: PlanInput,
    items: Items,
    existing: Existing,
    demands: Demands,
    pegging: Pegging,
    dated: Dated,
    customer: CustomerPieces,
) -> tuple[list[ProductionSuggestion], list[QueueEntry]]:
    """Production suggestions, and the queue of suggestions and open MOs in the order to make them."""
    entries = _entries(snapshot, existing, pegging, dated)
    head, refs = entries.head, entries.refs
    skus = [items.skus[k] for k in pegging.supplies.item[head].tolist()]
    amounts = as_decimals(entries.quantity)
    begin, end = as_dates(dated.start[head]), as_dates(dated.finish[head])
    n = entries.n_groups
    suggestions = list(
        map(
            tuple.__new__,
            repeat(ProductionSuggestion),
            zip(refs[:n], skus[:n], amounts[:n], begin[:n], end[:n], strict=True),
        )
    )
    made_whole, first_rank = _completes(
        demands, customer, entries.entry_of, len(head), _elsewhere(snapshot, items)
    )
    missing = _missing(items, pegging, dated, entries.entry_of, len(head))
    order = _queue_order(snapshot, existing, dated, entries, made_whole, first_rank, missing)
    columns = (refs, skus, amounts, begin, end, made_whole, missing)
    queue = list(
        map(tuple.__new__, repeat(QueueEntry), zip(*([c[k] for k in order] for c in columns), strict=True))
    )
    return suggestions, queue


def _queue_order(
    snapshot: PlanInput,
    existing: Existing,
    dated: Dated,
    entries: Entries,
    made_whole: list[tuple[str, ...]],
    first_rank: Ints,
    missing: list[tuple[MissingMaterial, ...]],
) -> list[int]:
    """Nothing missing first, then most orders made whole, then the oldest of them, then the
    earliest start and finish; open MOs (by ref) before suggestions (by number) on a tie."""
    n_groups, firm = entries.n_groups, entries.firm
    ref_rank = {ref: k for k, ref in enumerate(sorted({mo.mo_ref for mo in snapshot.manufacturing_orders}))}
    tie_ref = np.r_[np.zeros(n_groups), [ref_rank[r] for r in entries.refs[n_groups:]]].astype(np.int64)
    tie_seq = np.r_[np.arange(1, n_groups + 1), existing.seq[firm]].astype(np.int64)
    is_planned = np.r_[np.ones(n_groups), np.zeros(len(firm))].astype(np.int64)
    has_missing = np.array([bool(m) for m in missing], dtype=np.int64)
    counts = np.array([len(c) for c in made_whole], dtype=np.int64)
    start, finish = dated.start[entries.head], dated.finish[entries.head]
    keys = (tie_seq, tie_ref, is_planned, finish, start, first_rank, -counts, has_missing)
    return [int(k) for k in np.lexsort(keys)]


@dataclass(frozen=True)
class Elsewhere:
    """Of a narrowed snapshot merged into a kept plan: its `affected` items (flags by item) and
    each order's latest day among its lines outside them (`PlanInput.latest_elsewhere`)."""

    inside: NDArray[np.bool_]
    latest: Mapping[str, int]


def _elsewhere(snapshot: PlanInput, items: Items) -> Elsewhere | None:
    if snapshot.latest_elsewhere is None or snapshot.affected is None:
        return None
    inside = np.zeros(len(items.skus), dtype=np.bool_)
    inside[[items.index[s] for s in snapshot.affected if s in items.index]] = True
    return Elsewhere(inside, snapshot.latest_elsewhere)


def _completes(
    demands: Demands,
    customer: CustomerPieces,
    entry_of: Ints,
    n_entries: int,
    elsewhere: Elsewhere | None = None,
) -> tuple[list[tuple[str, ...]], Ints]:
    """Per entry, the orders it makes whole (oldest first), and the rank of the oldest (LAST: none);
    with `elsewhere`, an order's latest day is that of its affected lines' pieces and of its
    lines elsewhere (only entries of affected items then count)."""
    order, finish = demands.order[customer.rank], customer.finish
    n_orders = len(demands.order_refs)
    if elsewhere is None:
        latest = _per_key(n_orders, order, finish, NEG, np.maximum)
    else:
        inside = elsewhere.inside[demands.item[customer.rank]]
        latest = _per_key(n_orders, order[inside], finish[inside], NEG, np.maximum)
        floor = np.fromiter(
            (elsewhere.latest.get(ref, NEG) for ref in demands.order_refs), dtype=np.int64, count=n_orders
        )
        latest = np.maximum(latest, floor)
    entry = entry_of[customer.supply]
    last = np.flatnonzero((entry >= 0) & (finish == latest[order]))
    order_rank = _per_key(
        n_orders, demands.order, np.arange(len(demands.order), dtype=np.int64), LAST, np.minimum
    )
    # Orders have distinct ranks, so one sort by (entry, rank of the order) also finds the
    # distinct (entry, order) pairs.
    entry, order = entry[last], order[last]
    oldest = order_rank[order]
    by = _by_entry(entry, oldest)
    key = entry[by] * (len(demands.order) + 1) + oldest[by]
    keep = by[np.r_[True, key[1:] != key[:-1]]] if len(by) else by
    entry, order = entry[keep], order[keep]
    first_rank = np.full(n_entries, LAST, dtype=np.int64)
    starts = segment_starts(entry)
    first_rank[entry[starts]] = order_rank[order[starts]]
    made_whole: list[tuple[str, ...]] = [() for _ in range(n_entries)]
    bounds = np.r_[starts, len(entry)].tolist()
    # Picked in one call (an object array of every order ref would cost more than the pick),
    # as a tuple, whose slices are the entries' tuples.
    names = _picked(demands.order_refs, order.tolist())
    for k, lo, hi in zip(entry[starts].tolist(), bounds[:-1], bounds[1:], strict=True):
        made_whole[k] = names[lo:hi]
    return made_whole, first_rank


def _picked(values: list[str], index: list[int]) -> tuple[str, ...]:
    """values[i] for each i of `index`, as a tuple."""
    if len(index) < 2:
        return tuple(values[i] for i in index)
    picked: tuple[str, ...] = itemgetter(*index)(values)
    return picked


def _per_key(size: int, keys: Ints, values: Ints, fill: int, pick: np.ufunc) -> Ints:
    """The largest or smallest (`pick`) value of each key, `fill` for keys without values.

    Keys mostly come in runs (an order's lines follow one another in rank order), so each run
    is reduced first; when no key has two runs, one plain assignment places them all.
    """
    out = np.full(size, fill, dtype=np.int64)
    runs = segment_starts(keys)
    if len(runs):
        keys, values = keys[runs], pick.reduceat(values, runs)
        out[keys] = values
        if not np.array_equal(out[keys], values):
            pick.at(out, keys, values)
    return out


def _missing(
    items: Items, pegging: Pegging, dated: Dated, entry_of: Ints, n_entries: int
) -> list[tuple[MissingMaterial, ...]]:
    """Per entry, the components not on hand, per SKU: quantity and the day the last arrives."""
    # Columns are picked in piece order (a streaming read of the large piece arrays), and
    # only the rows of pieces not on hand are then sorted.
    component_piece = pegging.piece_kind == COMPONENT
    child = pegging.piece_supply[component_piece]
    away = pegging.supplies.kind[child] != SupplyKind.STOCK
    child = child[away]
    n_skus = len(items.skus)
    entry, component = entry_of[pegging.piece_src[component_piece][away]], pegging.supplies.item[child]
    by = _by_entry(entry, component)
    key = (entry * n_skus + component)[by]
    starts = segment_starts(key)
    found: list[tuple[MissingMaterial, ...]] = [() for _ in range(n_entries)]
    if len(starts):
        quantity = np.add.reduceat(pegging.piece_qty[component_piece][away][by], starts)
        arrives = np.maximum.reduceat(dated.finish[child][by], starts)
        entry, component = np.divmod(key[starts], n_skus)
        skus = list(map(items.skus.__getitem__, component.tolist()))
        rows = list(
            map(
                tuple.__new__,
                repeat(MissingMaterial),
                zip(skus, as_decimals(quantity), as_dates(arrives), strict=True),
            )
        )
        firsts = segment_starts(entry)
        bounds = np.r_[firsts, len(entry)].tolist()
        for k, lo, hi in zip(entry[firsts].tolist(), bounds[:-1], bounds[1:], strict=True):
            found[k] = tuple(rows[lo:hi])
    return found


def _by_entry(entry: Ints, then: Ints) -> Ints:
    """The permutation that sorts rows by entry, then by `then`, equal rows kept in their order.

    `then` comes almost sorted (component pieces come level by level in SKU order; backorder
    pieces in rank order), which a stable argsort merges in about linear time; entries then
    take one or two 16-bit radix passes.
    """
    by = np.argsort(then, kind="stable")
    return by[stable_order(entry[by])]
