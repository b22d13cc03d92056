"""Net-change re-planning: after new orders, plan only what they reach and merge it into the kept plan.

A whole plan of a snapshot that differs from the kept plan's only by new orders (their lines and
the stock they took, at SKUs `X`) gives, outside `affected` = up(down(X)) (`planning.scope`), the
very netting, pegging and dates the kept plan gave; inside it, a plan of the narrowed snapshot
gives them exactly. So the merged plan takes from the kept one every promise, suggestion, queue
entry and open MO's dates of an item outside `affected`, and from the narrowed plan those inside
(`replanned`). The narrowed snapshot need not read the old lines again: when the kept plan's
demand was plain (`plain_demand`), they wait as its promises say (`with_kept_demands`).

What is decided across items is redone on the merged pieces: promises in rank order, purchase
suggestions by supplier, suggested MOs numbered PLANNED-1, ... by SKU and dates, and the queue's
order and each entry's orders made whole, oldest first. An entry "completes" an order when the
order's latest piece rests on it, and an order may have lines on both sides: the narrowed plan
counts its lines outside by the kept plan's days (`PlanInput.latest_elsewhere`), and the merge
holds only while such an order's latest day is the same before and after. When it is not so, or
the plan carries anything this merge does not redo (preorders, drop-ships, ship-complete
orders, configurations, a new line ranking before a kept one), `replanned` gives None and the
caller plans the whole snapshot.

Dates moved by suppliers' history (`planning.reliable`) merge like the others: a PO line's or a
bought item's adjusted date rests on the PO or item and its supplier's (and supplier and item's)
receipts, which new orders leave alone, so a promise keeps its stated day beside its day, and
the kept plan's list of moved dates stands but for the planned purchases of `affected` items,
which the narrowed plan gives.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime
from itertools import repeat
from operator import attrgetter

import numpy as np
from numpy.typing import NDArray

from pegboard.planning.arrays import NONE, naive
from pegboard.planning.coded import flags, joined
from pegboard.planning.collector import collector_paused
from pegboard.planning.engine import plan
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.queue import LAST
from pegboard.planning.result import (
    AdjustedDate,
    FeasibleDates,
    PlanResult,
    ProductionSuggestion,
    PurchaseSuggestion,
    QueueEntry,
)
from pegboard.planning.segments import Ints, segment_starts
from pegboard.planning.snapshot import BackorderDemand, PlanInput, configured_demands, release_days
from pegboard.planning.values import as_decimals, objects

#: How demand is ranked (`arrays.build_demands`): priority (higher first), ordered_at, order ref,
#: sequence, line no.
RankKey = tuple[int, datetime, str, int, int]


def rank_key(priority: int, ordered_at: datetime, order_ref: str, sequence: int, line_no: int) -> RankKey:
    """A backorder's place in the plan's ranking: smaller is served first."""
    return (-priority, naive(ordered_at), order_ref, sequence, line_no)


def demand_rank(demand: BackorderDemand) -> RankKey:
    return rank_key(demand.priority, demand.ordered_at, demand.order_ref, demand.sequence, demand.line_no)


def plain_demand(snapshot: PlanInput) -> bool:
    """Whether a whole snapshot's demand is all plain lines: no preorder, configured line, drop-ship
    line or ship-complete order, whose lines a re-plan could not take back from its promises."""
    return not (
        snapshot.ship_complete
        or snapshot.dropships
        or snapshot.configurations
        or snapshot.configured_stock
        or release_days(snapshot) is not None
        or configured_demands(snapshot)
    )


def with_kept_demands(
    narrowed: PlanInput, kept: PlanResult, *, last_kept: RankKey | None
) -> PlanInput | None:
    """The narrowed snapshot, read with the lines of the new orders only, with the lines the kept
    plan promised (of plain demand, `plain_demand`) of its items before them, in the kept plan's
    rank order: nothing but new orders changed, so those lines wait as they did. Each line is
    ranked by its place alone (a priority of its own, the first line highest), as the kept plan
    and the new orders' own ranks say. None when a new line would rank before a kept one (the
    merge needs them last)."""
    table = kept.promises
    if not isinstance(table, PromiseTable) or table.extra:
        return None
    if last_kept is not None and any(demand_rank(d) <= last_kept for d in narrowed.demands):
        return None
    with collector_paused():
        _, demands = kept_demands(table, {item.sku for item in narrowed.items}, after=len(narrowed.demands))
        top = len(demands) + len(narrowed.demands)
        for n, d in enumerate(sorted(narrowed.demands, key=demand_rank), start=len(demands)):
            demands.append(replace(d, priority=top - n, ordered_at=_EPOCH, sequence=0))
    return replace(narrowed, demands=demands)


def kept_demands(
    table: PromiseTable, skus: Collection[str], *, after: int = 0
) -> tuple[Ints, list[BackorderDemand]]:
    """The lines a kept plan's promise table promised of `skus`, in its rank order: each one's
    input line in the table, and each as demand ranked by its place alone (a priority of its own,
    the first line highest, `after` lines more to rank after them)."""
    rows = _rows_with(table, table.skus, skus)
    lines = table.line[rows]
    starts = segment_starts(lines)  # the rows of one line follow one another
    quantities = as_decimals(np.add.reduceat(table.quantity[rows], starts)) if len(starts) else []
    picked = lines[starts]
    top = len(picked) + after
    demands = list(
        map(
            BackorderDemand,
            objects(table.refs, picked),
            objects(table.line_nos, picked),
            objects(table.skus, picked),
            quantities,
            range(top, top - len(picked), -1),
            repeat(_EPOCH),
            repeat(0),
            repeat(None),
            objects(table.line_ids, picked),
        )
    )
    return picked, demands


_EPOCH = datetime(2000, 1, 1)


def replanned(
    kept: PlanResult, narrowed: PlanInput, *, last_kept: RankKey | None = None
) -> PlanResult | None:
    """The whole plan, from the kept plan and a plan of `narrowed` (around the new orders'
    SKUs, `planning.scope`; its `affected` are the SKUs they reach); `last_kept` is the rank of
    the kept plan's last promised line (None: none, or already checked, `with_kept_demands`).
    None when the merge cannot be exact: then plan the whole snapshot."""
    affected = narrowed.affected
    table = kept.promises
    if affected is None or not isinstance(table, PromiseTable):
        return None
    with collector_paused():
        side = _KeptSide(table, affected, {d.order_ref for d in narrowed.demands if d.sku in affected})
    # The narrowed plan counts an order made whole by its affected lines' pieces and by its
    # lines elsewhere as the kept plan promised them (`PlanInput.latest_elsewhere`).
    scoped = plan(replace(narrowed, latest_elsewhere=side.elsewhere))
    if not _mergeable(kept, scoped, narrowed):
        return None
    assert isinstance(scoped.promises, PromiseTable)
    # Many small objects and no reference cycles, as in planning (`collector.collector_paused`).
    with collector_paused():
        merged = _merged_promises(side, scoped.promises, narrowed, last_kept)
        if merged is None or not _same_latest_days(side, merged):
            return None
        mos = _merged_feasible(kept, scoped, affected)
        if mos is None:
            return None
        making, renamed = _merged_making(kept, scoped, affected)
        return PlanResult(
            promises=merged,
            purchase_suggestions=_merged_purchases(kept, scoped, affected),
            production_suggestions=making,
            production_queue=_merged_queue(kept, scoped, affected, renamed, merged),
            feasible_mos=mos,
            adjusted_dates=_merged_adjusted_dates(kept, scoped, affected),
        )


class _KeptSide:
    """The kept plan's promises split by `affected`: `inside` and `outside` rows; `refs` (orders
    with affected lines) flagged per input line; and of those orders, the latest day of their
    lines outside (`elsewhere`)."""

    def __init__(self, table: PromiseTable, affected: frozenset[str], refs: set[str]) -> None:
        self.table, self.affected, self.refs = table, affected, refs
        inside = flags(table.skus, affected)[table.line] if len(table.line) else np.zeros(0, dtype=np.bool_)
        self.inside, self.outside = np.flatnonzero(inside), np.flatnonzero(~inside)
        self.of_refs = flags(table.refs, refs)
        self.elsewhere = _latest(table, self.outside, self.of_refs)


def _mergeable(kept: PlanResult, scoped: PlanResult, narrowed: PlanInput) -> bool:
    """Whether both plans carry only what this merge redoes."""
    before, now = kept.promises, scoped.promises
    if not (isinstance(before, PromiseTable) and isinstance(now, PromiseTable)):
        return False
    return (
        not before.extra
        and not now.extra
        and not narrowed.ship_complete
        and not narrowed.dropships
        and not narrowed.configurations
        and not narrowed.configured_stock
        and not any(d.release_date is not None or d.options or d.line_id is None for d in narrowed.demands)
    )


def _rows_with(table: PromiseTable, column: Sequence[str], values: Collection[str]) -> Ints:
    """The rows of lines whose value in `column` (one of the input-line columns) is among `values`."""
    return np.flatnonzero(flags(column, values)[table.line]) if len(table.line) else table.line


def _merged_promises(
    side: _KeptSide, scoped: PromiseTable, narrowed: PlanInput, last_kept: RankKey | None
) -> PromiseTable | None:
    """The kept plan's rows of lines outside `affected`, and the narrowed plan's (of lines inside),
    in rank order. None unless every line the kept plan promised inside is promised again, and
    every new line ranks after every kept one (new orders come last unless a priority puts them
    ahead)."""
    kept, outside, inside = side.table, side.outside, np.arange(len(scoped.line), dtype=np.int64)
    kept_first: dict[int, int] = {}
    for row, line in zip(side.inside.tolist(), kept.line[side.inside].tolist(), strict=True):
        kept_first.setdefault(_id(kept.line_ids[line]), row)
    ids = [_id(scoped.line_ids[line]) for line in scoped.line.tolist()]
    new = {i for i in ids if i not in kept_first}
    if len(set(ids)) - len(new) != len(kept_first):
        return None  # a line the kept plan promised is gone: not only orders placed
    if new and last_kept is not None:
        if min(demand_rank(d) for d in narrowed.demands if d.line_id in new) <= last_kept:
            return None
    n = len(kept.line)
    place = np.array([kept_first.get(i, n + k) for k, i in enumerate(ids)], dtype=np.int64)
    position = np.r_[outside, place]
    within = np.r_[np.zeros(len(outside), dtype=np.int64), inside]
    order = np.lexsort((within, position))
    # Only the input lines and wordings the narrowed plan's rows rest on are added: its snapshot
    # holds every line of the items it reached (227k at L for ten orders), and adding them all
    # made the kept plan grow by as many at every net change of the day.
    lines, line = np.unique(scoped.line, return_inverse=True)
    wordings, wording = np.unique(scoped.wording, return_inverse=True)
    at, said = lines.tolist(), wordings.tolist()
    return PromiseTable(
        refs=joined(kept.refs, [scoped.refs[i] for i in at]),
        line_nos=[*kept.line_nos, *(scoped.line_nos[i] for i in at)],
        skus=joined(kept.skus, [scoped.skus[i] for i in at]),
        line_ids=[*kept.line_ids, *(scoped.line_ids[i] for i in at)],
        line=np.r_[kept.line[outside], line + len(kept.refs)][order],
        quantity=np.r_[kept.quantity[outside], scoped.quantity][order],
        day=np.r_[kept.day[outside], scoped.day][order],
        wording=np.r_[kept.wording[outside], wording + len(kept.reasons)][order],
        reasons=[*kept.reasons, *(scoped.reasons[i] for i in said)],
        bases=[*kept.bases, *(scoped.bases[i] for i in said)],
        # A plan whose days suppliers' history moved keeps the stated ones beside them; the
        # narrowed plan may have met no supplier with history: its days are their own stated days.
        stated=None
        if kept.unadjusted and scoped.unadjusted
        else np.r_[kept.stated[outside], scoped.stated][order],
    )


def _id(line_id: int | None) -> int:
    if line_id is None:
        raise ValueError("a promised line without its id")
    return line_id


def _latest(table: PromiseTable, rows: Ints, wanted: NDArray[np.bool_]) -> dict[str, int]:
    """The latest promised day (NONE: open term) over `rows` of each order whose input lines are
    flagged in `wanted`."""
    rows = rows[wanted[table.line[rows]]] if len(rows) else rows
    latest: dict[str, int] = {}
    for line, day in zip(table.line[rows].tolist(), table.day[rows].tolist(), strict=True):
        ref = table.refs[line]
        if day > latest.get(ref, -1):
            latest[ref] = day
    return latest


def _same_latest_days(side: _KeptSide, merged: PromiseTable) -> bool:
    """Whether the queue entries of items outside `affected` complete the orders they did: every
    order with lines on both sides has the same latest day as in the kept plan (the narrowed
    plan counted its lines outside by that day)."""
    spanning = set(side.elsewhere)
    if not spanning:
        return True
    kept = side.table
    before = _latest(kept, np.arange(len(kept.line), dtype=np.int64), side.of_refs)
    wanted = np.r_[side.of_refs, flags(merged.refs[len(kept.refs) :], side.refs)]
    now = _latest(merged, np.arange(len(merged.line), dtype=np.int64), wanted)
    return all(before[ref] == now[ref] for ref in spanning)


def _merged_adjusted_dates(
    kept: PlanResult, scoped: PlanResult, affected: frozenset[str]
) -> Sequence[AdjustedDate]:
    """The dates suppliers' history moved (`reliable._adjusted_dates`): every PO line's as the
    kept plan has them (a PO line's date rests on the PO and its supplier's receipts, which new
    orders leave alone), then the planned purchases of each SKU the plan buys, by SKU, those of
    `affected` items from the narrowed plan (it decides what they buy). A plan no history
    moved has none (the empty tuple, as the engine gives it), and so has the narrowed one."""
    if isinstance(kept.adjusted_dates, tuple):
        return kept.adjusted_dates
    lines = [a for a in kept.adjusted_dates if a.po_ref is not None]
    planned = [a for a in kept.adjusted_dates if a.po_ref is None and a.sku not in affected]
    planned += [a for a in scoped.adjusted_dates if a.po_ref is None and a.sku in affected]
    return lines + sorted(planned, key=attrgetter("sku"))


def _merged_purchases(
    kept: PlanResult, scoped: PlanResult, affected: frozenset[str]
) -> list[PurchaseSuggestion]:
    """Purchase suggestions by supplier (none last), then SKU, as `assembly._purchases` gives them."""
    rows = [s for s in kept.purchase_suggestions if s.sku not in affected]
    rows += [s for s in scoped.purchase_suggestions if s.sku in affected]
    return sorted(rows, key=lambda s: (s.supplier is None, s.supplier or "", s.sku))


def _day(value: date | None) -> int:
    return NONE if value is None else value.toordinal()


def _merged_making(
    kept: PlanResult, scoped: PlanResult, affected: frozenset[str]
) -> tuple[list[ProductionSuggestion], dict[tuple[bool, str], str]]:
    """Suggested MOs by SKU, start and finish, numbered again; and each one's new ref by
    (from the narrowed plan, its old ref)."""
    rows = [(False, s) for s in kept.production_suggestions if s.sku not in affected]
    rows += [(True, s) for s in scoped.production_suggestions if s.sku in affected]
    rows.sort(key=lambda r: (r[1].sku, _day(r[1].start_date), _day(r[1].finish_date)))
    renamed: dict[tuple[bool, str], str] = {}
    making: list[ProductionSuggestion] = []
    for k, (from_scope, s) in enumerate(rows, start=1):
        ref = f"PLANNED-{k}"
        renamed[from_scope, s.ref] = ref
        making.append(s._replace(ref=ref))
    return making, renamed


def _merged_queue(
    kept: PlanResult,
    scoped: PlanResult,
    affected: frozenset[str],
    renamed: dict[tuple[bool, str], str],
    promises: PromiseTable,
) -> list[QueueEntry]:
    """The queue's entries in `queue._queue_order`'s order: nothing missing first, then most orders
    made whole, the oldest of them, the earliest start and finish, open MOs (by ref) before
    suggestions (by number)."""
    planned = set(renamed.values())
    entries: list[QueueEntry] = []
    for from_scope, source in ((False, kept), (True, scoped)):
        for e in source.production_queue:
            if (e.sku in affected) == from_scope:
                ref = renamed.get((from_scope, e.ref), e.ref)
                entries.append(e if ref == e.ref else e._replace(ref=ref))

    # An order ranks as its first line does, and the promises come in rank order, a line's rows
    # together: zip keeps the last value of a key, so the reversed lines leave each order its
    # first. An entry lists the orders it completes oldest first: a kept entry has them so (no
    # new order rests on it), the narrowed plan may not hold an order's first line.
    lines = objects(promises.refs, promises.line[segment_starts(promises.line)])
    rank_of = dict(zip(reversed(lines), range(len(lines) - 1, -1, -1), strict=True))
    entries = [
        e._replace(completes=tuple(sorted(e.completes, key=rank_of.__getitem__))) if e.sku in affected else e
        for e in entries
    ]

    def key(e: QueueEntry) -> tuple[int, int, int, int, int, int, str, int]:
        first = rank_of[e.completes[0]] if e.completes else LAST
        is_planned = e.ref in planned
        number = int(e.ref.removeprefix("PLANNED-")) if is_planned else 0
        return (
            bool(e.missing),
            -len(e.completes),
            first,
            _day(e.start_date),
            _day(e.finish_date),
            is_planned,
            "" if is_planned else e.ref,
            number,
        )

    return sorted(entries, key=key)


def _merged_feasible(
    kept: PlanResult, scoped: PlanResult, affected: frozenset[str]
) -> list[FeasibleDates] | None:
    """Every open MO's feasible dates in the kept plan's order, those of `affected` items from the
    narrowed plan; None when the two do not date the same MOs there."""
    mine = {m.ref: m for m in scoped.feasible_mos if m.sku in affected}
    inside = [m.ref for m in kept.feasible_mos if m.sku in affected]
    if sorted(inside) != sorted(mine):
        return None
    return [mine[m.ref] if m.sku in affected else m for m in kept.feasible_mos]
