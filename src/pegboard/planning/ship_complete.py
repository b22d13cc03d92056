"""Ship-complete orders: every line of one leaves on the order's date, the day its last line is whole.

An order with ship policy `complete` leaves only when every line is allocated, so a line that
could ship on 9 March ships with the line promised for 10 March: each part of its open lines,
and the stock already allocated to it and held (`HeldLine`), is promised the order's date, the
latest of its parts' dates (open term when any part is). A part that moves names the line that
holds it ("ships with SABER-GREEN, 2026-03-10") and rests on what that line rests on; a part
already on the order's date keeps its own reason. Its stated date (before suppliers' history
moved any, `Promise.stated_date`) is the order's stated date: the latest of its parts' ones.
Applied once to the plan's result (by the engine, and by its reference twin in the tests), after
the sale terms, so both agree on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from pegboard.planning.arrays import NONE
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.result import STOCK, PlanResult, Promise
from pegboard.planning.snapshot import HeldLine, PlanInput
from pegboard.planning.values import objects

IN_STOCK = "in stock"


class _Part(NamedTuple):
    """A promise part as this rule needs it: its line, day number (NONE: open term) and words."""

    order_ref: str
    line_no: int
    sku: str
    day: int
    reason: str
    basis: str
    stated: int


def with_whole_orders(snapshot: PlanInput, result: PlanResult) -> PlanResult:
    """The plan's promises with every line of a ship-complete order on the order's date."""
    if not snapshot.ship_complete:
        return result
    promises = result.promises
    if isinstance(promises, PromiseTable):
        return replace(result, promises=_table_whole(snapshot, promises))
    return replace(result, promises=whole_order_promises(snapshot, list(promises)))


def whole_order_promises(snapshot: PlanInput, promises: list[Promise]) -> list[Promise]:
    """The same rule on plain promises (the reference planner's and the extra ones' path)."""
    complete = snapshot.ship_complete
    ours = [p for p in promises if p.order_ref in complete]
    held = _held(snapshot.held, {p.order_ref for p in ours}, today=snapshot.today)
    parts = list(map(_part, [*ours, *held]))
    deciding, stated = _deciding(parts), _latest_stated(parts)
    return [_moved(p, deciding, stated) if p.order_ref in complete else p for p in [*promises, *held]]


def _table_whole(snapshot: PlanInput, table: PromiseTable) -> PromiseTable:
    """The rule on the columns: only the rows of ship-complete orders are read and changed."""
    complete = snapshot.ship_complete
    of_line = np.fromiter((ref in complete for ref in table.refs), dtype=np.bool_, count=len(table.refs))
    rows = np.flatnonzero(of_line[table.line]).tolist() if len(table.line) else []
    parts = [
        _Part(ref, line_no, sku, day, reason, basis, stated)
        for ref, line_no, sku, day, reason, basis, stated in zip(
            objects(table.refs, table.line[rows]),
            objects(table.line_nos, table.line[rows]),
            objects(table.skus, table.line[rows]),
            table.day[rows].tolist(),
            objects(table.reasons, table.wording[rows]),
            objects(table.bases, table.wording[rows]),
            table.stated[rows].tolist(),
            strict=True,
        )
    ]
    extra = [p for p in table.extra if p.order_ref in complete]
    waiting = {p.order_ref for p in parts} | {p.order_ref for p in extra}
    held = _held(snapshot.held, waiting, today=snapshot.today)
    everything = [*parts, *map(_part, [*extra, *held])]
    deciding, latest_stated = _deciding(everything), _latest_stated(everything)
    day, wording = table.day.copy(), table.wording.copy()
    stated = None
    if not table.unadjusted:
        stated = table.stated.copy()
        stated[rows] = [latest_stated[part.order_ref] for part in parts]
    reasons, bases = list(table.reasons), list(table.bases)
    wordings: dict[tuple[str, str], int] = {}
    for row, part in zip(rows, parts, strict=True):
        new = _new_words(part, deciding[part.order_ref])
        if new is not None:
            day[row] = new[0]
            key = new[1:]
            if key not in wordings:
                wordings[key] = len(reasons)
                reasons.append(key[0])
                bases.append(key[1])
            wording[row] = wordings[key]
    return PromiseTable(
        refs=table.refs,
        line_nos=table.line_nos,
        skus=table.skus,
        line_ids=table.line_ids,
        line=table.line,
        quantity=table.quantity,
        day=day,
        wording=wording,
        reasons=reasons,
        bases=bases,
        extra=[
            _moved(p, deciding, latest_stated) if p.order_ref in complete else p
            for p in [*table.extra, *held]
        ],
        stated=stated,
    )


def _held(held: Sequence[HeldLine], waiting: set[str], *, today: date) -> list[Promise]:
    """Allocated lines of orders that still wait for another line: in stock today, before the rule."""
    return [
        Promise(h.order_ref, h.line_no, h.sku, h.quantity, today, IN_STOCK, STOCK, today)
        for h in held
        if h.order_ref in waiting
    ]


def _part(promise: Promise) -> _Part:
    day = NONE if promise.date is None else promise.date.toordinal()
    stated = NONE if promise.stated_date is None else promise.stated_date.toordinal()
    return _Part(promise.order_ref, promise.line_no, promise.sku, day, promise.reason, promise.basis, stated)


def _latest_stated(parts: Iterable[_Part]) -> dict[str, int]:
    """Each order's latest stated day (NONE, open term, is the latest of all)."""
    found: dict[str, int] = {}
    for part in parts:
        found[part.order_ref] = max(found.get(part.order_ref, part.stated), part.stated)
    return found


def _deciding(parts: Iterable[_Part]) -> dict[str, _Part]:
    """Each order's latest part (open term is the latest of all); on ties the first one speaks."""
    found: dict[str, _Part] = {}
    for part in parts:
        best = found.get(part.order_ref)
        if best is None or part.day > best.day:
            found[part.order_ref] = part
    return found


def _new_words(part: _Part, deciding: _Part) -> tuple[int, str, str] | None:
    """The part's day, reason and basis when the order's date moves it; None when it stays."""
    if part.day >= deciding.day:
        return None
    if (part.line_no, part.sku) == (deciding.line_no, deciding.sku):
        return deciding.day, deciding.reason, deciding.basis
    return deciding.day, ships_with(deciding.sku, deciding.day, deciding.reason), deciding.basis


@lru_cache(maxsize=4096)
def ships_with(sku: str, day: int, reason: str) -> str:
    """Why a line of a ship-complete order has the order's date: the line that holds it, and when."""
    if day >= NONE:
        return f"open term: ships complete with {sku}, which is {reason}"
    return f"ships with {sku}, {date.fromordinal(day).isoformat()}"


def _moved(promise: Promise, deciding: dict[str, _Part], latest_stated: dict[str, int]) -> Promise:
    stated = latest_stated[promise.order_ref]
    promise = promise._replace(stated_date=None if stated >= NONE else date.fromordinal(stated))
    new = _new_words(_part(promise), deciding[promise.order_ref])
    if new is None:
        return promise
    day, reason, basis = new
    return promise._replace(date=None if day >= NONE else date.fromordinal(day), reason=reason, basis=basis)
