"""Array helpers over rows grouped by item (sorted by item), and the pegging merge itself."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]


def segment_starts(keys: Ints) -> Ints:
    """The first row of each run of equal keys."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])


def segment_totals(keys: Ints, values: Ints, size: int) -> Ints:
    """Exact per-key sums of values (keys sorted), as an array indexed by key."""
    totals = np.zeros(size, dtype=np.int64)
    if len(keys):
        starts = segment_starts(keys)
        totals[keys[starts]] = np.add.reduceat(values, starts)
    return totals


def positions(keys: Ints) -> Ints:
    """0, 1, 2, ... within each run of equal keys."""
    n = len(keys)
    starts = segment_starts(keys)
    first = np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.arange(n, dtype=np.int64) - first


def local_cumsum(keys: Ints, values: Ints) -> Ints:
    """Running totals that restart at each new key (keys sorted)."""
    running = np.cumsum(values)
    if len(keys) == 0:
        return running
    starts = segment_starts(keys)
    before = running[starts] - values[starts]
    return running - np.repeat(before, np.diff(np.r_[starts, len(keys)]))


def peg(
    demand_item: Ints, demand_qty: Ints, supply_item: Ints, supply_qty: Ints, size: int
) -> tuple[Ints, Ints, Ints]:
    """Earliest supply to the most urgent demand: (demand row, supply row, quantity) pieces.

    Demand rows are sorted by item then urgency, supply rows by item then the order they are
    used in; every item's supply covers its demand. Each item's demand and supply are laid
    end to end on one line of cumulative quantity; the union of their end points cuts it into
    pieces. A piece starting at x belongs to the demand row counting the demand ends up to x,
    and to the supply row counting the supply ends up to x. Pieces come out in demand order,
    and within a demand in supply order.
    """
    demanded = segment_totals(demand_item, demand_qty, size)
    base = np.r_[0, np.cumsum(demanded)[:-1]].astype(np.int64)
    demand_end = np.cumsum(demand_qty)
    covered = np.minimum(local_cumsum(supply_item, supply_qty), demanded[supply_item])
    supply_end = base[supply_item] + covered
    # End points tagged in the lowest bit (1: a demand ends there), and a supply-tagged 0 so
    # that the first piece starts at 0; supply ends sort before demand ends at one point.
    # Both kinds of end come sorted (quantities are not negative), so a stable sort, which
    # merges sorted runs, takes linear time.
    ends = [np.zeros(1, dtype=np.int64), demand_end * 2 + 1, supply_end * 2]
    tagged = np.sort(np.concatenate(ends), kind="stable")
    point = tagged >> 1
    is_demand = tagged & 1
    last = np.flatnonzero(np.r_[point[1:] != point[:-1], True])
    demands_ended = np.cumsum(is_demand)[last]
    supplies_ended = np.cumsum(1 - is_demand)[last] - 1
    return demands_ended[:-1], supplies_ended[:-1], np.diff(point[last])
