"""The plan input: a snapshot of items, BOMs, stock, open supply orders and backorders, as plain data.

Quantities are `Decimal` with at most six decimal places (the micro-units the database stores);
dates are `date`, and "today" is part of the snapshot, so the same snapshot always gives the same plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any, overload

import numpy as np

from pegboard.planning.reliability import Reliability
from pegboard.planning.segments import Ints

BUY = "buy"
MAKE = "make"
DROPSHIP = "dropship"
PROCUREMENTS = (BUY, MAKE, DROPSHIP)


@dataclass(slots=True, unsafe_hash=True)
class PlanItem:
    """An item as planning sees it: how it is replenished, its lead times and its stock rules.

    `lead_time_days` is the production time of a make item and the item's own purchase lead
    time of a buy item; `None` on a buy item whose supplier gives none either means
    unpredictable: a planned purchase of it has no honest arrival date (open term).

    Not frozen, though nothing changes one once made (`dataclasses.replace` makes another), and
    hashed by its fields as before: a frozen dataclass sets each field through
    `object.__setattr__`, five times slower to build, and a snapshot holds one per item (100k at
    a large shop), as it does a BOM line, an open PO line and an open MO (BENCHMARKS.md,
    "confirmday3"; `BackorderDemand` likewise).
    """

    sku: str
    procurement: str = BUY
    lead_time_days: int | None = None
    supplier: str | None = None
    supplier_lead_time_days: int | None = None
    safety_stock: Decimal = Decimal(0)
    reorder_point: Decimal | None = None
    reorder_qty: Decimal | None = None
    min_order_qty: Decimal | None = None
    order_multiple: Decimal | None = None


@dataclass(slots=True, unsafe_hash=True)
class PlanBomLine:
    """One component of a make item and how much of it goes into one parent unit."""

    parent_sku: str
    component_sku: str
    quantity_per: Decimal


@dataclass(slots=True, unsafe_hash=True)
class OpenPurchaseLine:
    """What is still expected on one line of an open PO; no expected date means open term."""

    po_ref: str
    sku: str
    open_quantity: Decimal
    expected_date: date | None
    #: The PO's supplier, whose delivery history may move the date (`planning.reliable`).
    supplier: str | None = None
    #: The day the PO was placed: a PO without an expected date is dated from it once its
    #: supplier's real lead times are learned.
    ordered_on: date | None = None


@dataclass(slots=True, unsafe_hash=True)
class OpenManufacturingOrder:
    """What is still to be made on an open MO; its components are consumed when it completes."""

    mo_ref: str
    sku: str
    open_quantity: Decimal
    start_date: date
    finish_date: date
    #: The configuration it makes (`planning.configurations`); "" = the plain item.
    options: str = ""
    #: Its direct components on hand reserved for it, (sku, quantity): pegged to it, they are not
    #: in `available`, and it needs only the rest.
    reserved: tuple[tuple[str, Decimal], ...] = ()


@dataclass(slots=True)
class BackorderDemand:
    """The backordered part of one order line: needed as soon as possible, ranked by its order.

    Demand is served by priority (higher first), then `ordered_at`, then `order_ref`, then
    `sequence` and `line_no`. A preorder carries its item's `release_date`: it is planned like
    any demand, but never promised before that day.

    Not frozen, though nothing changes one once made (`dataclasses.replace` makes another): a
    frozen dataclass sets each field through `object.__setattr__`, four times slower to build,
    and a snapshot holds one per open line, a million at a large shop (BENCHMARKS.md, "whatif").
    """

    order_ref: str
    line_no: int
    sku: str
    quantity: Decimal
    priority: int = 0
    ordered_at: datetime = datetime(2000, 1, 1)
    sequence: int = 0
    release_date: date | None = None
    #: The order line's id in the store, when the snapshot comes from one (promises are kept by it).
    line_id: int | None = None
    #: A configured line's choices (`planning.configurations`); "" = a plain line.
    options: str = ""


@dataclass(frozen=True, slots=True)
class PlanConfiguration:
    """One configuration of a make item and the components one unit of it takes."""

    sku: str
    options: str
    bom: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True, slots=True)
class DropshipDemand:
    """The open part of a drop-ship line: its supplier ships it to the customer, on the date of
    its drop-ship PO (None: no date yet). It is never netted against our stock or supply."""

    order_ref: str
    line_no: int
    sku: str
    quantity: Decimal
    po_ref: str | None
    supplier: str | None
    expected_date: date | None
    line_id: int | None = None


@dataclass(frozen=True, slots=True)
class HeldLine:
    """The allocated quantity of a line of a ship-complete order that still waits for another line:
    it is in stock, held until the whole order can leave."""

    order_ref: str
    line_no: int
    sku: str
    quantity: Decimal
    line_id: int | None = None


@dataclass(frozen=True, eq=False)
class DemandColumns:
    """A snapshot's demands as the columns planning works them into, read with them by the store
    (a whole snapshot's million lines: `adapters/db/planning/demand.py`), so that
    `arrays.build_demands` need not take them out of a million objects again.

    One row per demand, in the demands' order, which is by order (`sequence`) then `line_no`.
    They stand only for the very list they were read with (`of`): a snapshot whose demands were
    replaced (`dataclasses.replace`, `planning.configurations`) is worked out from its objects.
    """

    #: The demands these columns stand for.
    of: Sequence[BackorderDemand]
    #: Each demand's order: an index into the order columns below.
    order: Ints
    #: Per order, the orders of the demands and nothing else: ref, priority, `ordered_at` as
    #: microseconds since the epoch (no time zone), and `sequence`.
    order_refs: list[str]
    priority: Ints
    at: Ints
    sequence: Ints
    #: Each demand's SKU: an index into `sku_names`.
    item: Ints
    sku_names: list[str]
    line_no: Ints
    #: The backordered quantities in micro-units.
    quantity: Ints
    #: The demands' own columns, as lists: refs, line numbers, SKUs and line ids.
    refs: list[str]
    line_nos: list[int]
    skus: list[str]
    line_ids: list[int | None]
    #: Each demand's release day (`date.toordinal`, 0 for none); None when no demand is a preorder.
    release: Ints | None
    #: The options of the configured demands, by their place among the demands.
    options: Mapping[int, str]


class MadeOnDemand(Sequence[BackorderDemand]):
    """Demands made only when first asked for: a whole snapshot's are worked into arrays from its
    columns (`DemandColumns`), and its readers that need no single demand (the engine's, on a
    shop without preorders or configured lines) read the columns too; so a million objects are
    made only for a reader that walks them (a what-if, a quote, a narrowed plan).

    Equal to a sequence of the same demands, and pickled as their list."""

    __slots__ = ("_size", "_make", "_made")

    def __init__(self, size: int, make: Callable[[], list[BackorderDemand]]) -> None:
        self._size = size
        self._make: Callable[[], list[BackorderDemand]] | None = make
        self._made: list[BackorderDemand] | None = None

    def made(self) -> bool:
        """Whether the demands were made already."""
        return self._made is not None

    def _demands(self) -> list[BackorderDemand]:
        if self._made is None:
            assert self._make is not None
            made = self._make()
            if len(made) != self._size:
                raise ValueError(f"made {len(made)} demands, not {self._size}")
            self._made, self._make = made, None
        return self._made

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> BackorderDemand: ...
    @overload
    def __getitem__(self, index: slice) -> list[BackorderDemand]: ...
    def __getitem__(self, index: int | slice) -> BackorderDemand | list[BackorderDemand]:
        return self._demands()[index]

    def __iter__(self) -> Iterator[BackorderDemand]:
        return iter(self._demands())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MadeOnDemand):
            other = other._demands()
        return isinstance(other, Sequence) and self._demands() == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (self._demands(),))

    def __repr__(self) -> str:
        return repr(self._demands())


def columns_of(snapshot: PlanInput) -> DemandColumns | None:
    """The snapshot's demand columns when they stand for its very demands (not for demands since
    replaced: `dataclasses.replace`, `planning.configurations`)."""
    columns = snapshot.demand_columns
    return columns if columns is not None and columns.of is snapshot.demands else None


def release_days(snapshot: PlanInput) -> Ints | None:
    """Each demand's release day (`date.toordinal`, 0 for none); None when no demand is a preorder."""
    columns = columns_of(snapshot)
    if columns is not None:
        return columns.release
    demands = snapshot.demands
    # any() walks a million demands in C: next to nothing when no preorder waits.
    if not any(map(attrgetter("release_date"), demands)):
        return None
    return np.array(
        [0 if d.release_date is None else d.release_date.toordinal() for d in demands], dtype=np.int64
    )


