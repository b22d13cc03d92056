"""Backorders served in rank order: the earlier an item's supply finishes, the more urgent the
backorder it is promised to.

Stock that arrives (a receipt, a finished MO) goes to the item's waiting lines in rank order
(`domain.allocation`), whatever supply netting pegged each line to. Netting pegs before dating,
so an older line can rest on an MO held up by a component while a younger one rests on an MO
that finishes first; that MO's output will go to the older line, and the younger line's date
would not hold. So, per item whose pieces' finish days are out of rank order, the pieces are
pegged again: the k-th unit of the item's backorders in rank order rests on the k-th unit of
its supply to finish (open term last). Items already in order keep their pieces as they are.
"""

from __future__ import annotations

import numpy as np

from pegboard.planning.arrays import NEG, NONE, Demands
from pegboard.planning.queue import CustomerPieces
from pegboard.planning.segments import Ints
from pegboard.planning.snapshot import PlanInput, release_days
from pegboard.planning.sorting import stable_order


def preorder_ranks(snapshot: PlanInput, demands: Demands) -> Ints | None:
    """The ranks of the preorders waiting (served only once released); None when there are none."""
    release = release_days(snapshot)
    if release is None:
        return None
    rank_of_row = np.empty(len(demands.row), dtype=np.int64)
    rank_of_row[demands.row] = np.arange(len(demands.row), dtype=np.int64)
    return rank_of_row[np.flatnonzero(release)]


def latest_served(pieces: CustomerPieces, item_of_rank: Ints, size: int, kept: Ints | None) -> Ints:
    """Per item (of `size`), the latest finish among the pieces of its backorders handed out in
    rank order (not those of ranks `kept`); NEG for an item with none. A backorder ranking after
    them all is promised no earlier (`in_rank_order`)."""
    latest = np.full(size, NEG, dtype=np.int64)
    chosen = np.ones(len(pieces.rank), dtype=np.bool_) if kept is None else ~np.isin(pieces.rank, kept)
    np.maximum.at(latest, item_of_rank[pieces.rank[chosen]], pieces.finish[chosen])
    return latest


def in_rank_order(pieces: CustomerPieces, item_of_rank: Ints, kept: Ints | None = None) -> CustomerPieces:
    """`pieces` (in rank order) with each item's supply handed out earliest finish first, in rank
    order; `item_of_rank` is each backorder's item by rank; the backorders of ranks `kept`
    (preorders, served only once released) keep their pieces and are left out of the rest."""
    item = item_of_rank[pieces.rank]
    free = np.ones(len(item), dtype=np.bool_)
    if kept is not None and len(kept):
        free = ~np.isin(pieces.rank, kept)
    chosen = np.flatnonzero(free)
    out_of_order = _out_of_order(pieces.rank[chosen], pieces.finish[chosen], item[chosen])
    if len(out_of_order) == 0:
        return pieces
    flagged = np.zeros(int(item.max()) + 1, dtype=np.bool_)
    flagged[out_of_order] = True
    moved = free & flagged[item]
    stay = np.flatnonzero(~moved)
    again = _pegged_again(pieces, item, np.flatnonzero(moved))
    rank = np.r_[pieces.rank[stay], again.rank]
    order = stable_order(rank)
    return CustomerPieces(
        rank[order],
        np.r_[pieces.supply[stay], again.supply][order],
        np.r_[pieces.quantity[stay], again.quantity][order],
        np.r_[pieces.finish[stay], again.finish][order],
    )


def _out_of_order(rank: Ints, finish: Ints, item: Ints) -> Ints:
    """The items where a backorder rests on a piece finishing after a piece of a later backorder
    (the order of one backorder's own pieces does not matter: it ships when the last comes);
    pieces given in rank order."""
    by_item = stable_order(item)
    rank, finish = rank[by_item], finish[by_item]
    starts = np.flatnonzero(np.r_[True, rank[1:] != rank[:-1]])
    if len(starts) < 2:
        return np.zeros(0, dtype=np.int64)
    latest = np.maximum.reduceat(finish, starts)
    earliest = np.minimum.reduceat(finish, starts)
    of = item[by_item][starts]
    # Latest finish so far within each item: items are sorted, and an item's offset outweighs
    # any day (open term counts one day after the latest real day), so one running maximum does.
    real = finish[finish < NONE]
    low, cap = (int(real.min()), int(real.max()) + 1) if len(real) else (0, 1)
    span = cap - low + 1
    so_far = np.maximum.accumulate(of * span + (np.minimum(latest, cap) - low))
    before = so_far[:-1] - of[1:] * span
    late = (of[1:] == of[:-1]) & (before > np.minimum(earliest[1:], cap) - low)
    return np.unique(of[1:][late])


def _pegged_again(pieces: CustomerPieces, item: Ints, chosen: Ints) -> CustomerPieces:
    """The `chosen` pieces pegged again: per item, its backorders in rank order against its
    supply pieces earliest finish first, cut wherever either side's running total ends."""
    of = item[chosen]
    demand = chosen[stable_order(of)]
    # By item, then finish (open term last), then place: `chosen` ascends, so a stable sort of
    # (item, finish) as one key keeps it.
    finish = pieces.finish[chosen]
    real = finish[finish < NONE]
    low, cap = (int(real.min()), int(real.max()) + 1) if len(real) else (0, 0)
    supply = chosen[stable_order(of * (cap - low + 1) + (np.minimum(finish, cap) - low))]
    demand_end = np.cumsum(pieces.quantity[demand])
    supply_end = np.cumsum(pieces.quantity[supply])
    # Each item's total is the same on both sides, so the running totals meet at item bounds.
    # Both totals only grow: one merge of two sorted runs, then equal cuts kept once.
    cuts = np.sort(np.concatenate([demand_end, supply_end]), kind="stable")
    cuts = cuts[np.r_[True, cuts[1:] != cuts[:-1]]]
    d = demand[np.searchsorted(demand_end, cuts)]
    s = supply[np.searchsorted(supply_end, cuts)]
    quantity = np.diff(np.r_[0, cuts])
    rank, source = pieces.rank[d], pieces.supply[s]
    # Consecutive cuts of one backorder on one supply (two pieces of one MO) make one piece.
    starts = np.flatnonzero(np.r_[True, (rank[1:] != rank[:-1]) | (source[1:] != source[:-1])])
    return CustomerPieces(
        rank[starts],
        source[starts],
        np.add.reduceat(quantity, starts) if len(starts) else quantity,
        pieces.finish[s][starts],
    )
