"""What the customer was sold, kept by every promise: a preorder is never promised before its
release date, and a drop-ship line is promised by its supplier's PO, not by our supply.

Applied once to the plan's result (by the engine, and by its reference twin in the tests), so
both planners agree on it by construction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from operator import attrgetter

import numpy as np

from pegboard.planning.arrays import NONE
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.result import OPEN_TERM, PlanResult, Promise
from pegboard.planning.segments import Ints
from pegboard.planning.snapshot import DropshipDemand, PlanInput, release_days

#: What a preorder's promise rests on when the release date, not the supply, sets it.
RELEASE = "release date"


def with_sale_terms(snapshot: PlanInput, result: PlanResult) -> PlanResult:
    """The plan's promises with preorders floored at their release date and drop-ship lines added."""
    days = release_days(snapshot)
    if days is None and not snapshot.dropships:
        return result
    if isinstance(result.promises, PromiseTable):
        return replace(result, promises=_table_with_terms(snapshot, result.promises, days))
    preorders = filter(attrgetter("release_date"), snapshot.demands)
    floors = {(d.order_ref, d.line_no): d.release_date for d in preorders if d.release_date}
    promises = list(result.promises)
    if floors:
        refs = {ref for ref, _ in floors}
        for k, promise in enumerate(promises):
            if promise.order_ref in refs:
                release = floors.get((promise.order_ref, promise.line_no))
                if release is not None:
                    promises[k] = preorder_promise(promise, release)
    promises += [dropship_promise(d, today=snapshot.today) for d in snapshot.dropships]
    return replace(result, promises=promises)


def _table_with_terms(snapshot: PlanInput, table: PromiseTable, release: Ints | None) -> PromiseTable:
    """The same as the tuple path above, on the columns: floored days, release wordings, drop-ships;
    `release` is each demand's release day (`release_days`)."""
    if release is None:
        release = np.zeros(len(snapshot.demands), dtype=np.int64)
    floor = release[table.line] if len(table.line) else np.zeros(0, dtype=np.int64)
    moved = np.flatnonzero((table.day < NONE) & (table.day < floor))
    day, wording = table.day, table.wording
    if len(moved):
        days, back = np.unique(floor[moved], return_inverse=True)
        releases = [date.fromordinal(d) for d in days.tolist()]
        day, wording = day.copy(), wording.copy()
        day[moved] = floor[moved]
        reasons = [f"preorder: releases {r.isoformat()}" for r in releases]
        wording[moved] = len(table.reasons) + back.reshape(-1)
    else:
        reasons = []
    stated = None
    if not table.unadjusted:
        floored = (table.stated < NONE) & (table.stated < floor)
        stated = np.where(floored, floor, table.stated)
    return PromiseTable(
        refs=table.refs,
        line_nos=table.line_nos,
        skus=table.skus,
        line_ids=table.line_ids,
        line=table.line,
        quantity=table.quantity,
        day=day,
        wording=wording,
        reasons=[*table.reasons, *reasons],
        bases=[*table.bases, *([RELEASE] * len(reasons))],
        extra=[*table.extra, *(dropship_promise(d, today=snapshot.today) for d in snapshot.dropships)],
        stated=stated,
    )


def preorder_promise(promise: Promise, release: date) -> Promise:
    """Never before the release date: the later of it and the supply's date (open term stays so)."""
    stated = promise.stated_date
    if stated is not None and stated < release:
        promise = promise._replace(stated_date=release)
    if promise.date is None or promise.date >= release:
        return promise
    return promise._replace(date=release, reason=f"preorder: releases {release.isoformat()}", basis=RELEASE)


def dropship_promise(demand: DropshipDemand, *, today: date) -> Promise:
    """The drop-ship PO's expected date (today when it is overdue), naming the supplier."""
    supplier = demand.supplier or "the supplier"
    expected = demand.expected_date
    when: date | None = None
    if demand.po_ref is None:
        reason, basis = f"open term: {demand.sku} has no drop-ship PO", OPEN_TERM
    elif expected is None:
        reason, basis = (
            f"open term: ships from {supplier}, {demand.po_ref} has no expected date",
            demand.po_ref,
        )
    elif expected < today:
        when, basis = today, demand.po_ref
        reason = (
            f"ships from {supplier}: {demand.po_ref} overdue since {expected.isoformat()}, "
            f"counted as {today.isoformat()}"
        )
    else:
        when, basis = expected, demand.po_ref
        reason = f"ships from {supplier}, {demand.po_ref} due {expected.isoformat()}"
    return Promise(demand.order_ref, demand.line_no, demand.sku, demand.quantity, when, reason, basis, when)
