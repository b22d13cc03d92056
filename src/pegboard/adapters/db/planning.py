"""The planning snapshot read in a few bulk queries, and the promises stored after a plan."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any, TypeVar

from more_itertools import sliced
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    String,
    any_,
    bindparam,
    func,
    insert,
    literal,
    select,
    type_coerce,
    union_all,
    update,
)

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.learning import deliveries
from pegboard.adapters.db.placed_orders import placed_orders
from pegboard.adapters.db.repositories.catalogue import read_options
from pegboard.adapters.db.stock_totals import StockTotals
from pegboard.domain.items import BomLine
from pegboard.domain.options import ItemOptions
from pegboard.domain.quantities import Quantity, from_units
from pegboard.domain.sales import LineKind
from pegboard.planning.promises import LinePromise, StoredPromise
from pegboard.planning.reliability import Reliability, item_reliability, supplier_reliability
from pegboard.planning.snapshot import (
    BackorderDemand,
    DropshipDemand,
    HeldLine,
    OpenManufacturingOrder,
    OpenPurchaseLine,
    PlanBomLine,
    PlanConfiguration,
    PlanInput,
    PlanItem,
)

#: The states of an order that is still to ship.
ACTIVE = ("open", "partially_shipped")


def configurations_of(
    conn: Connection, wanted: Collection[tuple[str, str]], boms: Iterable[PlanBomLine]
) -> list[PlanConfiguration]:
    """The BOM of each (sku, options) configuration: the item's BOM changed by its chosen values."""
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
        found.append(PlanConfiguration(sku, chosen, tuple((x.component_sku, x.quantity_per) for x in lines)))
    return found


