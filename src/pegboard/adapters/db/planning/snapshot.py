"""The planning snapshot read in a few bulk queries: items, BOMs, stock, open supply and demand."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any

from sqlalchemy import BigInteger, Connection, select, type_coerce, union_all

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.learning import deliveries, overdue
from pegboard.adapters.db.planning.demand import DemandQueries, dropship_rows
from pegboard.adapters.db.planning.line_columns import lines_as_of, read_as_of, snapshot_as_of
from pegboard.adapters.db.planning.queries import Decimals, among_items, driver_rows, local_settings
from pegboard.adapters.db.repositories.catalogue import read_options
from pegboard.adapters.db.repositories.item_cache import TransactionItemCache
from pegboard.adapters.db.slices import in_ids
from pegboard.adapters.db.stock_totals import StockTotals
from pegboard.domain.items import BomLine
from pegboard.domain.options import ItemOptions
from pegboard.domain.quantities import Quantity
from pegboard.planning.collector import collector_paused
from pegboard.planning.reliability import (
    Delivery,
    Reliability,
    item_reliability,
    supplier_reliability,
    with_overdue,
)
from pegboard.planning.scope import closure
from pegboard.planning.snapshot import (
    OpenManufacturingOrder,
    OpenPurchaseLine,
    PlanBomLine,
    PlanConfiguration,
    PlanInput,
    PlanItem,
    configured_in,
)


def configurations_of(
    conn: Connection,
    wanted: Collection[tuple[str, str]],
    boms: Iterable[PlanBomLine],
    known: Collection[str] | None = None,
) -> list[PlanConfiguration]:
    """The BOM of each (sku, options) configuration: the item's BOM changed by its chosen values.

    With `known` (the SKUs of a narrowed snapshot), only components among them are kept, as the
    snapshot keeps only BOM lines between its own items (`planning.scope`)."""
    if not wanted:
        return []
    options = read_options(conn, {sku for sku, _ in wanted})
    base: dict[str, list[BomLine]] = {}
    for line in boms:
        base.setdefault(line.parent_sku, []).append(BomLine(line.component_sku, Quantity(line.quantity_per)))
    found = []
    for sku, chosen in sorted(wanted):
        item_options = options.get(sku, ItemOptions(sku, ()))
        lines = item_options.bom(base.get(sku, []), chosen)
        if known is not None:
            lines = [x for x in lines if x.component_sku in known]
        found.append(PlanConfiguration(sku, chosen, tuple((x.component_sku, x.quantity_per) for x in lines)))
    return found


class PlanSnapshots(DemandQueries):
    """Reads what planning needs in a few bulk queries."""

    conn: Connection
    totals: StockTotals
    confidence: float | None
    item_cache: TransactionItemCache

    def snapshot(
        self,
        today: date,
        *,
        around: Iterable[str] | None = None,
        lines_of_around: bool = False,
        orders: Collection[str] | None = None,
    ) -> PlanInput:
        """Items, BOMs, available stock, open POs and MOs, and every open line, as plain data.

        Backorders and preorders (with their item's release date) are the demand; drop-ship lines
        come apart with their PO, and drop-ship POs are not supply for our warehouse.

        With `around` (SKUs that just changed), only what re-promising after that change needs is
        read, and `affected` names the SKUs whose lines it promises (`planning.scope`). With
        `lines_of_around` too, only what promising new lines of the `around` SKUs themselves needs
        is read (their supply below and all demand on it, `planning.quoting`), and `affected` is
        `around`: a quote, not a re-promise of everything the change reaches. With `orders`,
        only those orders' lines are read (`planning.net_change` takes the others from the kept plan).
        """
        # A whole snapshot is millions of small objects (a row, then a demand, per open line) and
        # no reference cycles: a collection meanwhile would only walk them again (a third of the
        # read at L; `planning.collector`).
        # The snapshot's queries each read many rows once: PostgreSQL lost more compiling them
        # (JIT, for any query it deems costly, as a narrowed read's BOM walks) than it gained.
        with collector_paused(), local_settings(self.conn, jit="off"):
            return self._snapshot(today, around, lines_of_around=lines_of_around, orders=orders)

    def _snapshot(
        self,
        today: date,
        around: Iterable[str] | None,
        *,
        lines_of_around: bool,
        orders: Collection[str] | None,
    ) -> PlanInput:
        affected: frozenset[str] | None = None
        ids: list[int] | None = None
        # A whole snapshot's open lines, and its reads that wait on the server without needing
        # anything read first, are read beside the rest, as of this snapshot (`snapshot_as_of`).
        as_of = snapshot_as_of(self.conn) if around is None and orders is None else None
        beside = None if as_of is None else lines_as_of(as_of)
        others = (
            None
            if as_of is None
            else read_as_of(as_of, lambda side: _read_beside(side, today, self.confidence is not None))
        )
        if around is None:
            sku_of: dict[int, str] = dict(driver_rows(self.conn, select(t.items.c.id, t.items.c.sku)))
            self.item_cache.know(sku_of)  # the promises' store then reads no item again (`_item_ids`)
        else:
            # Walk the BOMs in the database (`planning.scope.scope_of`), so a re-promise reads
            # only the few items a change can reach, not the whole catalogue.
            changed = list(
                self.conn.execute(
                    select(t.items.c.id).where(t.items.c.sku.in_(sorted(set(around))))
                ).scalars()
            )
            links = self._links()
            reach = links.up_down(changed)
            while not lines_of_around:
                # A line of a ship-complete order moves with its order's other lines: their
                # items change with it, until no such order reaches outside (`planning.ship_complete`).
                more = self._whole_order_items(sorted(reach)) - set(changed)
                if not more:
                    break
                changed += sorted(more)
                reach = links.up_down(changed)
            ids = sorted(reach if lines_of_around else links.up_down(reach))
            sku_of = dict(
                self.conn.execute(
                    select(t.items.c.id, t.items.c.sku).where(in_ids(t.items.c.id, ids, self.conn))
                ).all()
            )
            affected = frozenset(sku_of[i] for i in (changed if lines_of_around else reach))
        bom = t.bom_lines.c
        # Raw micro-units, each distinct quantity converted once (not once per BOM line).
        bom_query = select(bom.parent_id, bom.component_id, type_coerce(bom.quantity, BigInteger)).order_by(
            bom.parent_id, bom.component_id
        )
        if ids is not None:
            bom_query = bom_query.where(
                in_ids(bom.parent_id, ids, self.conn), in_ids(bom.component_id, ids, self.conn)
            )
        # Column by column, each value looked up by C code (`map`), not line by line in Python.
        per = Decimals()
        parents, components, pers = _columns(driver_rows(self.conn, bom_query), 3)
        boms = list(
            map(
                PlanBomLine,
                map(sku_of.__getitem__, parents),
                map(sku_of.__getitem__, components),
                per.column(pers),
            )
        )
        it, sup = t.items.c, t.suppliers.c
        units = [
            type_coerce(column, BigInteger)
            for column in (
                it.safety_stock,
                it.reorder_point,
                it.reorder_qty,
                it.min_order_qty,
                it.order_multiple,
            )
        ]
        query = (
            select(
                it.sku,
                it.procurement,
                it.lead_time_days,
                sup.name,
                sup.lead_time_days,
                it.release_date,
                *units,
            )
            .outerjoin(t.suppliers, sup.id == it.supplier_id)
            .order_by(it.sku)
        )
        rows = driver_rows(self.conn, query if ids is None else query.where(in_ids(it.id, ids, self.conn)))
        skus, procurements, leads, supplier_names, supplier_leads, releases, *quantities = _columns(rows, 11)
        decimal = Decimals()
        safety, *optional = quantities
        items = list(
            map(
                PlanItem,
                skus,
                procurements,
                leads,
                supplier_names,
                supplier_leads,
                decimal.column(safety),
                *map(decimal.maybe_column, optional),
            )
        )
        release_of = {sku: day for sku, day in zip(skus, releases, strict=True) if day is not None}
        # What needs no open line first: read meanwhile, the lines are then there to take.
        read = None if others is None else others.result()
        dropships = self._dropships(sku_of, ids, orders, None if read is None else read.dropships)
        manufacturing_orders = self._manufacturing_orders(sku_of, ids)
        purchase_lines = self._purchase_lines(sku_of, ids, None if read is None else read.purchase_lines)
        available = self._available(sku_of, ids)
        demands, demand_columns = self._demands(sku_of, ids, release_of, orders, beside)
        # A whole snapshot's columns name its configured lines: its demands are not walked.
        configured = configured_in(demands, demand_columns)
        # A whole snapshot's columns hold each order's ref once, not once per line.
        order_refs = (
            set(demand_columns.order_refs)
            if demand_columns is not None
            else set(map(attrgetter("order_ref"), demands))
        )
        complete = self._ship_complete(order_refs | {d.order_ref for d in dropships})
        suppliers = None
        if ids is not None:
            # A narrowed snapshot learns only from the suppliers it can meet.
            named = [i.supplier for i in items] + [p.supplier for p in purchase_lines]
            suppliers = sorted({name for name in named if name is not None})
        return PlanInput(
            today=today,
            items=items,
            bom_lines=boms,
            available=available,
            configured_stock=self._configured_stock(sku_of, ids),
            purchase_lines=purchase_lines,
            manufacturing_orders=manufacturing_orders,
            demands=demands,
            demand_columns=demand_columns,
            dropships=dropships,
            affected=affected,
            ship_complete=complete,
            held=self._held(complete),
            reliability=self._reliability(suppliers, today, None if read is None else read.history),
            confidence=self.confidence,
            configurations=configurations_of(
                self.conn,
                configured | {(m.sku, m.options) for m in manufacturing_orders if m.options},
                boms,
                None if ids is None else set(sku_of.values()),
            ),
        )

    def _reliability(
        self, suppliers: list[str] | None, today: date, history: list[Delivery] | None = None
    ) -> list[Reliability]:
        """Every supplier's figures (or these suppliers'), and each supplier and SKU's with enough
        history, learned from their receipts and their PO lines still open past their date
        (`planning/reliability.py`); none when promises use the stated dates or no supplier is
        concerned; from `history` when read already."""
        if self.confidence is None or suppliers == []:
            return []
        if history is None:
            history = with_overdue(
                deliveries(self.conn, suppliers=suppliers), overdue(self.conn, today, suppliers=suppliers)
            )
        return [*supplier_reliability(history), *item_reliability(history).values()]

    def _links(self) -> _Links:
        """Every BOM link between items by id, an option's component among them (a
        configuration's BOM may name it): one read of a few hundred thousand pairs at most, where
        walking them in the database took a query per step, each seconds at L."""
        bom, io = t.bom_lines.c, t.item_options.c
        edges = union_all(
            select(bom.parent_id, bom.component_id),
            select(io.item_id, io.component_id).where(io.component_id.is_not(None)),
        )
        links = _Links()
        for parent, component in self.conn.execute(edges).all():
            links.parents.setdefault(component, []).append(parent)
            links.components.setdefault(parent, []).append(component)
        return links

    def _available(self, sku_of: dict[int, str], ids: list[int] | None) -> dict[str, Decimal]:
        """On hand less allocated, from the totals kept on the items' rows (`stock_totals.py`),
        with this transaction's own changes written to them first."""
        self.totals.flush()
        items = t.items.c
        free = type_coerce(items.on_hand, BigInteger) - type_coerce(items.allocated, BigInteger)
        query = among_items(select(items.id, free), items.id, ids, self.conn).where(
            items.on_hand > items.allocated
        )
        item_ids, units = _columns(driver_rows(self.conn, query), 2)
        return dict(zip(map(sku_of.__getitem__, item_ids), Decimals().column(units), strict=True))

    def _configured_stock(
        self, sku_of: dict[int, str], ids: list[int] | None
    ) -> dict[tuple[str, str], Decimal]:
        """The stock kept for each configuration (`configured_stock`), by (sku, options)."""
        c = t.configured_stock.c
        query = among_items(
            select(c.item_id, c.options, type_coerce(c.quantity, BigInteger)), c.item_id, ids, self.conn
        )
        decimal = Decimals()
        return {
            (sku_of[item_id], options): decimal(units)
            for item_id, options, units in self.conn.execute(query)
            if item_id in sku_of
        }

    def _purchase_lines(
        self, sku_of: dict[int, str], ids: list[int] | None, rows: Sequence[tuple[Any, ...]] | None = None
    ) -> list[OpenPurchaseLine]:
        """The open PO lines (of these items) that are supply for our warehouse, by PO and line; from
        `rows` when read already (`purchase_line_rows`)."""
        if rows is None:
            rows = purchase_line_rows(self.conn, ids)
        # Column by column, each distinct quantity and PO time converted once.
        refs, item_ids, units, expected, suppliers, created = _columns(rows, 6)
        placed = {at: at.date() for at in set(created)}
        return list(
            map(
                OpenPurchaseLine,
                refs,
                map(sku_of.__getitem__, item_ids),
                Decimals().column(units),
                expected,
                suppliers,
                map(placed.__getitem__, created),
            )
        )

    def _manufacturing_orders(
        self, sku_of: dict[int, str], ids: list[int] | None
    ) -> list[OpenManufacturingOrder]:
        mo = t.manufacturing_orders
        c = mo.c
        query = select(
            c.id,
            c.mo_ref,
            c.item_id,
            type_coerce(c.quantity, BigInteger),
            type_coerce(c.completed, BigInteger),
            c.start_date,
            c.finish_date,
            c.materials_on,
            c.options,
        )
        rows = driver_rows(
            self.conn,
            among_items(query, c.item_id, ids, self.conn)
            .where(c.status.not_in(["completed", "cancelled"]))
            .order_by(c.id),
        )
        decimal = Decimals()
        reserved: dict[int, tuple[tuple[str, Decimal], ...]] = {}
        if rows:
            r = t.mo_reservations.c
            reservations = (
                select(r.mo_id, r.item_id, type_coerce(r.quantity, BigInteger))
                .join(mo, c.id == r.mo_id)
                .where(c.status.not_in(["completed", "cancelled"]))
                .order_by(r.mo_id, r.item_id)
            )
            mo_ids, item_ids, units = _columns(
                driver_rows(self.conn, among_items(reservations, c.item_id, ids, self.conn)), 3
            )
            by_mo: dict[int, list[tuple[str, Decimal]]] = {}
            for mo_id, item_id, quantity in zip(mo_ids, item_ids, decimal.column(units), strict=True):
                sku = sku_of.get(item_id)
                if sku is not None:
                    by_mo.setdefault(mo_id, []).append((sku, quantity))
            reserved = {mo_id: tuple(found) for mo_id, found in by_mo.items()}
        # Column by column: each distinct quantity and completed pair worked out once.
        mo_ids, refs, item_ids, quantities, completed, starts, finishes, materials, chosen = _columns(rows, 9)
        pairs = list(zip(quantities, completed, strict=True))
        left = {pair: decimal(pair[0]) - decimal(pair[1]) for pair in set(pairs)}
        dates = list(map(_started, starts, finishes, materials))
        return list(
            map(
                OpenManufacturingOrder,
                refs,
                map(sku_of.__getitem__, item_ids),
                map(left.__getitem__, pairs),
                [start for start, _ in dates],
                [finish for _, finish in dates],
                chosen,
                [reserved.get(mo_id, ()) for mo_id in mo_ids],
            )
        )


