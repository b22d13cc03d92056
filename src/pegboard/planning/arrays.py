"""The snapshot as arrays: dense item indexes, int64 micro-unit quantities and day numbers.

Items are indexed in SKU order; BOM lines become a CSR table (components of parent `p` are
`bom_component[bom_start[p]:bom_start[p + 1]]`, in SKU order); customer demands are sorted by
rank (priority desc, ordered_at, order_ref, sequence, line_no), so a demand's rank is its row.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from itertools import compress, count, islice
from operator import attrgetter, lt, ne
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from pegboard.planning.reasons import SupplyKind
from pegboard.planning.segments import Ints, positions, segment_starts
from pegboard.planning.snapshot import (
    MAKE,
    PROCUREMENTS,
    DemandColumns,
    OpenManufacturingOrder,
    PlanInput,
    PlanInputError,
    PlanItem,
)
from pegboard.planning.sorting import nearly_sorted_order, stable_order

Bools = npt.NDArray[np.bool_]
T = TypeVar("T", bound=Hashable)
R = TypeVar("R")

SCALE = 1_000_000
#: An open-term date: later than any real day, so "the latest of" works with max.
NONE = 1 << 40
#: "Holds nothing up": the ready date of stock, or of an MO without components.
NEG = -(1 << 40)
EPOCH = datetime(1970, 1, 1)
MICROSECOND = timedelta(microseconds=1)
#: What sets how an item is planned; many items share these, so they are converted once.
_RULES = attrgetter(
    "procurement",
    "lead_time_days",
    "supplier_lead_time_days",
    "safety_stock",
    "reorder_point",
    "reorder_qty",
    "min_order_qty",
    "order_multiple",
)


@dataclass(frozen=True)
class Items:
    """Per item (indexed in SKU order): procurement, lead times, stock rules, BOM level and BOM."""

    skus: list[str]
    index: dict[str, int]
    make: Bools
    production_days: Ints
    purchase_days: Ints
    supplier: list[str | None]
    safety: Ints
    reorder_point: Ints
    has_reorder_point: Bools
    reorder_qty: Ints
    min_qty: Ints
    multiple: Ints
    level: Ints
    bom_start: Ints
    bom_component: Ints
    bom_per: Ints


@dataclass(frozen=True)
class Existing:
    """Stock, open PO lines and open MOs sorted per item, earliest first; `when` is the day they count."""

    item: Ints
    kind: Ints
    quantity: Ints
    when: Ints
    seq: Ints
    pos: Ints
    mo_start: Ints
    mo_finish: Ints
    #: Components reserved for open MOs: the MO's place in these rows (its supply id), the
    #: component and the quantity, sorted by (supply, component); an MO nets only the rest.
    reserved_supply: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    reserved_item: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    reserved_quantity: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


@dataclass(frozen=True)
class Demands:
    """Backorders in rank order: `row[r]` is the input row of rank r; orders are numbered (in
    `order_refs` order); `refs`, `line_nos`, `skus` and `line_ids` are the input columns, for
    promises."""

    row: Ints
    item: Ints
    quantity: Ints
    order: Ints
    order_refs: list[str]
    refs: list[str]
    line_nos: list[int]
    skus: list[str]
    line_ids: list[int | None]


def to_micro(values: Iterable[Decimal], what: str) -> Ints:
    """Exact int64 micro-units; more than six decimal places or a negative quantity is refused."""
    return by_value(values, partial(_micro_units, what=what))


def _micro_units(value: Decimal, what: str) -> int:
    scaled = Decimal(value).scaleb(6)
    if scaled != scaled.to_integral_value() or scaled < 0:
        raise PlanInputError(f"{what} {value} is negative or has more than six decimal places")
    return int(scaled)


def day_numbers(days: Iterable[object]) -> Ints:
    """Dates as day numbers (proleptic ordinals), None as NONE."""
    return np.array([NONE if d is None else d.toordinal() for d in days], dtype=np.int64)  # type: ignore[attr-defined]


def _micro_or_absent(value: Decimal | None, what: str) -> int:
    return -1 if value is None else _micro_units(value, what)


def _micro_or_zero(value: Decimal | None, what: str) -> int:
    return 0 if value is None else _micro_units(value, what)


def _quantities(groups: RowGroups[PlanItem], field: str, what: str) -> Ints:
    """An optional quantity of every item in micro-units, 0 when absent."""
    return groups.spread(attrgetter(field), partial(_micro_or_zero, what=what))


def _purchase_days(lead_times: tuple[int | None, int | None]) -> int:
    """The supplier's lead time, else the item's own; NONE when neither is known."""
    supplier_days, own_days = lead_times
    days = own_days if supplier_days is None else supplier_days
    return NONE if days is None else days


def purchase_days(snapshot: PlanInput) -> Ints:
    """Each item's purchase lead time in SKU order, as `build_items` gives it (NONE: unknown)."""
    items = sorted(snapshot.items, key=attrgetter("sku"))
    lead_times = map(attrgetter("supplier_lead_time_days", "lead_time_days"), items)
    return np.fromiter(map(_purchase_days, lead_times), dtype=np.int64, count=len(items))


