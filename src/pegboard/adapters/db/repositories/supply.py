"""The supply repository: purchase orders, manufacturing orders and their expected-date history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, union, update

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.bulk import insert_rows
from pegboard.adapters.db.repositories.catalogue import SqlCatalogue
from pegboard.adapters.db.repositories.item_cache import TransactionItemCache
from pegboard.adapters.db.repositories.values import money_or_none
from pegboard.adapters.db.slices import among
from pegboard.domain.errors import UnknownOrder
from pegboard.domain.quantities import Quantity
from pegboard.domain.supply import ManufacturingOrder, PurchaseOrder, PurchaseOrderLine, SupplyStatus

_OPEN_MO = ("open", "partially_completed")


class SqlSupply:
    """Purchase orders, manufacturing orders and their expected-date history."""

    def __init__(
        self, conn: Connection, item_cache: TransactionItemCache, catalogue: SqlCatalogue, now: datetime
    ) -> None:
        self.conn, self.item_cache, self.catalogue, self.now = conn, item_cache, catalogue, now
        self.po_ids: dict[str, int] = {}
        #: How many lines each loaded PO has stored: lines beyond them are new and get inserted.
        self.po_lines: dict[str, int] = {}
        #: Every PO and MO this transaction loaded or added: the unit of work collects their events.
        self.touched: list[PurchaseOrder | ManufacturingOrder] = []

    def purchase_order(self, po_ref: str, *, lock: bool = False) -> PurchaseOrder | None:
        found = self._purchase_orders(t.purchase_orders.c.po_ref == po_ref, lock=lock)
        return found[0] if found else None

    def dropship_orders(self, order_ref: str, *, lock: bool = False) -> list[PurchaseOrder]:
        """The drop-ship POs that serve this sales order, oldest first."""
        order_id = (
            select(t.sales_orders.c.id).where(t.sales_orders.c.order_ref == order_ref).scalar_subquery()
        )
        return self._purchase_orders(t.purchase_orders.c.order_id == order_id, lock=lock)

    def _purchase_orders(self, condition: Any, *, lock: bool) -> list[PurchaseOrder]:
        po = t.purchase_orders
        query = (
            select(po, t.suppliers.c.name.label("supplier"), t.sales_orders.c.order_ref)
            .join(t.suppliers, t.suppliers.c.id == po.c.supplier_id)
            .outerjoin(t.sales_orders, t.sales_orders.c.id == po.c.order_id)
            .where(condition)
            .order_by(po.c.id)
        )
        if lock:
            query = query.with_for_update(of=po)
        rows = self.conn.execute(query).all()
        if not rows:
            return []
        pol, ol = t.purchase_order_lines, t.order_lines
        lines: dict[int, list[PurchaseOrderLine]] = {r.id: [] for r in rows}
        for r in self.conn.execute(
            select(pol, t.items.c.sku, ol.c.line_no.label("order_line_no"))
            .join(t.items, t.items.c.id == pol.c.item_id)
            .outerjoin(ol, ol.c.id == pol.c.order_line_id)
            .where(pol.c.po_id.in_(list(lines)))
            .order_by(pol.c.po_id, pol.c.line_no)
        ):
            lines[r.po_id].append(
                PurchaseOrderLine(
                    sku=r.sku,
                    quantity=Quantity(r.quantity),
                    expected_date=r.expected_date,
                    unit_cost=money_or_none(r.unit_cost),
                    received_quantity=r.received,
                    order_line_no=r.order_line_no,
                )
            )
        found = []
        for row in rows:
            self.po_ids[row.po_ref] = row.id
            self.po_lines[row.po_ref] = len(lines[row.id])
            found.append(
                PurchaseOrder(
                    po_ref=row.po_ref,
                    supplier=row.supplier,
                    status=SupplyStatus(row.status),
                    lines=lines[row.id],
                    order_ref=row.order_ref,
                    ship_to=row.ship_to,
                )
            )
        self.touched += found
        return found

    def add_purchase_order(self, po: PurchaseOrder) -> None:
        self.add_purchase_orders([po])

    def add_purchase_orders(self, pos: Sequence[PurchaseOrder]) -> None:
        """Store new POs and their lines: one INSERT for the POs, one for all their lines (the
        rows and their ids as PO by PO, in the given order)."""
        if not pos:
            return
        suppliers = {name: self.catalogue.supplier_id(name) for name in sorted({po.supplier for po in pos})}
        rows = [
            {
                "po_ref": po.po_ref,
                "supplier_id": suppliers[po.supplier],
                "status": po.status.value,
                "created_at": self.now,
                "ship_to": po.ship_to,
                "order_id": self._order_id(po),
            }
            for po in pos
        ]
        stored = insert_rows(self.conn, t.purchase_orders, rows, returning=("id", "po_ref"))
        ids = {ref: po_id for po_id, ref in stored}
        for po in pos:
            self.po_ids[po.po_ref] = ids[po.po_ref]
            self.po_lines[po.po_ref] = 0
        self.touched += pos
        self._insert_new_lines(pos)

    def _insert_new_lines(self, pos: Sequence[PurchaseOrder]) -> None:
        """Insert the POs' lines not stored yet (all of a new PO; those added to a drop-ship PO),
        in one statement, PO by PO."""
        new = [
            (po, n, line)
            for po in pos
            for n, line in enumerate(po.lines, start=1)
            if n > self.po_lines[po.po_ref]
        ]
        if not new:
            return
        ids = self.item_cache.resolve(line.sku for _, _, line in new)
        drop_ship = {po.po_ref: po for po, _, line in new if line.order_line_no}
        served = {ref: self._order_line_ids(po) for ref, po in drop_ship.items()}
        insert_rows(
            self.conn,
            t.purchase_order_lines,
            [
                {
                    "po_id": self.po_ids[po.po_ref],
                    "line_no": n,
                    "item_id": ids[line.sku],
                    "quantity": line.quantity,
                    "received": line.received_quantity,
                    "unit_cost": line.unit_cost,
                    "expected_date": line.expected_date,
                    "order_line_id": None
                    if line.order_line_no is None
                    else served[po.po_ref][line.order_line_no],
                }
                for po, n, line in new
            ],
        )
        for po in pos:
            self.po_lines[po.po_ref] = len(po.lines)

    def _order_id(self, po: PurchaseOrder) -> int | None:
        """The row id of the sales order a drop-ship PO serves (None for an ordinary PO)."""
        if po.order_ref is None:
            return None
        found = self.conn.execute(
            select(t.sales_orders.c.id).where(t.sales_orders.c.order_ref == po.order_ref)
        ).scalar_one_or_none()
        if found is None:
            raise UnknownOrder(po.order_ref, field="order_ref")
        return int(found)

    def _order_line_ids(self, po: PurchaseOrder) -> dict[int, int]:
        """The row ids of the drop-ship PO's sales order lines, by line number."""
        so, ol = t.sales_orders, t.order_lines
        rows = self.conn.execute(
            select(ol.c.line_no, ol.c.id)
            .join(so, so.c.id == ol.c.order_id)
            .where(so.c.order_ref == po.order_ref)
        )
        return {r.line_no: r.id for r in rows}

    def save_purchase_order(self, po: PurchaseOrder) -> None:
        """Write the status and every stored line's quantities; lines added since loading are inserted."""
        po_id = self.po_ids[po.po_ref]
        self.conn.execute(
            update(t.purchase_orders).where(t.purchase_orders.c.id == po_id).values(status=po.status.value)
        )
        stored = self.po_lines[po.po_ref]
        self._insert_new_lines([po])
        for n, line in enumerate(po.lines[:stored], start=1):
            self.conn.execute(
                update(t.purchase_order_lines)
                .where(t.purchase_order_lines.c.po_id == po_id, t.purchase_order_lines.c.line_no == n)
                .values(
                    quantity=line.quantity, received=line.received_quantity, expected_date=line.expected_date
                )
            )

    def manufacturing_order(self, mo_ref: str, *, lock: bool = False) -> ManufacturingOrder | None:
        query = (
            select(t.manufacturing_orders, t.items.c.sku)
            .join(t.items, t.items.c.id == t.manufacturing_orders.c.item_id)
            .where(t.manufacturing_orders.c.mo_ref == mo_ref)
        )
        if lock:
            query = query.with_for_update(of=t.manufacturing_orders)
        r = self.conn.execute(query).first()
        if r is None:
            return None
        return self._manufacturing_orders([r])[0]

    def open_manufacturing_orders_using(self, skus: Iterable[str]) -> list[ManufacturingOrder]:
        """Open MOs whose item's BOM (or one of its options) names one of these components, in the
        order they were confirmed; each with what is reserved for it."""
        ids = list(self.item_cache.resolve(skus).values())
        if not ids:
            return []
        mo, bom, io = t.manufacturing_orders.c, t.bom_lines.c, t.item_options.c
        parents = union(
            select(bom.parent_id.label("id")).where(bom.component_id.in_(ids)),
            select(io.item_id.label("id")).where(io.component_id.in_(ids)),
        ).subquery()
        rows = self.conn.execute(
            select(t.manufacturing_orders, t.items.c.sku)
            .join(t.items, t.items.c.id == mo.item_id)
            .where(mo.item_id.in_(select(parents.c.id)), mo.status.in_(_OPEN_MO))
            .order_by(mo.created_at, mo.id)
        ).all()
        return self._manufacturing_orders(rows)

    def _manufacturing_orders(self, rows: Sequence[Any]) -> list[ManufacturingOrder]:
        reserved: dict[int, dict[str, Decimal]] = {}
        if rows:
            r = t.mo_reservations.c
            for mo_id, sku, quantity in self.conn.execute(
                select(r.mo_id, t.items.c.sku, r.quantity)
                .join(t.items, t.items.c.id == r.item_id)
                .where(r.mo_id.in_([row.id for row in rows]))
            ):
                reserved.setdefault(mo_id, {})[sku] = quantity
        found = [
            ManufacturingOrder(
                mo_ref=row.mo_ref,
                sku=row.sku,
                quantity=Quantity(row.quantity),
                start_date=row.start_date,
                finish_date=row.finish_date,
                completed_quantity=row.completed,
                status=SupplyStatus(row.status),
                options=row.options,
                reserved=reserved.get(row.id, {}),
                confirmed_at=row.created_at,
            )
            for row in rows
        ]
        self.touched += found
        return found

    def add_manufacturing_order(self, mo: ManufacturingOrder) -> None:
        """Store a new MO, confirmed now (`ManufacturingOrder.confirmed_at`)."""
        self.add_manufacturing_orders([mo])

    def add_manufacturing_orders(self, mos: Sequence[ManufacturingOrder]) -> None:
        """Store new MOs, all confirmed now, in one statement."""
        if not mos:
            return
        ids = self.item_cache.resolve(mo.sku for mo in mos)
        for mo in mos:
            mo.confirmed_at = self.now
        self.touched += mos
        # One statement whatever the number (`bulk.insert_rows`): ids in the given order.
        insert_rows(
            self.conn,
            t.manufacturing_orders,
            [
                {
                    "mo_ref": mo.mo_ref,
                    "item_id": ids[mo.sku],
                    "quantity": mo.quantity,
                    "completed": mo.completed_quantity,
                    "start_date": mo.start_date,
                    "finish_date": mo.finish_date,
                    "status": mo.status.value,
                    "created_at": mo.confirmed_at,
                    "options": mo.options,
                }
                for mo in mos
            ],
        )

    def save_manufacturing_order(self, mo: ManufacturingOrder) -> None:
        self.conn.execute(
            update(t.manufacturing_orders)
            .where(t.manufacturing_orders.c.mo_ref == mo.mo_ref)
            .values(
                completed=mo.completed_quantity,
                start_date=mo.start_date,
                finish_date=mo.finish_date,
                status=mo.status.value,
            )
        )

    def note_materials(self, mo_ref: str, *, complete: bool) -> None:
        """Note that all the MO's components are reserved for it, from today (kept if noted
        before), or that they no longer are."""
        mo = t.manufacturing_orders.c
        if complete:
            self.note_materials_complete([mo_ref])
        else:
            query = update(t.manufacturing_orders).where(mo.mo_ref == mo_ref, mo.materials_on.is_not(None))
            self.conn.execute(query.values(materials_on=None))

    def note_materials_complete(self, mo_refs: Sequence[str]) -> None:
        """Note that all these MOs' components are reserved for them, from today (kept for an MO
        noted before)."""
        mo = t.manufacturing_orders.c
        for among_refs in among(self.conn, mo.mo_ref, sorted(mo_refs)):
            query = update(t.manufacturing_orders).where(among_refs, mo.materials_on.is_(None))
            self.conn.execute(query.values(materials_on=self.now.date()))

    def next_ref(self, prefix: str) -> str:
        """The next free ref of a series (MO-1, MO-2, ...), counted under a row lock."""
        return self.next_refs(prefix, 1)[0]

    def next_refs(self, prefix: str, count: int) -> list[str]:
        """The next `count` refs of a series, counted under one row lock."""
        counter = t.ref_counters
        current = self.conn.execute(
            select(counter.c.value).where(counter.c.name == prefix).with_for_update()
        ).scalar()
        value = (current or 0) + count
        if current is None:
            self.conn.execute(insert(counter).values(name=prefix, value=value))
        else:
            self.conn.execute(update(counter).where(counter.c.name == prefix).values(value=value))
        return [f"{prefix}-{n}" for n in range(value - count + 1, value + 1)]

    def used_refs(self, refs: Sequence[str]) -> set[str]:
        """Those of `refs` a PO or an MO already has (imported documents may use a series' refs)."""
        po, mo = t.purchase_orders.c, t.manufacturing_orders.c
        used: set[str] = set()
        for column in (po.po_ref, mo.mo_ref):
            for among_refs in among(self.conn, column, list(refs)):
                used.update(self.conn.execute(select(column).where(among_refs)).scalars())
        return used

    def record_date_change(
        self, supply_ref: str, *, kind: str, old_date: date | None, new_date: date, on: date
    ) -> None:
        self.conn.execute(
            insert(t.expected_date_changes).values(
                supply_ref=supply_ref,
                kind=kind,
                old_date=old_date,
                new_date=new_date,
                changed_on=on,
                created_at=self.now,
            )
        )
