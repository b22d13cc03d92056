"""The production queue from the plan, and one manufacturing order with its pick list.

The queue is the plan's (`PlanResult.production_queue`): what can be made now first, then
what makes the most orders whole. Each entry is an open MO or a planned one (PLANNED-n, a
suggestion until confirmed), with the orders it completes and each material still missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, select

from pegboard.adapters.db import tables as t
from pegboard.domain.items import BomLine
from pegboard.domain.ledger import MoveKind
from pegboard.domain.options import ItemOptions, parse_choices
from pegboard.domain.quantities import Quantity
from pegboard.planning.configurations import split_sku
from pegboard.planning.result import FeasibleDates, PlanResult
from pegboard.services.users import Action
from pegboard.views.options import item_options
from pegboard.views.stored_plan import PLANNED_NOW, PlanState


@dataclass(frozen=True)
class Missing:
    """A component still missing and the day it becomes available (None: open term)."""

    sku: str
    quantity: Decimal
    available_date: date | None


@dataclass(frozen=True)
class QueueRow:
    """One MO or planned MO in the order to make things."""

    rank: int
    ref: str
    planned: bool
    sku: str
    name: str
    quantity: Decimal
    start_date: date | None
    finish_date: date | None
    completes: tuple[str, ...]
    missing: tuple[Missing, ...]
    #: A confirmed MO whose materials come after its own start: why, and the dates the user gave
    #: it (the row's dates are the ones its materials allow); None for the others.
    late_because: str | None = None
    own_start: date | None = None
    own_finish: date | None = None

    @property
    def ready(self) -> bool:
        """Nothing is missing: it can be made now."""
        return not self.missing


def production_queue(conn: Connection, result: PlanResult, *, first_rank: int = 1) -> list[QueueRow]:
    """The plan's production queue (or the part of it from `first_rank` on), ranked, with item names."""
    # A configured MO's planned name (`SABER [HILT=engraved]`) is named after its item.
    names = item_names(conn, {split_sku(e.sku)[0] for e in result.production_queue})
    return [
        QueueRow(
            rank=n,
            ref=e.ref,
            planned=e.ref.startswith("PLANNED-"),
            sku=e.sku,
            name=names.get(split_sku(e.sku)[0], e.sku),
            quantity=e.quantity,
            start_date=e.start_date,
            finish_date=e.finish_date,
            completes=tuple(e.completes),
            missing=tuple(Missing(m.sku, m.quantity, m.available_date) for m in e.missing),
        )
        for n, e in enumerate(result.production_queue, start=first_rank)
    ]


def with_late_materials(
    conn: Connection, rows: list[QueueRow], dates: Mapping[str, FeasibleDates]
) -> list[QueueRow]:
    """The queue rows with each confirmed MO whose materials come late (`dates`, by ref) saying why,
    beside the start and finish the user gave it."""
    late = {row.ref for row in rows if not row.planned and _late(dates.get(row.ref))}
    if not late:
        return rows
    mo = t.manufacturing_orders.c
    own = {
        r.mo_ref: (r.start_date, r.finish_date)
        for r in conn.execute(
            select(mo.mo_ref, mo.start_date, mo.finish_date).where(mo.mo_ref.in_(sorted(late)))
        )
    }
    return [
        replace(
            row,
            late_because=dates[row.ref].late_because,
            own_start=own[row.ref][0],
            own_finish=own[row.ref][1],
        )
        if row.ref in late and row.ref in own
        else row
        for row in rows
    ]


def _late(dates: FeasibleDates | None) -> bool:
    return dates is not None and dates.late_because is not None