class SqlPlanning:
    """Reads what planning needs and keeps the promises it gives."""

    def __init__(self, conn: Connection, totals: StockTotals, *, confidence: float | None = None) -> None:
        self.conn, self.totals = conn, totals
        #: Promises are dated at this share of suppliers' deliveries (None: stated dates).
        self.confidence = confidence

    def snapshot(
        self, today: date, *, around: Iterable[str] | None = None, lines_of_around: bool = False
    ) -> PlanInput:
        """Items, BOMs, available stock, open POs and MOs, and every open line, as plain data.

        Backorders and preorders (with their item's release date) are the demand; drop-ship lines
        come apart with their PO, and drop-ship POs are not supply for our warehouse.

        With `around` (SKUs that just changed), only what re-promising after that change needs is
        read, and `affected` names the SKUs whose lines it promises (`planning.scope`). With
        `lines_of_around` too, only what promising new lines of the `around` SKUs themselves needs
        is read (their supply below and all demand on it, `planning.quoting`), and `affected` is
        `around`: a quote, not a re-promise of everything the change reaches.
        """
        affected: frozenset[str] | None = None
        ids: list[int] | None = None
        if around is None:
            sku_of: dict[int, str] = dict(self.conn.execute(select(t.items.c.id, t.items.c.sku)).all())
        else:
            # Walk the BOMs in the database (`planning.scope.scope_of`), so a re-promise reads
            # only the few items a change can reach, not the whole catalogue.
            changed = list(
                self.conn.execute(
                    select(t.items.c.id).where(t.items.c.sku.in_(sorted(set(around))))
                ).scalars()
            )
            reach = self._reach(self._reach(changed, upwards=False), upwards=True)
            while not lines_of_around:
                # A line of a ship-complete order moves with its order's other lines: their
                # items change with it, until no such order reaches outside (`planning.ship_complete`).
                more = self._whole_order_items(reach) - set(changed)
                if not more:
                    break
                changed += sorted(more)
                reach = self._reach(self._reach(changed, upwards=False), upwards=True)
            ids = sorted(
                reach if lines_of_around else self._reach(self._reach(reach, upwards=False), upwards=True)
            )
            sku_of = dict(
                self.conn.execute(
                    select(t.items.c.id, t.items.c.sku).where(_in(t.items.c.id, ids, self.conn))
                ).all()
            )
            affected = frozenset(sku_of[i] for i in (changed if lines_of_around else reach))
        bom = t.bom_lines.c
        bom_query = select(bom.parent_id, bom.component_id, bom.quantity).order_by(
            bom.parent_id, bom.component_id
        )
        if ids is not None:
            bom_query = bom_query.where(
                _in(bom.parent_id, ids, self.conn), _in(bom.component_id, ids, self.conn)
            )
        boms = [
            PlanBomLine(sku_of[parent], sku_of[component], quantity)
            for parent, component, quantity in self.conn.execute(bom_query).all()
        ]
        items = []
        release_of: dict[str, date] = {}
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
        decimal = _Decimals()
        for (
            sku,
            procurement,
            lead,
            supplier,
            slt,
            release,
            safety,
            point,
            qty,
            least,
            multiple,
        ) in self.conn.execute(query if ids is None else query.where(_in(it.id, ids, self.conn))).all():
            if release is not None:
                release_of[sku] = release
            items.append(
                PlanItem(
                    sku,
                    procurement,
                    lead,
                    supplier,
                    slt,
                    decimal(safety),
                    decimal.maybe(point),
                    decimal.maybe(qty),
                    decimal.maybe(least),
                    decimal.maybe(multiple),
                )
            )
        demands = self._demands(sku_of, ids, release_of)
        dropships = self._dropships(sku_of, ids)
        manufacturing_orders = self._manufacturing_orders(sku_of, ids)
        complete = self._ship_complete({d.order_ref for d in demands} | {d.order_ref for d in dropships})
        purchase_lines = self._purchase_lines(sku_of, ids)
        suppliers = None
        if ids is not None:
            # A narrowed snapshot learns only from the suppliers it can meet.
            named = [i.supplier for i in items] + [p.supplier for p in purchase_lines]
            suppliers = sorted({name for name in named if name is not None})
        return PlanInput(
            today=today,
            items=items,
            bom_lines=boms,
            available=self._available(sku_of, ids),
            purchase_lines=purchase_lines,
            manufacturing_orders=manufacturing_orders,
            demands=demands,
            dropships=dropships,
            affected=affected,
            ship_complete=complete,
            held=self._held(complete),
            reliability=self._reliability(suppliers),
            confidence=self.confidence,
            configurations=configurations_of(
                self.conn,
                {(d.sku, d.options) for d in demands if d.options}
                | {(m.sku, m.options) for m in manufacturing_orders if m.options},
                boms,
            ),
        )

    def placed(self, order_refs: Collection[str]) -> tuple[dict[str, Decimal], list[BackorderDemand]] | None:
        """What these orders took from stock and their backorders (`placed_orders`)."""
        return placed_orders(self.conn, order_refs)

    def _whole_order_items(self, ids: list[int]) -> set[int]:
        """The items of every unfinished line of the ship-complete orders with an unfinished line of
        `ids` (waiting or allocated and held: `planning.scope.snapshot_scope`)."""
        so, ol = t.sales_orders.c, t.order_lines.c
        unfinished = ol.quantity > ol.shipped + ol.cancelled
        waiting = select(ol.order_id).where(_in(ol.item_id, ids, self.conn), unfinished)
        query = (
            select(ol.item_id)
            .distinct()
            .join(t.sales_orders, so.id == ol.order_id)
            .where(
                so.ship_policy == "complete",
                so.status.in_(ACTIVE),
                so.id.in_(waiting),
                ol.quantity > ol.shipped + ol.cancelled,
            )
        )
        return set(self.conn.execute(query).scalars()) if ids else set()

    def _ship_complete(self, order_refs: set[str]) -> frozenset[str]:
        """Those of these orders that ship complete."""
        so = t.sales_orders.c
        query = select(so.order_ref).where(so.ship_policy == "complete", so.status.in_(ACTIVE))
        return (
            frozenset(self.conn.execute(_refs_among(query, so.order_ref, order_refs)).scalars()) & order_refs
        )

    def _held(self, order_refs: frozenset[str]) -> list[HeldLine]:
        """The lines of these orders allocated whole (nothing of them waits), held for the others."""
        if not order_refs:
            return []
        so, ol, it = t.sales_orders.c, t.order_lines.c, t.items.c
        query = (
            select(so.order_ref, ol.line_no, it.sku, type_coerce(ol.allocated, BigInteger), ol.id)
            .join(t.sales_orders, so.id == ol.order_id)
            .join(t.items, it.id == ol.item_id)
            .where(
                so.ship_policy == "complete",
                so.status.in_(ACTIVE),
                ol.allocated > 0,
                ol.quantity == ol.allocated + ol.shipped + ol.cancelled,
            )
            .order_by(so.id, ol.line_no)
        )
        rows = self.conn.execute(_refs_among(query, so.order_ref, order_refs))
        decimal = _Decimals()  # raw micro-units, each distinct value converted once
        return [
            HeldLine(ref, line_no, sku, decimal(units), line_id)
            for ref, line_no, sku, units, line_id in rows
            if ref in order_refs
        ]

    def _reliability(self, suppliers: list[str] | None) -> list[Reliability]:
        """Every supplier's figures (or these suppliers'), and each supplier and SKU's with enough
        history, learned from their receipts (`planning/reliability.py`); none when promises use
        the stated dates or no supplier is concerned."""
        if self.confidence is None or suppliers == []:
            return []
        history = deliveries(self.conn, suppliers=suppliers)
        return [*supplier_reliability(history), *item_reliability(history).values()]

    def _reach(self, ids: list[int], *, upwards: bool) -> list[int]:
        """These items and every item above them (`upwards`) or below them in BOMs, at any depth."""
        if not ids:
            return []
        bom, io = t.bom_lines.c, t.item_options.c
        # An option's component is a component too: a configuration's BOM may name it.
        edges = union_all(
            select(bom.parent_id.label("parent"), bom.component_id.label("child")),
            select(io.item_id, io.component_id).where(io.component_id.is_not(None)),
        ).subquery("edges")
        start, end = (edges.c.child, edges.c.parent) if upwards else (edges.c.parent, edges.c.child)
        reach = (
            select(t.items.c.id.label("id"))
            .where(_in(t.items.c.id, ids, self.conn))
            .cte("reach", recursive=True)
        )
        reach = reach.union(select(end.label("id")).select_from(edges.join(reach, start == reach.c.id)))
        return list(self.conn.execute(select(reach.c.id)).scalars())

    def _available(self, sku_of: dict[int, str], ids: list[int] | None) -> dict[str, Decimal]:
        """On hand less allocated, from the totals kept on the items' rows (`stock_totals.py`),
        with this transaction's own changes written to them first."""
        self.totals.flush()
        items = t.items.c
        free = type_coerce(items.on_hand, BigInteger) - type_coerce(items.allocated, BigInteger)
        query = _among(select(items.id, free), items.id, ids, self.conn).where(
            items.on_hand > items.allocated
        )
        decimal = _Decimals()
        return {sku_of[item_id]: decimal(units) for item_id, units in self.conn.execute(query)}

    def _purchase_lines(self, sku_of: dict[int, str], ids: list[int] | None) -> list[OpenPurchaseLine]:
        po, pol, sup = t.purchase_orders, t.purchase_order_lines, t.suppliers
        query = select(
            po.c.po_ref,
            pol.c.item_id,
            type_coerce(pol.c.quantity - pol.c.received, BigInteger).label("units"),
            pol.c.expected_date,
            sup.c.name,
            po.c.created_at,
        )
        rows = self.conn.execute(
            _among(query, pol.c.item_id, ids, self.conn)
            .join(po, po.c.id == pol.c.po_id)
            .join(sup, sup.c.id == po.c.supplier_id)
            .where(
                pol.c.received < pol.c.quantity,
                po.c.status.not_in(["received", "cancelled"]),
                pol.c.order_line_id.is_(None),
            )
            .order_by(po.c.po_ref, pol.c.line_no)
        ).all()
        decimal = _Decimals()
        return [
            OpenPurchaseLine(
                r.po_ref,
                sku_of[r.item_id],
                decimal(r.units),
                r.expected_date,
                r.name,
                r.created_at.date(),
            )
            for r in rows
        ]

    def _manufacturing_orders(
        self, sku_of: dict[int, str], ids: list[int] | None
    ) -> list[OpenManufacturingOrder]:
        mo = t.manufacturing_orders
        rows = self.conn.execute(
            _among(select(mo), mo.c.item_id, ids, self.conn)
            .where(mo.c.status.not_in(["completed", "cancelled"]))
            .order_by(mo.c.id)
        ).all()
        return [
            OpenManufacturingOrder(
                r.mo_ref, sku_of[r.item_id], r.quantity - r.completed, r.start_date, r.finish_date, r.options
            )
            for r in rows
        ]

    def _demands(
        self, sku_of: dict[int, str], ids: list[int] | None, release_of: dict[str, date]
    ) -> list[BackorderDemand]:
        so, ol = t.sales_orders, t.order_lines
        # The open quantity is worked out by the database, as raw micro-units: one conversion
        # per distinct value instead of four Decimals per line.
        open_units = type_coerce(ol.c.quantity - ol.c.allocated - ol.c.shipped - ol.c.cancelled, BigInteger)
        query = select(
            ol.c.kind,
            so.c.order_ref,
            ol.c.line_no,
            ol.c.item_id,
            open_units,
            so.c.priority,
            so.c.ordered_at,
            so.c.id,
            ol.c.id,
            ol.c.options,
        )
        rows = self.conn.execute(
            _among(query, ol.c.item_id, ids, self.conn)
            .join(so, so.c.id == ol.c.order_id)
            .where(
                ol.c.quantity > ol.c.allocated + ol.c.shipped + ol.c.cancelled,
                ol.c.kind != LineKind.DROPSHIP.value,
            )
            .order_by(so.c.id, ol.c.line_no)
        ).all()
        quantities: dict[int, Decimal] = {}
        preorder = LineKind.PREORDER.value
        found = []
        for (
            kind,
            order_ref,
            line_no,
            item_id,
            units,
            priority,
            ordered_at,
            sequence,
            line_id,
            options,
        ) in rows:
            quantity = quantities.get(units)
            if quantity is None:
                quantity = quantities[units] = from_units(units)
            sku = sku_of[item_id]
            found.append(
                BackorderDemand(
                    order_ref,
                    line_no,
                    sku,
                    quantity,
                    priority,
                    ordered_at,
                    sequence,
                    release_of.get(sku) if kind == preorder else None,
                    line_id,
                    options,
                )
            )
        return found

    def _dropships(self, sku_of: dict[int, str], ids: list[int] | None) -> list[DropshipDemand]:
        """Open drop-ship lines with the PO line that serves each (its expected date)."""
        so, ol, po, pol = t.sales_orders, t.order_lines, t.purchase_orders, t.purchase_order_lines
        query = (
            select(
                so.c.order_ref,
                ol.c.line_no,
                ol.c.item_id,
                ol.c.quantity,
                ol.c.allocated,
                ol.c.shipped,
                ol.c.cancelled,
                ol.c.id.label("line_id"),
                po.c.po_ref,
                t.suppliers.c.name.label("supplier"),
                pol.c.expected_date,
            )
            .join(so, so.c.id == ol.c.order_id)
            .outerjoin(pol, pol.c.order_line_id == ol.c.id)
            .outerjoin(po, po.c.id == pol.c.po_id)
            .outerjoin(t.suppliers, t.suppliers.c.id == po.c.supplier_id)
            .where(
                ol.c.kind == LineKind.DROPSHIP.value,
                ol.c.quantity > ol.c.allocated + ol.c.shipped + ol.c.cancelled,
            )
            .order_by(so.c.id, ol.c.line_no, pol.c.id)
        )
        found: dict[tuple[str, int], DropshipDemand] = {}
        for r in self.conn.execute(_among(query, ol.c.item_id, ids, self.conn)).all():
            # One PO line serves a drop-ship line; should there be more, the first one speaks.
            found.setdefault(
                (r.order_ref, r.line_no),
                DropshipDemand(
                    order_ref=r.order_ref,
                    line_no=r.line_no,
                    sku=sku_of[r.item_id],
                    quantity=r.quantity - r.allocated - r.shipped - r.cancelled,
                    po_ref=r.po_ref,
                    supplier=r.supplier,
                    expected_date=r.expected_date,
                    line_id=r.line_id,
                ),
            )
        return list(found.values())

    def stored_promises(
        self, order_refs: Iterable[str] | None = None
    ) -> dict[tuple[str, int], StoredPromise]:
        """The promise last given for every line that has one (of these orders, when named)."""
        lp, ol, so = t.line_promises, t.order_lines, t.sales_orders
        query = (
            select(so.c.order_ref, ol.c.line_no, lp.c.promised_date, lp.c.reason, lp.c.basis, lp.c.first_date)
            .join(ol, ol.c.id == lp.c.line_id)
            .join(so, so.c.id == ol.c.order_id)
        )
        refs = None if order_refs is None else sorted(set(order_refs))
        wanted: set[str] | None = None
        if refs is not None and self.conn.dialect.name == "postgresql":
            # One array parameter however many orders: their rows are found by the order ref's
            # index instead of joining every stored promise (the held lines of a full plan).
            query = query.where(so.c.order_ref == any_(bindparam("refs", refs, type_=ARRAY(String))))
        elif refs is not None and len(refs) <= 2000:
            query = query.where(so.c.order_ref.in_(refs))
        elif refs is not None:
            # Many orders: one pass over the table beats thousands of IN-list probes.
            wanted = set(refs)
        found: dict[tuple[str, int], StoredPromise] = {}
        for order_ref, line_no, promised, reason, basis, first in self.conn.execute(query).all():
            if wanted is None or order_ref in wanted:
                found[order_ref, line_no] = StoredPromise(promised, reason, basis, first)
        return found

    def stored_line_promises(self, line_ids: Collection[int]) -> dict[int, StoredPromise]:
        """The promise last given for each of these order lines that has one, by line id."""
        lp = t.line_promises.c
        query = select(lp.line_id, lp.promised_date, lp.reason, lp.basis, lp.first_date)
        found: dict[int, StoredPromise] = {}
        if len(line_ids) > 20_000:
            # A full plan: one pass over the table beats a hundred thousand key probes.
            wanted = set(line_ids)
            for line_id, promised, reason, basis, first in self.conn.execute(query).all():
                if line_id in wanted:
                    found[line_id] = StoredPromise(promised, reason, basis, first)
            return found
        for condition in self._among_lines(line_ids):
            for line_id, promised, reason, basis, first in self.conn.execute(query.where(condition)).all():
                found[line_id] = StoredPromise(promised, reason, basis, first)
        return found

    def _among_lines(self, line_ids: Collection[int]) -> Iterator[ColumnElement[bool]]:
        """Conditions picking these line ids, a few at a time: one array parameter each on
        PostgreSQL (no statement with thousands of placeholders to build and parse), IN lists of
        a thousand on SQLite."""
        ids = sorted(set(line_ids))
        column = t.line_promises.c.line_id
        postgres = self.conn.dialect.name == "postgresql"
        step = 50_000 if postgres else 1000
        for chunk in sliced(ids, step):
            if postgres:
                yield column == any_(bindparam("line_ids", chunk, type_=ARRAY(BigInteger)))
            else:
                yield column.in_(chunk)

    def save_promises(self, promises: Iterable[LinePromise], *, on: date) -> None:
        """Write each line's new promise; the first dated promise is kept as it was."""
        wanted = list(promises)
        if not wanted:
            return
        line_ids = self._line_ids(wanted)
        existing = self._promised_lines(line_ids)
        encode = _PartsEncoder()
        new_rows, changed = [], []
        for p, line_id in zip(wanted, line_ids, strict=True):
            row = (line_id, p.promised_date, p.reason[:500], p.basis[:100], encode(p.parts), on)
            if line_id in existing:
                changed.append(row)
            else:
                new_rows.append((*row, p.promised_date, on))
        # In line id order: the primary key and the foreign key checks walk their indexes in
        # order instead of jumping about.
        new_rows.sort(key=itemgetter(0))
        changed.sort(key=itemgetter(0))
        postgres = self.conn.dialect.name == "postgresql"
        if new_rows:
            if postgres and len(new_rows) > BULK:
                self._copy("line_promises", NEW_COLUMNS, new_rows)
            else:
                self.conn.execute(
                    insert(t.line_promises), [dict(zip(NEW_COLUMNS, r, strict=True)) for r in new_rows]
                )
        if changed:
            if postgres and len(changed) > BULK:
                self._update_by_copy(changed)
                return
            lp = t.line_promises.c
            self.conn.execute(
                update(t.line_promises)
                .where(lp.line_id == bindparam("b_line_id"))
                .values(
                    promised_date=bindparam("b_promised_date"),
                    reason=bindparam("b_reason"),
                    basis=bindparam("b_basis"),
                    parts=bindparam("b_parts"),
                    promised_on=bindparam("b_promised_on"),
                    # The first dated promise stays as it was; an open term gives way to a date.
                    first_date=func.coalesce(lp.first_date, bindparam("b_promised_date")),
                ),
                [{f"b_{k}": v for k, v in zip(CHANGED_COLUMNS, r, strict=True)} for r in changed],
            )

    def _line_ids(self, promises: list[LinePromise]) -> list[int]:
        """Each promise's order line id: carried from the snapshot, else looked up by order and line."""
        so, ol = t.sales_orders, t.order_lines
        refs = sorted({p.order_ref for p in promises if p.line_id is None})
        looked_up: dict[tuple[str, int], int] = {}
        for some in sliced(refs, 1000):
            for r in self.conn.execute(
                select(so.c.order_ref, ol.c.line_no, ol.c.id)
                .join(so, so.c.id == ol.c.order_id)
                .where(so.c.order_ref.in_(some))
            ):
                looked_up[r.order_ref, r.line_no] = r.id
        return [p.line_id if p.line_id is not None else looked_up[p.order_ref, p.line_no] for p in promises]

    def _promised_lines(self, line_ids: list[int]) -> set[int]:
        """Which of these lines already have a stored promise."""
        lp = t.line_promises.c
        if len(line_ids) > BULK:
            # Many lines (a full plan): reading every id once beats huge IN lists.
            return set(self.conn.execute(select(lp.line_id)).scalars()) & set(line_ids)
        found: set[int] = set()
        for condition in self._among_lines(line_ids):
            found.update(self.conn.execute(select(lp.line_id).where(condition)).scalars())
        return found

    def _copy(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """PostgreSQL's COPY FROM STDIN on the unit of work's own connection (same transaction)."""
        driver = self.conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for chunk in _copy_text(rows):
                    copy.write(chunk)

    def _update_by_copy(self, rows: list[tuple[Any, ...]]) -> None:
        """Many changed promises at once: COPY them into a scratch table, then one UPDATE."""
        self.conn.exec_driver_sql(
            "CREATE TEMPORARY TABLE promise_updates (line_id bigint PRIMARY KEY, promised_date date, "
            "reason text, basis text, parts text, promised_on date) ON COMMIT DROP"
        )
        self._copy("promise_updates", CHANGED_COLUMNS, rows)
        self.conn.exec_driver_sql(
            "UPDATE line_promises AS lp SET promised_date = u.promised_date, reason = u.reason, "
            "basis = u.basis, parts = u.parts, promised_on = u.promised_on, "
            "first_date = COALESCE(lp.first_date, u.promised_date) "
            "FROM promise_updates AS u WHERE lp.line_id = u.line_id"
        )
        self.conn.exec_driver_sql("DROP TABLE promise_updates")


#: Above this many rows, PostgreSQL gets COPY and scans instead of statements per batch.
BULK = 2000
CHANGED_COLUMNS = ("line_id", "promised_date", "reason", "basis", "parts", "promised_on")
NEW_COLUMNS = (*CHANGED_COLUMNS, "first_date", "first_promised_on")


class _Decimals:
    """Micro-units as Decimals (None stays None), each distinct value converted once."""

    def __init__(self) -> None:
        self.known: dict[int, Decimal] = {}

    def __call__(self, units: int) -> Decimal:
        found = self.known.get(units)
        if found is None:
            found = self.known[units] = from_units(int(units))
        return found

    def maybe(self, units: int | None) -> Decimal | None:
        return None if units is None else self(units)


class _PartsEncoder:
    """`json.dumps(parts, sort_keys=True)` for the parts `planning.promises` makes (quantity, date,
    reason, basis, stated_date), each distinct part encoded once; anything else goes through
    json.dumps."""

    def __init__(self) -> None:
        self.encoded: dict[tuple[Any, ...], str] = {}

    def __call__(self, parts: list[dict[str, Any]]) -> str:
        encoded = []
        for part in parts:
            if len(part) != 5:
                return json.dumps(parts, sort_keys=True, default=str)
            try:
                quantity, day, reason, basis = part["quantity"], part["date"], part["reason"], part["basis"]
                stated = part["stated_date"]
            except KeyError:
                return json.dumps(parts, sort_keys=True, default=str)
            # The type is part of the key: 1 and 1.0 are equal keys but are written differently.
            key = (type(quantity), quantity, day, reason, basis, stated)
            text = self.encoded.get(key)
            if text is None:
                text = self.encoded[key] = json.dumps(part, sort_keys=True, default=str)
            encoded.append(text)
        return "[" + ", ".join(encoded) + "]"


def _copy_text(rows: list[tuple[Any, ...]]) -> Iterator[str]:
    """Rows in COPY's text format, a few thousand at a time (dates ISO, None as \\N); each
    column is converted on its own, each distinct value once."""
    columns = [_column_text(column) for column in zip(*rows, strict=True)]
    lines = list(map("\t".join, zip(*columns, strict=True)))
    for some in sliced(lines, 5000):
        yield "\n".join(some) + "\n"


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _column_text(values: Iterable[Any]) -> list[str]:
    memo: dict[Any, str] = {None: "\\N"}
    found = []
    for value in values:
        text = memo.get(value)
        if text is None:
            text = memo[value] = (value.isoformat() if isinstance(value, date) else str(value)).translate(
                _ESCAPES
            )
        found.append(text)
    return found


Q = TypeVar("Q", bound=Select[Any])


def _refs_among(query: Q, column: ColumnElement[Any], refs: Collection[str]) -> Q:
    """The query narrowed to a few refs; for many, one pass over every row is cheaper (filter after)."""
    return query.where(column.in_(sorted(refs))) if len(refs) <= 2000 else query


def _among(query: Q, column: ColumnElement[Any], ids: list[int] | None, conn: Connection) -> Q:
    """Keep only rows of these items (all rows when `ids` is None)."""
    return query if ids is None else query.where(_in(column, ids, conn))


def _in(column: ColumnElement[Any], ids: list[int], conn: Connection) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL as `= ANY(array)`, one parameter however many ids (a scope
    reaching thousands of items spent seconds in the driver splitting expanded IN lists)."""
    if conn.dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(BigInteger)))
    return column.in_(ids)