def build_items(snapshot: PlanInput) -> Items:
    """The item table, its BOM in CSR form and each item's low-level code."""
    items = sorted(snapshot.items, key=attrgetter("sku"))
    skus = list(map(attrgetter("sku"), items))
    index = dict(zip(skus, range(len(skus)), strict=True))
    if len(index) != len(skus):
        raise PlanInputError("a SKU appears twice among the items")
    groups = RowGroups.of(items, _RULES)
    for item in groups.representatives:
        if item.procurement not in PROCUREMENTS:
            raise PlanInputError(f"{item.sku}: unknown procurement {item.procurement!r}")
    rop = groups.spread(attrgetter("reorder_point"), partial(_micro_or_absent, what="reorder point"))
    parent, component, per = _bom(snapshot, index)
    n = len(skus)
    start = np.searchsorted(parent, np.arange(n + 1)).astype(np.int64)
    return Items(
        skus=skus,
        index=index,
        make=groups.spread(attrgetter("procurement"), MAKE.__eq__).astype(np.bool_),
        production_days=groups.spread(attrgetter("lead_time_days"), lambda days: days or 0),
        purchase_days=groups.spread(attrgetter("supplier_lead_time_days", "lead_time_days"), _purchase_days),
        supplier=list(map(attrgetter("supplier"), items)),
        safety=_quantities(groups, "safety_stock", "safety stock"),
        reorder_point=np.maximum(rop, 0),
        has_reorder_point=rop >= 0,
        reorder_qty=_quantities(groups, "reorder_qty", "reorder quantity"),
        min_qty=_quantities(groups, "min_order_qty", "minimum order quantity"),
        multiple=_quantities(groups, "order_multiple", "order multiple"),
        level=_levels(n, parent, component),
        bom_start=start,
        bom_component=component,
        bom_per=per,
    )


def _lookup(index: dict[str, int], skus: Iterable[str], what: str) -> Ints:
    try:
        return np.fromiter(map(index.__getitem__, skus), dtype=np.int64)
    except KeyError as missing:
        raise PlanInputError(f"{what} names unknown SKU {missing.args[0]}") from None


def _bom(snapshot: PlanInput, index: dict[str, int]) -> tuple[Ints, Ints, Ints]:
    """BOM lines sorted by parent then component; the same pair twice is summed."""
    lines = snapshot.bom_lines
    parent = _lookup(index, map(attrgetter("parent_sku"), lines), "a BOM line")
    component = _lookup(index, map(attrgetter("component_sku"), lines), "a BOM line")
    per = to_micro(map(attrgetter("quantity_per"), lines), "quantity per")
    if (per == 0).any():
        raise PlanInputError("a BOM line has a quantity per unit of zero")
    n = max(len(index), 1)
    pair = parent * n + component
    order = nearly_sorted_order(pair)
    pair = pair[order]
    first = segment_starts(pair)
    summed = np.add.reduceat(per[order], first) if len(first) else per
    return pair[first] // n, pair[first] % n, summed


def _levels(n: int, parent: Ints, component: Ints) -> Ints:
    """Low-level codes: 0 for items no BOM uses, else one deeper than the deepest parent."""
    level = np.full(n, -1, dtype=np.int64)
    indegree = np.bincount(component, minlength=n)
    current = 0
    while True:
        frontier = (level < 0) & (indegree == 0)
        if not frontier.any():
            break
        level[frontier] = current
        indegree = indegree - np.bincount(component[frontier[parent]], minlength=n)
        current += 1
    if (level < 0).any():
        raise PlanInputError("the BOMs contain a cycle")
    return level


