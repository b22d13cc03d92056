"""The planning engine: `plan(PlanInput) -> PlanResult`, pure and array-based.

Quantities are netted top-down, one BOM level at a time (low-level codes, so an item used at
several levels is netted once, after all its parents); dates are then worked out bottom-up,
so every promise is feasible along the whole BOM chain. Python loops only over BOM levels.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

import numpy as np

from pegboard.planning.arrays import (
    NONE,
    Demands,
    Existing,
    Items,
    build_demands,
    build_existing,
    build_items,
    day_numbers,
    purchase_days,
)
from pegboard.planning.assembly import assemble
from pegboard.planning.collector import collector_paused
from pegboard.planning.configurations import configure, unconfigure
from pegboard.planning.dating import SupplyTable, date_supplies
from pegboard.planning.laps import Lap, lap_into
from pegboard.planning.netting import (
    COMPONENT,
    CUSTOMER,
    Needs,
    Netted,
    Pegging,
    Reserved,
    Rows,
    Supplies,
    needs_of,
    net_level,
)
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.reasons import SupplyKind
from pegboard.planning.reliable import DateNotes, reliable_snapshot, with_stated_dates
from pegboard.planning.result import PlanResult
from pegboard.planning.segments import Ints
from pegboard.planning.ship_complete import with_whole_orders
from pegboard.planning.snapshot import PlanInput
from pegboard.planning.sorting import stable_order
from pegboard.planning.terms import with_sale_terms

R = TypeVar("R", bound=Rows)

#: The version of the rules `plan` follows, bumped whenever the same snapshot would be planned
#: otherwise (2: promises follow the order stock is handed out, `planning.rank_order`). A plan
#: kept under other rules is planned again, not given as it was (`SqlStoredPlan.made_with`).
RULES = 2


def plan(snapshot: PlanInput, *, laps: list[tuple[str, float]] | None = None) -> PlanResult:
    """The plan for a snapshot: promises, purchase and production suggestions, production queue.

    Preorder promises are never before their release date; drop-ship lines are promised by
    their POs (`planning.terms`); every line of a ship-complete order gets the order's date
    (`planning.ship_complete`). PO dates and lead times are moved by their suppliers' learned
    lateness when the snapshot asks for it (`planning.reliable`). `laps`, when given, receives
    (step, perf_counter()) after each step, for benchmarks. On a snapshot narrowed around a
    change (`planning.scope`), only the promises of its `affected` SKUs are given.
    """
    snapshot, configured = configure(snapshot)
    with collector_paused():
        adjusted, notes = reliable_snapshot(snapshot)
        stated = None if notes is None else snapshot
        result = with_sale_terms(snapshot, _plan(adjusted, lap_into(laps), notes, stated))
        if notes is not None:
            result = with_stated_dates(snapshot, adjusted, notes, result)
        result = with_whole_orders(snapshot, result)
    if snapshot.affected is not None and isinstance(result.promises, PromiseTable):
        # A snapshot narrowed around a change promises exactly only the lines it was narrowed for.
        result = replace(result, promises=result.promises.of_skus(snapshot.affected))
    return unconfigure(result, configured)


def _plan(
    snapshot: PlanInput, lap: Lap, notes: DateNotes | None = None, stated: PlanInput | None = None
) -> PlanResult:
    """The plan of `snapshot`; `stated`, when given, is the same snapshot before suppliers'
    history moved its dates, and dates each promise's supply again by it (`Promise.stated_date`)."""
    lap("start")
    items = build_items(snapshot)
    existing = build_existing(snapshot, items)
    demands = build_demands(snapshot, items)
    lap("arrays")
    pegging = net_all(items, existing, demands)
    lap("netting")
    table = supply_table(existing, pegging)
    dated = date_supplies(table, items, snapshot.today.toordinal())
    stated_finish = None if stated is None else _stated_finish(stated, table, existing, items)
    lap("dating")
    result = assemble(snapshot, items, existing, demands, pegging, dated, notes, stated_finish)
    lap("result")
    return result


