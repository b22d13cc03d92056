"""The snapshot as arrays: dense item indexes, int64 micro-unit quantities and day numbers.

Items are indexed in SKU order; BOM lines become a CSR table (components of parent `p` are
`bom_component[bom_start[p]:bom_start[p + 1]]`, in SKU order); customer demands are sorted by
rank (priority desc, ordered_at, order_ref, sequence, line_no), so a demand's rank is its row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from pegboard.planning.reasons import SupplyKind
from pegboard.planning.segments import Ints, positions
from pegboard.planning.snapshot import MAKE, PROCUREMENTS, PlanInput, PlanInputError

Bools = npt.NDArray[np.bool_]

SCALE = 1_000_000
ZERO = Decimal(0)
#: An open-term date: later than any real day, so "the latest of" works with max.
NONE = 1 << 40
#: "Holds nothing up": the ready date of stock, or of an MO without components.
NEG = -(1 << 40)
EPOCH = datetime(1970, 1, 1)
MICROSECOND = timedelta(microseconds=1)


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


def to_micro(values: Sequence[Decimal], what: str) -> Ints:
    """Exact int64 micro-units; more than six decimal places or a negative quantity is refused."""
    table = {}
    for value in set(values):
        scaled = Decimal(value).scaleb(6)
        if scaled != scaled.to_integral_value() or scaled < 0:
            raise PlanInputError(f"{what} {value} is negative or has more than six decimal places")
        table[value] = int(scaled)
    return np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=len(values))


def day_numbers(days: Iterable[object]) -> Ints:
    """Dates as day numbers (proleptic ordinals), None as NONE."""
    return np.array([NONE if d is None else d.toordinal() for d in days], dtype=np.int64)  # type: ignore[attr-defined]


def _optional(values: Sequence[Decimal | None], what: str) -> tuple[Ints, Bools]:
    present = np.array([v is not None for v in values], dtype=np.bool_)
    return to_micro([ZERO if v is None else v for v in values], what), present


def build_items(snapshot: PlanInput) -> Items:
    """The item table, its BOM in CSR form and each item's low-level code."""
    items = sorted(snapshot.items, key=lambda i: i.sku)
    skus = [i.sku for i in items]
    index = {sku: k for k, sku in enumerate(skus)}
    if len(index) != len(skus):
        raise PlanInputError("a SKU appears twice among the items")
    for item in items:
        if item.procurement not in PROCUREMENTS:
            raise PlanInputError(f"{item.sku}: unknown procurement {item.procurement!r}")
    purchase = [
        i.lead_time_days if i.supplier_lead_time_days is None else i.supplier_lead_time_days for i in items
    ]
    rop, has_rop = _optional([i.reorder_point for i in items], "reorder point")
    parent, component, per = _bom(snapshot, index)
    n = len(skus)
    start = np.searchsorted(parent, np.arange(n + 1)).astype(np.int64)
    return Items(
        skus=skus,
        index=index,
        make=np.array([i.procurement == MAKE for i in items], dtype=np.bool_),
        production_days=np.array([i.lead_time_days or 0 for i in items], dtype=np.int64),
        purchase_days=np.array([NONE if d is None else d for d in purchase], dtype=np.int64),
        supplier=[i.supplier for i in items],
        safety=to_micro([i.safety_stock or ZERO for i in items], "safety stock"),
        reorder_point=rop,
        has_reorder_point=has_rop,
        reorder_qty=_optional([i.reorder_qty for i in items], "reorder quantity")[0],
        min_qty=_optional([i.min_order_qty for i in items], "minimum order quantity")[0],
        multiple=_optional([i.order_multiple for i in items], "order multiple")[0],
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
    parent = _lookup(index, (b.parent_sku for b in lines), "a BOM line")
    component = _lookup(index, (b.component_sku for b in lines), "a BOM line")
    per = to_micro([b.quantity_per for b in lines], "quantity per")
    if (per == 0).any():
        raise PlanInputError("a BOM line has a quantity per unit of zero")
    n = max(len(index), 1)
    unique, inverse = np.unique(parent * n + component, return_inverse=True)
    summed = np.zeros(len(unique), dtype=np.int64)
    np.add.at(summed, inverse.reshape(-1), per)
    return unique // n, unique % n, summed


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
        item=item[order],
        kind=kind[order],
        quantity=quantity[order],
        when=when[order],
        seq=seq[order],
        pos=positions(item[order]),
        mo_start=np.concatenate([padding, mo_start])[order],
        mo_finish=np.concatenate([padding, mo_finish])[order],
    )


def build_demands(snapshot: PlanInput, items: Items) -> Demands:
    """Backorders in rank order: priority desc, ordered_at, order_ref, sequence, line_no."""
    demands = snapshot.demands
    n = len(demands)
    refs = list(map(attrgetter("order_ref"), demands))
    order_refs = sorted(dict.fromkeys(refs))
    order_id = dict(zip(order_refs, range(len(order_refs)), strict=True))
    order = np.fromiter(map(order_id.__getitem__, refs), dtype=np.int64, count=n)
    times = list(map(attrgetter("ordered_at"), demands))
    if any(map(attrgetter("tzinfo"), times)):
        times = [naive(t) for t in times]
    at = np.fromiter(((t - EPOCH) // MICROSECOND for t in times), dtype=np.int64, count=n)
    priority = np.fromiter(map(attrgetter("priority"), demands), dtype=np.int64, count=n)
    sequence = np.fromiter(map(attrgetter("sequence"), demands), dtype=np.int64, count=n)
    line_nos = list(map(attrgetter("line_no"), demands))
    row = np.lexsort((np.array(line_nos, dtype=np.int64), sequence, order, at, -priority)).astype(np.int64)
    quantity = to_micro(list(map(attrgetter("quantity"), demands)), "backordered quantity")
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


def naive(moment: datetime) -> datetime:
    """A timestamp without a time zone (UTC when it had one)."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