def build_existing(snapshot: PlanInput, items: Items) -> Existing:
    """Available stock first, then open POs and MOs by the day they count, POs before MOs."""
    today = snapshot.today.toordinal()
    stock_skus = sorted(snapshot.available)
    lines, mos = snapshot.purchase_lines, snapshot.manufacturing_orders
    counts = [len(stock_skus), len(lines), len(mos)]
    ref_rank = {ref: k for k, ref in enumerate(sorted({p.po_ref for p in lines} | {m.mo_ref for m in mos}))}
    expected = day_numbers(p.expected_date for p in lines)
    mo_start = day_numbers(m.start_date for m in mos)
    mo_finish = day_numbers(m.finish_date for m in mos)
    item = np.concatenate(
        [
            _lookup(items.index, stock_skus, "available stock"),
            _lookup(items.index, (p.sku for p in lines), "a PO line"),
            _lookup(items.index, (m.sku for m in mos), "an MO"),
        ]
    )
    quantity = np.concatenate(
        [
            to_micro([snapshot.available[s] for s in stock_skus], "available stock"),
            to_micro([p.open_quantity for p in lines], "PO open quantity"),
            to_micro([m.open_quantity for m in mos], "MO open quantity"),
        ]
    )
    kind = np.repeat(np.array([SupplyKind.STOCK, SupplyKind.PO, SupplyKind.MO], dtype=np.int64), counts)
    overdue_today = np.where(expected >= NONE, NONE, np.maximum(expected, today))
    when = np.concatenate(
        [np.full(counts[0], today, dtype=np.int64), overdue_today, np.maximum(mo_finish, today)]
    )
    seq = np.concatenate([np.arange(n, dtype=np.int64) for n in counts])
    refs = [ref_rank[p.po_ref] for p in lines] + [ref_rank[m.mo_ref] for m in mos]
    ref = np.concatenate([np.zeros(counts[0], dtype=np.int64), np.array(refs, dtype=np.int64)])
    padding = np.zeros(counts[0] + counts[1], dtype=np.int64)
    keep = np.flatnonzero(quantity > 0)
    order = keep[np.lexsort((seq[keep], ref[keep], kind[keep], when[keep], kind[keep] != 0, item[keep]))]
    return Existing(
        item[order],
        kind[order],
        quantity[order],
        when[order],
        seq[order],
        positions(item[order]),
        np.concatenate([padding, mo_start])[order],
        np.concatenate([padding, mo_finish])[order],
        *_reserved(mos, items, kind[order], seq[order]),
    )


def _reserved(
    mos: Sequence[OpenManufacturingOrder], items: Items, kind: Ints, seq: Ints
) -> tuple[Ints, Ints, Ints]:
    """The components reserved for each MO kept among the existing supplies (by its place in
    them), sorted by (place, component)."""
    if not any(m.reserved for m in mos):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    place = np.full(len(mos), -1, dtype=np.int64)
    is_mo = np.flatnonzero(kind == SupplyKind.MO)
    place[seq[is_mo]] = is_mo
    # A narrowed snapshot (`planning.scope`) may leave a component out: nothing is netted of it.
    rows = [
        (int(place[k]), sku, q)
        for k, m in enumerate(mos)
        if place[k] >= 0
        for sku, q in m.reserved
        if sku in items.index
    ]
    supply = np.array([r[0] for r in rows], dtype=np.int64)
    item = _lookup(items.index, (r[1] for r in rows), "a reserved component")
    quantity = to_micro([r[2] for r in rows], "reserved quantity")
    order = np.lexsort((item, supply))
    return supply[order], item[order], quantity[order]


def build_demands(snapshot: PlanInput, items: Items) -> Demands:
    """Backorders in rank order: priority desc, ordered_at, order_ref, sequence, line_no."""
    columns = snapshot.demand_columns
    if columns is not None and columns.of is snapshot.demands:
        return _demands_of_columns(columns, items)
    demands = snapshot.demands
    n = len(demands)
    refs = list(map(attrgetter("order_ref"), demands))
    order, order_refs = numbered(refs)
    times = list(map(attrgetter("ordered_at"), demands))
    if any(map(attrgetter("tzinfo"), times)):
        # One by one: aware timestamps on one tzinfo compare by wall time, so the two sides of
        # a DST fold are equal and would share one value in `by_value`.
        times = [naive(t) for t in times]
    at = by_value(times, _microseconds)
    priority = np.fromiter(map(attrgetter("priority"), demands), dtype=np.int64, count=n)
    sequence = np.fromiter(map(attrgetter("sequence"), demands), dtype=np.int64, count=n)
    line_nos = list(map(attrgetter("line_no"), demands))
    row = np.lexsort((np.array(line_nos, dtype=np.int64), sequence, order, at, -priority)).astype(np.int64)
    quantity = to_micro(map(attrgetter("quantity"), demands), "backordered quantity")
    if (quantity == 0).any():
        raise PlanInputError("a backordered quantity is zero")
    skus = list(map(attrgetter("sku"), demands))
    item = _lookup(items.index, skus, "a backorder")
    return Demands(
        row=row,
        item=item[row],
        quantity=quantity[row],
        order=order[row],
        order_refs=order_refs,
        refs=refs,
        line_nos=line_nos,
        skus=skus,
        line_ids=list(map(attrgetter("line_id"), demands)),
    )