def purchase_line_rows(conn: Connection, ids: list[int] | None = None) -> Sequence[tuple[Any, ...]]:
    """The open PO lines (of these items) not serving a drop-ship line, as rows: PO ref, item id,
    open micro-units, expected date, supplier, PO time."""
    po, pol, sup = t.purchase_orders, t.purchase_order_lines, t.suppliers
    query = select(
        po.c.po_ref,
        pol.c.item_id,
        type_coerce(pol.c.quantity - pol.c.received, BigInteger).label("units"),
        pol.c.expected_date,
        sup.c.name,
        po.c.created_at,
    )
    return driver_rows(
        conn,
        among_items(query, pol.c.item_id, ids, conn)
        .join(po, po.c.id == pol.c.po_id)
        .join(sup, sup.c.id == po.c.supplier_id)
        .where(
            pol.c.received < pol.c.quantity,
            po.c.status.not_in(["received", "cancelled"]),
            pol.c.order_line_id.is_(None),
        )
        .order_by(po.c.po_ref, pol.c.line_no),
    )


@dataclass(frozen=True)
class _Beside:
    """A whole snapshot's reads that wait on the server and need nothing read before them."""

    dropships: Sequence[Any]
    purchase_lines: Sequence[tuple[Any, ...]]
    history: list[Delivery] | None


def _read_beside(conn: Connection, today: date, learn: bool) -> _Beside:
    """Drop-ship lines, open PO lines and (when planning learns) the suppliers' history, read on `conn`."""
    history = with_overdue(deliveries(conn), overdue(conn, today)) if learn else None
    return _Beside(dropship_rows(conn), purchase_line_rows(conn), history)


class _Links:
    """Items' parents and components by id."""

    def __init__(self) -> None:
        self.parents: dict[int, list[int]] = {}
        self.components: dict[int, list[int]] = {}

    def up_down(self, ids: Iterable[int]) -> set[int]:
        """These items, every item below them, and every item above any of those
        (`planning.scope.scope_of`)."""
        return closure(self.parents, closure(self.components, ids))


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[tuple[Any, ...]]:
    """The rows' columns (`width` empty ones when there is no row)."""
    return list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]


def _started(start: date, finish: date, materials_on: date | None) -> tuple[date, date]:
    """An MO's dates as planning sees them: it cannot start before the day all its components
    were reserved for it (`services.reserving`), and takes its production time from then."""
    if materials_on is None or materials_on <= start:
        return start, finish
    return materials_on, materials_on + (finish - start)
