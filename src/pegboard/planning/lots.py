"""Lot sizing: planned orders of at least the minimum order quantity, in order multiples."""

from __future__ import annotations

import numpy as np

from pegboard.planning.arrays import SCALE
from pegboard.planning.segments import Ints, segment_starts


def lot_size(quantity: Ints, min_qty: Ints, multiple: Ints) -> Ints:
    """At least the minimum order quantity, rounded up to the order multiple (0: none)."""
    size: Ints = np.maximum(quantity, min_qty)
    step: Ints = np.where(multiple > 0, multiple, 1)
    rounded: Ints = np.where(multiple > 0, -(-size // step) * step, size)
    return rounded


def component_need(quantity: Ints, per: Ints) -> Ints:
    """quantity x per unit in micro-units, rounded UP to the micro-unit, without overflow.

    The array form of Pegboard's one rounding rule, `domain.quantities.component_need`.
    """
    whole, part = per // SCALE, per % SCALE
    high, low = quantity // SCALE, quantity % SCALE
    need: Ints = quantity * whole + high * part + (low * part + SCALE - 1) // SCALE
    return need


def planned_make_orders(item: Ints, short_end: Ints, min_qty: Ints, multiple: Ints) -> tuple[Ints, Ints]:
    """Planned MOs for an item's shortfalls, most urgent first: (first row served, quantity).

    Rows are the demands still short after existing supply, sorted by item then urgency, with
    `short_end` the item's running shortfall at the end of each. Whenever a demand is not
    covered by what earlier planned orders left over, it gets a new planned order for the rest,
    lot-sized; the excess serves the next demands. Without a minimum above the multiple, the
    planned total after row k is simply the running shortfall rounded up to the multiple; with
    one, the orders depend on each other, so they are found in rounds (all items at once, one
    order per item and round).
    """
    mq, mult = min_qty[item], multiple[item]
    simple = (mq == 0) | ((mult > 0) & (mq <= mult))
    rows = np.flatnonzero(simple)
    step = np.where(mult[rows] > 0, mult[rows], 1)
    total = -(-short_end[rows] // step) * step
    starts = segment_starts(item[rows])
    before = np.r_[0, total[:-1]]
    before[starts] = 0
    new = total > before
    first_rows = [rows[new]]
    quantities = [(total - before)[new]]
    hard = np.flatnonzero(~simple)
    if len(hard):
        found_rows, found_qty = _in_rounds(item[hard], short_end[hard], mq[hard], mult[hard])
        first_rows.append(hard[found_rows])
        quantities.append(found_qty)
    first = np.concatenate(first_rows)
    order = np.argsort(first, kind="stable")
    return first[order], np.concatenate(quantities)[order]


def _in_rounds(item: Ints, short_end: Ints, mq: Ints, mult: Ints) -> tuple[Ints, Ints]:
    starts = segment_starts(item)
    ends = np.r_[starts[1:], len(item)]
    last = short_end[ends - 1]
    offset = np.r_[0, np.cumsum(last)[:-1]].astype(np.int64)
    line = np.repeat(offset, ends - starts) + short_end
    planned = np.zeros(len(starts), dtype=np.int64)
    active = np.arange(len(starts))
    found_rows: list[Ints] = []
    found_qty: list[Ints] = []
    while len(active):
        row = np.searchsorted(line, offset[active] + planned[active], side="right")
        still = row < ends[active]
        active, row = active[still], row[still]
        size = lot_size(short_end[row] - planned[active], mq[row], mult[row])
        planned[active] += size
        found_rows.append(row)
        found_qty.append(size)
    if not found_rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(found_rows).astype(np.int64), np.concatenate(found_qty)