def _demands_of_columns(columns: DemandColumns, items: Items) -> Demands:
    """`build_demands` on the columns the store read the demands with: orders are ranked once
    each, and their lines, which come together in line order, follow their order's rank."""
    number, order_refs = numbered(columns.order_refs)
    by_rank = np.lexsort((columns.sequence, number, columns.at, -columns.priority))
    order_rank = np.empty(len(by_rank), dtype=np.int64)
    order_rank[by_rank] = np.arange(len(by_rank), dtype=np.int64)
    order, line_no = columns.order, columns.line_no
    if len(order) > 1 and not bool(
        np.all((order[1:] > order[:-1]) | ((order[1:] == order[:-1]) & (line_no[1:] > line_no[:-1])))
    ):
        # Not by order then line: every line ranked on all its keys, as from objects.
        keys = (line_no, columns.sequence[order], number[order], columns.at[order], -columns.priority[order])
        row = np.lexsort(keys).astype(np.int64)
    else:
        row = stable_order(order_rank[order])
    if (columns.quantity <= 0).any():
        raise PlanInputError("a backordered quantity is zero")
    used = np.flatnonzero(np.bincount(columns.item, minlength=len(columns.sku_names)))
    code = np.zeros(len(columns.sku_names), dtype=np.int64)
    code[used] = _lookup(items.index, [columns.sku_names[k] for k in used.tolist()], "a backorder")
    return Demands(
        row=row,
        item=code[columns.item[row]],
        quantity=columns.quantity[row],
        order=number[order[row]],
        order_refs=order_refs,
        refs=columns.refs,
        line_nos=columns.line_nos,
        skus=columns.skus,
        line_ids=columns.line_ids,
    )


def numbered(refs: list[str]) -> tuple[Ints, list[str]]:
    """Each ref's number among the distinct refs in sorted order, and those distinct refs.

    The lines of one order usually come one after the other, and often in order of their
    refs, so only the first ref of each run of equal refs is sorted (when not in order
    already). No table is looked up per line: with many orders it would not fit in the CPU
    cache.
    """
    run_starts = [True, *map(ne, islice(refs, 1, None), refs)] if refs else []
    heads = list(compress(refs, run_starts))
    run = np.cumsum(np.array(run_starts, dtype=np.bool_), dtype=np.int64) - 1
    if all(map(lt, heads, islice(heads, 1, None))):
        return run, heads
    by_ref = sorted(range(len(heads)), key=heads.__getitem__)
    sorted_heads = [heads[k] for k in by_ref]
    distinct = [True, *map(ne, islice(sorted_heads, 1, None), sorted_heads)]
    number = np.empty(len(heads), dtype=np.int64)
    number[by_ref] = np.cumsum(np.array(distinct, dtype=np.bool_), dtype=np.int64) - 1
    return number[run], list(compress(sorted_heads, distinct))


def by_value(values: Iterable[T], convert: Callable[[T], int]) -> Ints:
    """`convert` of each value as int64, worked out once per distinct value (equal values must
    convert alike)."""
    first_seen: dict[T, int] = {}
    first = np.fromiter(map(first_seen.setdefault, values, count()), dtype=np.int64)
    converted = np.zeros(len(first), dtype=np.int64)
    converted[list(first_seen.values())] = list(map(convert, first_seen))
    return converted[first]


@dataclass(frozen=True)
class RowGroups(Generic[R]):
    """Rows grouped by a key, each group stood for by its first row: whatever depends only on
    the key is worked out once per group, on that row."""

    first: Ints
    positions: list[int]
    representatives: list[R]

    @classmethod
    def of(cls, rows: Sequence[R], key: Callable[[R], Hashable]) -> RowGroups[R]:
        """The groups of rows with equal keys, in order of their first row."""
        seen: dict[Hashable, int] = {}
        first = np.fromiter(map(seen.setdefault, map(key, rows), count()), dtype=np.int64, count=len(rows))
        positions = list(seen.values())
        return cls(first, positions, [rows[k] for k in positions])

    def spread(self, value: Callable[[R], T], convert: Callable[[T], int]) -> Ints:
        """`convert(value(row))` for every row as int64, worked out once per distinct value
        among the first rows of the groups."""
        converted = np.zeros(len(self.first), dtype=np.int64)
        converted[self.positions] = by_value(map(value, self.representatives), convert)
        return converted[self.first]


def _microseconds(moment: datetime) -> int:
    """Microseconds since the epoch of a timestamp without a time zone."""
    return (moment - EPOCH) // MICROSECOND


def naive(moment: datetime) -> datetime:
    """A timestamp without a time zone (UTC when it had one)."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