def item_names(conn: Connection, skus: Iterable[str]) -> dict[str, str]:
    """Each SKU's item name."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    rows = conn.execute(select(t.items.c.sku, t.items.c.name).where(t.items.c.sku.in_(wanted)))
    return {r.sku: r.name for r in rows}


@dataclass(frozen=True)
class PickLine:
    """A component to take from stock for the rest of an MO: how much, and how much is there."""

    sku: str
    name: str
    per_unit: Decimal
    needed: Decimal
    on_hand: Decimal
    available: Decimal
    #: What is on hand reserved for this MO (`services.reserving`): no order or other MO takes it.
    reserved: Decimal = Decimal(0)

    @property
    def short(self) -> Decimal:
        """What the shelf lacks for this pick (0 when it holds enough)."""
        return max(self.needed - self.on_hand, Decimal(0))

    @property
    def missing(self) -> Decimal:
        """What is neither reserved for the MO nor free to reserve now (0 when nothing is)."""
        return max(self.needed - self.reserved - max(self.available, Decimal(0)), Decimal(0))


@dataclass(frozen=True)
class Completion:
    """Output booked for an MO on a day."""

    day: date
    quantity: Decimal


@dataclass(frozen=True)
class DateChange:
    """An expected date moved, on the day it was changed (old None: it had none)."""

    changed_on: date
    old_date: date | None
    new_date: date


@dataclass(frozen=True)
class MoDetail:
    """One manufacturing order: progress, dates, the components to pick, completions and reschedules."""

    mo_ref: str
    sku: str
    name: str
    quantity: Decimal
    completed: Decimal
    start_date: date
    finish_date: date
    status: str
    picks: tuple[PickLine, ...]
    completions: tuple[Completion, ...]
    reschedules: tuple[DateChange, ...]
    #: The configuration it makes (`COLOUR=green;HILT=engraved`); "" = the plain item.
    options: str = ""

    @property
    def choices(self) -> str:
        """The choices in words, "COLOUR: green, HILT: engraved" ("" for the plain item)."""
        return ", ".join(f"{option}: {value}" for option, value in parse_choices(self.options).items())

    @property
    def open_quantity(self) -> Decimal:
        """What is still to make."""
        return self.quantity - self.completed

    @property
    def closed(self) -> bool:
        """Completed or cancelled: nothing more can be booked."""
        return self.status in ("completed", "cancelled")


def manufacturing_order(conn: Connection, mo_ref: str) -> MoDetail | None:
    """The MO by ref with its pick list for the open quantity; None when there is none."""
    mo, it = t.manufacturing_orders, t.items
    row = conn.execute(
        select(mo, it.c.sku, it.c.name).join(it, it.c.id == mo.c.item_id).where(mo.c.mo_ref == mo_ref)
    ).first()
    if row is None:
        return None
    picks = _picks(
        conn, row.item_id, row.sku, row.options, open_quantity=row.quantity - row.completed, mo_id=row.id
    )
    sm = t.stock_moves
    completions = tuple(
        Completion(r.moved_on, r.quantity)
        for r in conn.execute(
            select(sm.c.moved_on, sm.c.quantity)
            .where(
                sm.c.reference == mo_ref, sm.c.kind == MoveKind.PRODUCTION.value, sm.c.item_id == row.item_id
            )
            .order_by(sm.c.id)
        )
    )
    return MoDetail(
        mo_ref=row.mo_ref,
        sku=row.sku,
        name=row.name,
        quantity=row.quantity,
        completed=row.completed,
        start_date=row.start_date,
        finish_date=row.finish_date,
        status=row.status,
        picks=picks,
        completions=completions,
        reschedules=date_changes(conn, mo_ref),
        options=row.options,
    )


def _picks(
    conn: Connection, item_id: int, sku: str, options: str, *, open_quantity: Decimal, mo_id: int
) -> tuple[PickLine, ...]:
    """The components of the open quantity: the item's BOM, changed by the MO's configuration,
    each with what is reserved for the MO."""
    it, bl = t.items, t.bom_lines
    lines = [
        BomLine(r.sku, Quantity(r.quantity))
        for r in conn.execute(
            select(it.c.sku, bl.c.quantity)
            .join(bl, bl.c.component_id == it.c.id)
            .where(bl.c.parent_id == item_id)
        )
    ]
    if options:
        lines = (
            ItemOptions(sku, ()).bom(lines, "")
            if (found := item_options(conn, sku)) is None
            else found.bom(lines, options)
        )
    facts = {
        r.sku: r
        for r in conn.execute(
            select(it.c.sku, it.c.name, it.c.on_hand, it.c.allocated).where(
                it.c.sku.in_([line.component_sku for line in lines])
            )
        )
    }
    mr = t.mo_reservations.c
    reserved: dict[str, Decimal] = dict(
        conn.execute(
            select(it.c.sku, mr.quantity).join(it, it.c.id == mr.item_id).where(mr.mo_id == mo_id)
        ).all()
    )
    return tuple(
        PickLine(
            sku=line.component_sku,
            name=facts[line.component_sku].name,
            per_unit=line.quantity_per,
            needed=line.quantity_per * open_quantity,
            on_hand=facts[line.component_sku].on_hand,
            available=facts[line.component_sku].on_hand - facts[line.component_sku].allocated,
            reserved=reserved.get(line.component_sku, Decimal(0)),
        )
        for line in sorted(lines, key=lambda line: line.component_sku)
    )


def date_changes(conn: Connection, supply_ref: str) -> tuple[DateChange, ...]:
    """A PO's or MO's expected-date history, oldest first."""
    ch = t.expected_date_changes
    return tuple(
        DateChange(r.changed_on, r.old_date, r.new_date)
        for r in conn.execute(
            select(ch.c.changed_on, ch.c.old_date, ch.c.new_date)
            .where(ch.c.supply_ref == supply_ref)
            .order_by(ch.c.id)
        )
    )


@dataclass(frozen=True)
class ProductionPage:
    """The /production page: the queue, or (floor view) what to make today in large type."""

    #: The business date: what can start today, and dates in words.
    today: date
    #: The plan's production queue, ranked.
    queue: tuple[QueueRow, ...]
    #: The shop-floor view: only what can start today, large type, few controls.
    floor: bool
    #: Show the Complete, Reschedule and Confirm forms (operators and admins).
    can_write: bool
    #: Values typed into a refused form, by field name, to show them again.
    values: dict[str, str]
    #: Where the plan shown comes from: the stored plan (out of date or not), or planned now.
    plan_state: PlanState = PLANNED_NOW
    #: How many entries of the queue come before this page.
    offset: int = 0
    #: Entries per page.
    limit: int = 50
    #: Another page of the queue follows this one.
    more: bool = False

    @property
    def today_rows(self) -> tuple[QueueRow, ...]:
        """What can be made today: nothing missing and its start date has come (or has none)."""
        return tuple(
            r for r in self.queue if r.ready and (r.start_date is None or r.start_date <= self.today)
        )


@dataclass(frozen=True)
class MoPage:
    """The /manufacturing-orders/{ref} page: the MO, its pick list, and its forms."""

    #: The business date: a finish date before it is late.
    today: date
    #: The manufacturing order with its pick list.
    mo: MoDetail
    #: Show the Complete and Reschedule forms (operators and admins).
    can_write: bool
    #: Values typed into a refused form, by field name.
    values: dict[str, str]
    #: What people did to it through the web app, newest first.
    history: tuple[Action, ...] = ()
    #: The dates its materials allow and why they are later than its own (`planning.late_supply`);
    #: None when it is closed or keeps its own dates.
    materials: FeasibleDates | None = None
    #: The plan those dates come from: the stored plan (out of date or not), or planned now.
    plan_state: PlanState = PLANNED_NOW