def _stated_finish(stated: PlanInput, table: SupplyTable, existing: Existing, items: Items) -> Ints:
    """Every supply's finish day had each PO line kept its stated date and each bought item its
    stated lead time: the same pegging, dated again (`stated` is the snapshot before adjustment,
    with the same PO lines and items in the same order)."""
    today = stated.today.toordinal()
    expected = day_numbers(line.expected_date for line in stated.purchase_lines)
    po = np.flatnonzero(existing.kind == SupplyKind.PO)
    when = table.when.copy()
    own = expected[existing.seq[po]]
    when[po] = np.where(own >= NONE, NONE, np.maximum(own, today))
    stated_items = replace(items, purchase_days=purchase_days(stated))
    return date_supplies(replace(table, when=when), stated_items, today).finish


def supply_table(existing: Existing, pegging: Pegging) -> SupplyTable:
    """Every supply by id with its own dates, and the component pieces of every MO."""
    component = pegging.piece_kind == COMPONENT
    zeros = np.zeros(len(pegging.supplies.id) - len(existing.item), dtype=np.int64)
    return SupplyTable(
        item=pegging.supplies.item,
        kind=pegging.supplies.kind,
        pos=pegging.supplies.pos,
        when=np.r_[existing.when, zeros],
        mo_start=np.r_[existing.mo_start, zeros],
        mo_finish=np.r_[existing.mo_finish, zeros],
        parent=pegging.piece_src[component],
        child=pegging.piece_supply[component],
    )


def net_all(items: Items, existing: Existing, demands: Demands) -> Pegging:
    """Net every level, parents first; component needs wait for their item's level."""
    size, n_demands = len(items.skus), len(demands.row)
    levels = int(items.level.max()) + 1 if size else 0
    ranks = np.arange(n_demands, dtype=np.int64)
    backorders = needs_of(demands.item, ranks, demands.quantity, CUSTOMER, ranks)
    backorders_by_level = _by_level(backorders, items.level[backorders.item], levels)
    firm = Supplies(
        id=np.arange(len(existing.item), dtype=np.int64),
        item=existing.item,
        kind=existing.kind,
        quantity=existing.quantity,
        pos=existing.pos,
    )
    firm_by_level = _by_level(firm, items.level[firm.item], levels)
    waiting: list[list[Needs]] = [[] for _ in range(levels)]
    supplies: list[Supplies] = [firm]
    pieces: list[Netted] = []
    next_id = len(existing.item)
    reserved = Reserved(existing.reserved_supply, existing.reserved_item, existing.reserved_quantity)
    for level in range(levels):
        needs = [backorders_by_level[level], *waiting[level]]
        waiting[level] = []
        netted = net_level(
            needs,
            firm_by_level[level],
            np.flatnonzero(items.level == level),
            items,
            n_demands=n_demands,
            next_id=next_id,
            reserved=reserved,
        )
        next_id += len(netted.planned.id)
        supplies.append(netted.planned)
        pieces.append(netted)
        passed = netted.component_needs
        for below, part in enumerate(_by_level(passed, items.level[passed.item], levels)):
            if len(part.item):
                waiting[below].append(part)
    empty = np.zeros(0, dtype=np.int64)
    return Pegging(
        supplies=Supplies.join(supplies),
        piece_kind=np.concatenate([p.piece_kind for p in pieces] or [empty]),
        piece_src=np.concatenate([p.piece_src for p in pieces] or [empty]),
        piece_supply=np.concatenate([p.piece_supply for p in pieces] or [empty]),
        piece_qty=np.concatenate([p.piece_qty for p in pieces] or [empty]),
    )


def _by_level(rows: R, of_row: Ints, levels: int) -> list[R]:
    """The rows split by BOM level (`of_row`), each part in the rows' own order."""
    order = stable_order(of_row)
    rows = rows.take(order)
    bounds = np.searchsorted(of_row[order], np.arange(levels + 1)).tolist()
    return [rows.take(slice(bounds[k], bounds[k + 1])) for k in range(levels)]