def configured_demands(snapshot: PlanInput) -> set[tuple[str, str]]:
    """The (sku, options) of the configured demands."""
    return configured_in(snapshot.demands, columns_of(snapshot))


def configured_in(demands: Sequence[BackorderDemand], columns: DemandColumns | None) -> set[tuple[str, str]]:
    """The (sku, options) of the configured demands, from `columns` when they stand for these
    demands (not walked then), else from the demands."""
    if columns is not None:
        return {(columns.skus[k], options) for k, options in columns.options.items()}
    return {(d.sku, d.options) for d in demands if d.options}


@dataclass(frozen=True)
class PlanInput:
    """Everything one planning run reads; nothing else is queried while planning."""

    today: date
    items: Sequence[PlanItem]
    bom_lines: Sequence[PlanBomLine] = ()
    available: Mapping[str, Decimal] = field(default_factory=dict)
    purchase_lines: Sequence[OpenPurchaseLine] = ()
    manufacturing_orders: Sequence[OpenManufacturingOrder] = ()
    demands: Sequence[BackorderDemand] = ()
    dropships: Sequence[DropshipDemand] = ()
    #: Set on a snapshot narrowed around a change (`planning.scope`): only the lines of these
    #: SKUs are promised exactly; the rest of it is there to plan them right.
    affected: frozenset[str] | None = None
    #: On a narrowed snapshot merged into a kept plan (`planning.net_change`): each order's latest
    #: day (a day number, `arrays.NONE` for open term) among its lines outside `affected`, as the
    #: kept plan promised them; the queue then counts an order made whole from the pieces of
    #: its `affected` lines and that day, not from lines outside, which the snapshot dates
    #: otherwise or does not hold.
    latest_elsewhere: Mapping[str, int] | None = None
    #: Orders with ship policy complete: every line of one is promised the order's date.
    ship_complete: frozenset[str] = frozenset()
    #: Allocated lines of those orders held for a line that still waits (`planning.whole_orders`).
    held: Sequence[HeldLine] = ()
    #: What suppliers' receipts say (per supplier, and per supplier and SKU with enough history):
    #: a PO or a lead time of theirs is dated at `confidence` of it (`planning.reliable`).
    reliability: Sequence[Reliability] = ()
    #: The share of a supplier's deliveries a reliability-adjusted date must cover (None: the
    #: stated dates are used as they are).
    confidence: float | None = None
    #: The BOM of each configuration that lines or MOs use (`planning.configurations`).
    configurations: Sequence[PlanConfiguration] = ()
    #: Stock kept for one configuration, by (sku, options): part of the item's on hand that is
    #: not in `available` (it is reserved for that configuration's lines only).
    configured_stock: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)
    #: `demands` as columns, when the store read them so (`DemandColumns`).
    demand_columns: DemandColumns | None = field(default=None, compare=False, repr=False)


class PlanInputError(ValueError):
    """The snapshot cannot be planned: an unknown SKU, a BOM cycle or a bad quantity."""
