"""SQL repositories: load domain objects from rows and write back what changed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.bulk import insert_rows
from pegboard.adapters.db.stock_totals import StockTotals
from pegboard.domain.allocation import ItemStock, WaitingLine
from pegboard.domain.errors import UnknownOrder, UnknownSku, UnknownSupplier
from pegboard.domain.events import Event
from pegboard.domain.items import BillsOfMaterials, BomLine, Item, Procurement, SaleTerms, Supplier
from pegboard.domain.ledger import MoveKind, StockMove
from pegboard.domain.quantities import Money, Quantity
from pegboard.domain.sales import LineKind, OrderStatus, SalesOrder, SalesOrderLine, Shipment, ShipPolicy
from pegboard.domain.supply import (
    ManufacturingOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    SupplyStatus,
)
from pegboard.services.ports import StoredToken

# The statements every order runs, built once: building a SELECT with an IN list on every call
# cost more client CPU than executing it (see BENCHMARKS.md). Expanding parameters take the lists.
#: With each id come the item's sale terms, so intake decides each line's kind without another query.
#: And the item's stock totals, read under the lock when taking it (`stock_totals.py`).
_ITEM_IDS = select(
    t.items.c.id,
    t.items.c.sku,
    t.items.c.procurement,
    t.items.c.release_date,
    t.items.c.on_hand,
    t.items.c.allocated,
).where(t.items.c.sku.in_(bindparam("skus", expanding=True)))
_ITEM_IDS_LOCKED = _ITEM_IDS.order_by(t.items.c.sku).with_for_update()
#: Lines holding stock. The 0 is written into the SQL, not bound, so that PostgreSQL can match
#: the partial index ix_order_lines_allocated.
_RESERVED = t.order_lines.c.allocated > literal_column("0")
#: Each item's on hand and allocated, as kept on its row (`stock_totals.py`).
_TOTALS = select(t.items.c.id, t.items.c.on_hand, t.items.c.allocated).where(
    t.items.c.id.in_(bindparam("ids", expanding=True))
)
_ORDERS_BY_REF = select(t.sales_orders).where(
    t.sales_orders.c.order_ref.in_(bindparam("refs", expanding=True))
)
_LINES_OF_ORDERS = (
    select(t.order_lines, t.items.c.sku)
    .join(t.items, t.items.c.id == t.order_lines.c.item_id)
    .where(t.order_lines.c.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(t.order_lines.c.order_id, t.order_lines.c.line_no)
)

T = TypeVar("T")

#: Values bound in one IN list at most: PostgreSQL takes 65,535 parameters per statement and
#: SQLite 32,766, and a statement may name a list twice.
IN_SLICE = 10_000


def in_slices(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """The values in slices small enough to bind in one IN list."""
    for start in range(0, len(values), IN_SLICE):
        yield values[start : start + IN_SLICE]


class ItemIds:
    """SKU to row id (and the item's sale terms), cached for one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.ids: dict[str, int] = {}
        self.skus: dict[int, str] = {}
        self.terms: dict[str, SaleTerms] = {}
        #: (on hand, allocated) per SKU as the last read of its row found them.
        self.stock: dict[str, tuple[Decimal, Decimal]] = {}

    def resolve(self, skus: Iterable[str], *, lock: bool = False) -> dict[str, int]:
        """Row ids for the SKUs; an unknown SKU is an error. `lock` takes the rows' write locks."""
        wanted = sorted(set(skus))
        missing = [s for s in wanted if s not in self.ids]
        if missing or lock:
            # Slices of sorted SKUs: the row locks are still taken in SKU order.
            query = _ITEM_IDS_LOCKED if lock else _ITEM_IDS
            for part in in_slices(wanted if lock else missing):
                self._remember(self.conn.execute(query, {"skus": part}))
        for sku in wanted:
            if sku not in self.ids:
                raise UnknownSku(sku, field="sku")
        return {sku: self.ids[sku] for sku in wanted}

    def id(self, sku: str) -> int:
        return self.resolve([sku])[sku]

    def sale_terms(self, skus: Iterable[str]) -> dict[str, SaleTerms]:
        """Each SKU's sale terms, from the cache when the ids were read with them."""
        wanted = set(skus)
        unread = sorted(wanted - self.terms.keys())
        if unread:
            for part in in_slices(unread):
                self._remember(self.conn.execute(_ITEM_IDS, {"skus": part}))
            for sku in unread:
                if sku not in self.terms:
                    raise UnknownSku(sku, field="sku")
        return {sku: self.terms[sku] for sku in wanted}

    def _remember(self, rows: Iterable[Any]) -> None:
        for row in rows:
            self.ids[row.sku] = row.id
            self.skus[row.id] = row.sku
            self.terms[row.sku] = SaleTerms(Procurement(row.procurement), row.release_date)
            self.stock[row.sku] = (row.on_hand, row.allocated)


def _q(value: Decimal | None) -> Quantity | None:
    return None if value is None else Quantity(value)


def _m(value: Decimal | None) -> Money | None:
    return None if value is None else Money(value)


class SqlCatalogue:
    """Suppliers, items and BOMs."""

    def __init__(self, conn: Connection, ids: ItemIds) -> None:
        self.conn, self.ids = conn, ids

    def supplier(self, name: str) -> Supplier | None:
        row = self.conn.execute(select(t.suppliers).where(t.suppliers.c.name == name)).first()
        return None if row is None else Supplier(row.name, row.email, row.lead_time_days)

    def suppliers(self) -> list[Supplier]:
        rows = self.conn.execute(select(t.suppliers).order_by(t.suppliers.c.name))
        return [Supplier(r.name, r.email, r.lead_time_days) for r in rows]

    def save_supplier(self, supplier: Supplier) -> None:
        values = {"email": supplier.email, "lead_time_days": supplier.lead_time_days}
        done = self.conn.execute(
            update(t.suppliers).where(t.suppliers.c.name == supplier.name).values(**values)
        )
        if done.rowcount == 0:
            self.conn.execute(insert(t.suppliers).values(name=supplier.name, **values))

    def supplier_id(self, name: str) -> int:
        found = self.conn.execute(select(t.suppliers.c.id).where(t.suppliers.c.name == name)).scalar()
        if found is None:
            raise UnknownSupplier(name, field="supplier")
        return int(found)

    def item(self, sku: str) -> Item | None:
        return self.items([sku]).get(sku)

    def items(self, skus: Iterable[str] | None = None) -> dict[str, Item]:
        query = select(t.items, t.suppliers.c.name.label("supplier_name")).outerjoin(
            t.suppliers, t.items.c.supplier_id == t.suppliers.c.id
        )
        if skus is None:
            rows: list[Any] = list(self.conn.execute(query.order_by(t.items.c.sku)))
        else:
            rows = []
            for part in in_slices(sorted(set(skus))):
                rows += self.conn.execute(query.where(t.items.c.sku.in_(part)).order_by(t.items.c.sku)).all()
        found: dict[str, Item] = {}
        for r in rows:
            self.ids.ids[r.sku] = r.id
            found[r.sku] = Item(
                sku=r.sku,
                name=r.name,
                procurement=Procurement(r.procurement),
                unit=r.unit,
                price=_m(r.price),
                cost=_m(r.cost),
                lead_time_days=r.lead_time_days,
                supplier=r.supplier_name,
                safety_stock=Quantity(r.safety_stock),
                reorder_point=_q(r.reorder_point),
                reorder_qty=_q(r.reorder_qty),
                min_order_qty=_q(r.min_order_qty),
                order_multiple=_q(r.order_multiple),
                release_date=r.release_date,
            )
            self.ids.terms[r.sku] = found[r.sku].terms
        return found

    def sale_terms(self, skus: Iterable[str]) -> dict[str, SaleTerms]:
        """How each SKU is sold; read with the item ids when intake locked them (no extra query)."""
        return self.ids.sale_terms(skus)

    def save_item(self, item: Item) -> None:
        values: dict[str, Any] = {
            "name": item.name,
            "procurement": item.procurement.value,
            "unit": item.unit,
            "price": item.price,
            "cost": item.cost,
            "lead_time_days": item.lead_time_days,
            "supplier_id": self.supplier_id(item.supplier) if item.supplier else None,
            "safety_stock": item.safety_stock,
            "reorder_point": item.reorder_point,
            "reorder_qty": item.reorder_qty,
            "min_order_qty": item.min_order_qty,
            "order_multiple": item.order_multiple,
            "release_date": item.release_date,
        }
        self.ids.terms.pop(item.sku, None)
        done = self.conn.execute(update(t.items).where(t.items.c.sku == item.sku).values(**values))
        if done.rowcount == 0:
            self.conn.execute(insert(t.items).values(sku=item.sku, **values))

    def boms(self) -> BillsOfMaterials:
        parent, component = t.items.alias("parent"), t.items.alias("component")
        query = (
            select(
                parent.c.sku.label("parent"),
                component.c.sku.label("component"),
                t.bom_lines.c.quantity,
            )
            .join(parent, parent.c.id == t.bom_lines.c.parent_id)
            .join(component, component.c.id == t.bom_lines.c.component_id)
            .order_by(parent.c.sku, component.c.sku)
        )
        lines: dict[str, list[BomLine]] = {}
        for r in self.conn.execute(query):
            lines.setdefault(r.parent, []).append(BomLine(r.component, Quantity(r.quantity)))
        return BillsOfMaterials(lines)

    def replace_bom(self, parent_sku: str, lines: Sequence[BomLine]) -> None:
        ids = self.ids.resolve([parent_sku, *(line.component_sku for line in lines)])
        self.conn.execute(t.bom_lines.delete().where(t.bom_lines.c.parent_id == ids[parent_sku]))
        if lines:
            self.conn.execute(
                insert(t.bom_lines),
                [
                    {
                        "parent_id": ids[parent_sku],
                        "component_id": ids[line.component_sku],
                        "quantity": line.quantity_per,
                    }
                    for line in lines
                ],
            )


class SqlStock:
    """Stock per SKU: the ledger's sum and the lines' reservations, kept on the items' rows."""

    def __init__(self, conn: Connection, ids: ItemIds, now: datetime, totals: StockTotals) -> None:
        self.conn, self.ids, self.now, self.totals = conn, ids, now, totals

    def lock(self, skus: Iterable[str]) -> dict[str, ItemStock]:
        """Lock the items' rows, then read on hand and reserved inside the lock."""
        return self.levels(skus, lock=True)

    def levels(self, skus: Iterable[str], *, lock: bool = False) -> dict[str, ItemStock]:
        """On hand (the ledger's sum) and reserved (the lines' allocations) per SKU.

        Read from the items' rows after this transaction's own changes are written to them;
        with `lock`, by the same statement that locks the rows (one round trip).
        """
        self.totals.flush()
        ids = self.ids.resolve(skus, lock=lock)
        if not lock:
            sku_of = {item_id: sku for sku, item_id in ids.items()}
            for part in in_slices(list(sku_of)):
                for item_id, on_hand, allocated in self.conn.execute(_TOTALS, {"ids": part}):
                    self.ids.stock[sku_of[item_id]] = (on_hand, allocated)
        return {sku: ItemStock(sku, *self.ids.stock[sku]) for sku in ids}

    def add_move(self, move: StockMove) -> None:
        item_id = self.ids.id(move.sku)
        self.totals.add(item_id, on_hand=move.quantity)
        self.conn.execute(
            insert(t.stock_moves).values(
                item_id=item_id,
                quantity=move.quantity,
                kind=move.kind.value,
                reference=move.reference,
                reason=move.reason,
                moved_on=move.moved_on,
                created_at=self.now,
            )
        )

    def moves(self, sku: str, *, limit: int = 50) -> list[StockMove]:
        rows = self.conn.execute(
            select(t.stock_moves)
            .where(t.stock_moves.c.item_id == self.ids.id(sku))
            .order_by(t.stock_moves.c.id.desc())
            .limit(limit)
        )
        return [StockMove(sku, r.quantity, MoveKind(r.kind), r.moved_on, r.reference, r.reason) for r in rows]


_LINE_STATE = ("allocated_quantity", "shipped_quantity", "cancelled_quantity", "backordered_on")


def insert_lines(
    conn: Connection, totals: StockTotals, lines: Sequence[tuple[int, SalesOrderLine, int]]
) -> None:
    """Write new order lines, given as (order row id, line, item row id), and their allocations
    to the items' totals: the one way lines enter `order_lines`."""
    insert_rows(conn, t.order_lines, [_line_row(*line) for line in lines])
    for _, line, item_id in lines:
        totals.add(item_id, allocated=line.allocated_quantity)


def _line_row(order_id: int, line: SalesOrderLine, item_id: int) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "line_no": line.line_no,
        "item_id": item_id,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "allocated": line.allocated_quantity,
        "shipped": line.shipped_quantity,
        "cancelled": line.cancelled_quantity,
        "backordered_on": line.backordered_on,
        "kind": line.kind.value,
    }


class SqlOrders:
    """Sales orders with their lines, and the shipments made for them."""

    def __init__(self, conn: Connection, ids: ItemIds, now: datetime, totals: StockTotals) -> None:
        self.conn, self.ids, self.now, self.totals = conn, ids, now, totals
        self.row_ids: dict[str, int] = {}
        self.seen: dict[str, tuple[object, ...]] = {}

    def _snapshot(self, order: SalesOrder) -> tuple[object, ...]:
        return (
            order.status,
            tuple(tuple(getattr(line, a) for a in _LINE_STATE) for line in order.lines),
        )

    def get(self, order_ref: str, *, lock: bool = False) -> SalesOrder | None:
        query = select(t.sales_orders).where(t.sales_orders.c.order_ref == order_ref)
        if lock:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        if row is None:
            return None
        return self._load([row])[order_ref]

    def get_many(self, order_refs: Iterable[str]) -> dict[str, SalesOrder]:
        refs = sorted(set(order_refs))
        found: dict[str, SalesOrder] = {}
        for start in range(0, len(refs), 500):
            rows = self.conn.execute(_ORDERS_BY_REF, {"refs": refs[start : start + 500]}).all()
            found.update(self._load(rows))
        return found

    def _load(self, rows: Sequence[Any]) -> dict[str, SalesOrder]:
        by_id = {r.id: r for r in rows}
        lines: dict[int, list[SalesOrderLine]] = {i: [] for i in by_id}
        if by_id:
            for r in self.conn.execute(_LINES_OF_ORDERS, {"order_ids": list(by_id)}):
                lines[r.order_id].append(
                    SalesOrderLine(
                        line_no=r.line_no,
                        sku=r.sku,
                        quantity=Quantity(r.quantity),
                        unit_price=_m(r.unit_price),
                        allocated_quantity=r.allocated,
                        shipped_quantity=r.shipped,
                        cancelled_quantity=r.cancelled,
                        backordered_on=r.backordered_on,
                        kind=LineKind(r.kind),
                    )
                )
        found = {}
        for row_id, r in by_id.items():
            order = SalesOrder(
                order_ref=r.order_ref,
                customer=r.customer,
                email=r.email,
                ordered_at=r.ordered_at,
                priority=r.priority,
                ship_policy=ShipPolicy(r.ship_policy),
                status=OrderStatus(r.status),
                ship_to=r.ship_to,
                source=r.source,
                financial_status=r.financial_status,
                requested_date=r.requested_date,
                lines=lines[row_id],
            )
            self.row_ids[order.order_ref] = row_id
            self.seen[order.order_ref] = self._snapshot(order)
            found[order.order_ref] = order
        return found

    def add(self, order: SalesOrder) -> None:
        self.add_many([order])

    def add_many(self, orders: Sequence[SalesOrder]) -> None:
        """Insert new orders and their lines in as few statements as the driver allows."""
        if not orders:
            return
        ids = self.ids.resolve(line.sku for order in orders for line in order.lines)
        written = insert_rows(
            self.conn,
            t.sales_orders,
            [
                {
                    "order_ref": order.order_ref,
                    "customer": order.customer,
                    "email": order.email,
                    "ordered_at": order.ordered_at,
                    "priority": order.priority,
                    "ship_policy": order.ship_policy.value,
                    "status": order.status.value,
                    "created_at": self.now,
                    "ship_to": order.ship_to,
                    "source": order.source,
                    "financial_status": order.financial_status,
                    "requested_date": order.requested_date,
                }
                for order in orders
            ],
            returning=["order_ref", "id"],
        )
        self.row_ids.update(written)
        for order in orders:
            self.seen[order.order_ref] = self._snapshot(order)
        insert_lines(
            self.conn,
            self.totals,
            [
                (self.row_ids[order.order_ref], line, ids[line.sku])
                for order in orders
                for line in order.lines
            ],
        )

    def save(self, order: SalesOrder) -> None:
        """Write the order's status and every line whose quantities changed since it was loaded."""
        row_id = self.row_ids[order.order_ref]
        before = self.seen[order.order_ref]
        after = self._snapshot(order)
        if before == after:
            return
        if before[0] != after[0]:
            self.conn.execute(
                update(t.sales_orders).where(t.sales_orders.c.id == row_id).values(status=order.status.value)
            )
        old_lines: Any = before[1]
        for line, old in zip(order.lines, old_lines, strict=True):
            if tuple(getattr(line, a) for a in _LINE_STATE) == old:
                continue
            self.totals.add(self.ids.id(line.sku), allocated=line.allocated_quantity - old[0])
            self.conn.execute(
                update(t.order_lines)
                .where(t.order_lines.c.order_id == row_id, t.order_lines.c.line_no == line.line_no)
                .values(
                    allocated=line.allocated_quantity,
                    shipped=line.shipped_quantity,
                    cancelled=line.cancelled_quantity,
                    backordered_on=line.backordered_on,
                )
            )
        self.seen[order.order_ref] = after

    def _waiting_query(self, item_ids: Sequence[int], condition: Any) -> list[WaitingLine]:
        query = (
            select(
                t.sales_orders.c.order_ref,
                t.sales_orders.c.priority,
                t.sales_orders.c.ordered_at,
                t.sales_orders.c.id.label("sequence"),
                t.order_lines.c.line_no,
                t.order_lines.c.item_id,
                t.order_lines.c.quantity,
                t.order_lines.c.allocated,
                t.order_lines.c.shipped,
                t.order_lines.c.cancelled,
            )
            .join(t.sales_orders, t.sales_orders.c.id == t.order_lines.c.order_id)
            .where(t.order_lines.c.item_id.in_(item_ids), condition)
        )
        return [
            WaitingLine(
                order_ref=r.order_ref,
                line_no=r.line_no,
                sku=self.ids.skus[r.item_id],
                backordered_quantity=r.quantity - r.allocated - r.shipped - r.cancelled,
                priority=r.priority,
                ordered_at=r.ordered_at,
                sequence=r.sequence,
            )
            for r in self.conn.execute(query)
        ]

    def waiting(self, skus: Iterable[str]) -> list[WaitingLine]:
        """Lines waiting for stock of these SKUs: stock lines with a backorder, and open preorder
        lines of items released by the unit of work's business date. Drop-ship lines never wait."""
        ids = self.ids.resolve(skus)
        lines = t.order_lines.c
        today = self.now.date()
        terms = self.ids.sale_terms(ids)
        found: list[WaitingLine] = []
        for part in in_slices(list(ids.items())):
            released = [i for sku, i in part if terms[sku].released_by(today)]
            kinds: Any = lines.kind == LineKind.STOCK.value
            if released:
                kinds = or_(kinds, and_(lines.kind == LineKind.PREORDER.value, lines.item_id.in_(released)))
            found += self._waiting_query(
                [i for _, i in part],
                and_(lines.quantity > lines.allocated + lines.shipped + lines.cancelled, kinds),
            )
        return found

    def released_preorder_skus(self, today: date) -> list[str]:
        """SKUs with open preorder lines whose item's release date has come by `today`."""
        ol, items = t.order_lines.c, t.items.c
        query = (
            select(items.sku)
            .join(t.order_lines, ol.item_id == items.id)
            .where(
                ol.kind == LineKind.PREORDER.value,
                ol.quantity > ol.allocated + ol.shipped + ol.cancelled,
                or_(items.release_date.is_(None), items.release_date <= today),
            )
            .distinct()
            .order_by(items.sku)
        )
        return list(self.conn.execute(query).scalars())

    def holding(self, sku: str) -> list[WaitingLine]:
        """Lines that hold an allocation of this SKU."""
        return self._waiting_query([self.ids.id(sku)], _RESERVED)

    def shipment_count(self, order_ref: str) -> int:
        return int(
            self.conn.execute(
                select(func.count())
                .select_from(t.shipments)
                .where(t.shipments.c.order_id == self.row_ids[order_ref])
            ).scalar_one()
        )

    def add_shipment(self, shipment: Shipment) -> None:
        ids = self.ids.resolve(line.sku for line in shipment.lines)
        shipment_id = self.conn.execute(
            insert(t.shipments)
            .values(
                shipment_ref=shipment.shipment_ref,
                order_id=self.row_ids[shipment.order_ref],
                shipped_on=shipment.shipped_on,
                tracking=shipment.tracking,
                created_at=self.now,
            )
            .returning(t.shipments.c.id)
        ).scalar_one()
        self.conn.execute(
            insert(t.shipment_lines),
            [
                {
                    "shipment_id": shipment_id,
                    "line_no": line.line_no,
                    "item_id": ids[line.sku],
                    "quantity": line.quantity,
                }
                for line in shipment.lines
            ],
        )


class SqlSupply:
    """Purchase orders, manufacturing orders and their expected-date history."""

    def __init__(self, conn: Connection, ids: ItemIds, catalogue: SqlCatalogue, now: datetime) -> None:
        self.conn, self.ids, self.catalogue, self.now = conn, ids, catalogue, now
        self.po_ids: dict[str, int] = {}
        #: How many lines each loaded PO has stored: lines beyond them are new and get inserted.
        self.po_lines: dict[str, int] = {}

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
                    unit_cost=_m(r.unit_cost),
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
        return found

    def add_purchase_order(self, po: PurchaseOrder) -> None:
        order_id = self._order_id(po)
        po_id = self.conn.execute(
            insert(t.purchase_orders)
            .values(
                po_ref=po.po_ref,
                supplier_id=self.catalogue.supplier_id(po.supplier),
                status=po.status.value,
                created_at=self.now,
                ship_to=po.ship_to,
                order_id=order_id,
            )
            .returning(t.purchase_orders.c.id)
        ).scalar_one()
        self.po_ids[po.po_ref] = po_id
        self.po_lines[po.po_ref] = 0
        self._insert_new_lines(po)

    def _insert_new_lines(self, po: PurchaseOrder) -> None:
        """Insert the PO's lines not stored yet (all of a new PO; those added to a drop-ship PO)."""
        stored = self.po_lines[po.po_ref]
        new = list(enumerate(po.lines, start=1))[stored:]
        if not new:
            return
        ids = self.ids.resolve(line.sku for _, line in new)
        served = self._order_line_ids(po) if any(line.order_line_no for _, line in new) else {}
        self.conn.execute(
            insert(t.purchase_order_lines),
            [
                {
                    "po_id": self.po_ids[po.po_ref],
                    "line_no": n,
                    "item_id": ids[line.sku],
                    "quantity": line.quantity,
                    "received": line.received_quantity,
                    "unit_cost": line.unit_cost,
                    "expected_date": line.expected_date,
                    "order_line_id": None if line.order_line_no is None else served[line.order_line_no],
                }
                for n, line in new
            ],
        )
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
        self._insert_new_lines(po)
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
        return ManufacturingOrder(
            mo_ref=r.mo_ref,
            sku=r.sku,
            quantity=Quantity(r.quantity),
            start_date=r.start_date,
            finish_date=r.finish_date,
            completed_quantity=r.completed,
            status=SupplyStatus(r.status),
        )

    def add_manufacturing_order(self, mo: ManufacturingOrder) -> None:
        self.conn.execute(
            insert(t.manufacturing_orders).values(
                mo_ref=mo.mo_ref,
                item_id=self.ids.id(mo.sku),
                quantity=mo.quantity,
                completed=mo.completed_quantity,
                start_date=mo.start_date,
                finish_date=mo.finish_date,
                status=mo.status.value,
                created_at=self.now,
            )
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

    def next_ref(self, prefix: str) -> str:
        """The next free ref of a series (MO-1, MO-2, ...), counted under a row lock."""
        counter = t.ref_counters
        current = self.conn.execute(
            select(counter.c.value).where(counter.c.name == prefix).with_for_update()
        ).scalar()
        value = (current or 0) + 1
        if current is None:
            self.conn.execute(insert(counter).values(name=prefix, value=value))
        else:
            self.conn.execute(update(counter).where(counter.c.name == prefix).values(value=value))
        return f"{prefix}-{value}"

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


class SqlOutbox:
    """Events written in the same transaction as the change that caused them."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now
        self.written = 0

    def add(self, events: Sequence[Event]) -> None:
        """Append events; each is a microsecond after the one before, so delivery keeps their order."""
        if not events:
            return
        first = self.written
        self.written += len(events)
        insert_rows(
            self.conn,
            t.outbox,
            [
                {
                    "id": str(uuid.uuid4()),
                    "event_type": event.name,
                    "payload": json.dumps(payload, sort_keys=True),
                    "created_at": self.now + timedelta(microseconds=first + n),
                    "order_ref": payload.get("order_ref"),
                }
                for n, (event, payload) in enumerate((event, event.payload()) for event in events)
            ],
        )


class SqlTokens:
    """API tokens, stored only as SHA-256 hashes."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now

    def add(self, name: str, role: str, token_hash: str) -> bool:
        """Store a new token; False when the name is taken."""
        exists = self.conn.execute(select(t.api_tokens.c.id).where(t.api_tokens.c.name == name)).first()
        if exists:
            return False
        self.conn.execute(
            insert(t.api_tokens).values(name=name, role=role, token_hash=token_hash, created_at=self.now)
        )
        return True

    def role_of(self, token_hash: str) -> tuple[str, str] | None:
        """(name, role) of a live token with this hash."""
        row = self.conn.execute(
            select(t.api_tokens.c.name, t.api_tokens.c.role).where(
                t.api_tokens.c.token_hash == token_hash, t.api_tokens.c.revoked_at.is_(None)
            )
        ).first()
        return None if row is None else (row.name, row.role)

    def revoke(self, name: str) -> bool:
        done = self.conn.execute(
            update(t.api_tokens)
            .where(t.api_tokens.c.name == name, t.api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=self.now)
        )
        return bool(done.rowcount)

    def all(self) -> list[StoredToken]:
        """Every token, live or revoked, by name."""
        rows = self.conn.execute(select(*_TOKEN_COLUMNS).order_by(t.api_tokens.c.name)).all()
        return [StoredToken(*row) for row in rows]

    def get(self, name: str) -> StoredToken | None:
        """The token with this name, live or revoked."""
        row = self.conn.execute(select(*_TOKEN_COLUMNS).where(t.api_tokens.c.name == name)).first()
        return None if row is None else StoredToken(*row)

    def record_use(self, name: str) -> None:
        """The token was used now."""
        self.conn.execute(
            update(t.api_tokens).where(t.api_tokens.c.name == name).values(last_used_at=self.now)
        )


_TOKEN_COLUMNS = (
    t.api_tokens.c.name,
    t.api_tokens.c.role,
    t.api_tokens.c.created_at,
    t.api_tokens.c.last_used_at,
    t.api_tokens.c.revoked_at,
)


class SqlRequests:
    """Answers to write requests, kept by token and idempotency key so a repeat gets the same answer."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now

    def get(self, key: str, *, owner: str = "") -> tuple[str, int, str] | None:
        """(request hash, status code, response body) stored for this key sent by this token."""
        keys = t.idempotency_keys
        row = self.conn.execute(select(keys).where(keys.c.token_name == owner, keys.c.key == key)).first()
        return None if row is None else (row.request_hash, row.status_code, row.response)

    def save(self, key: str, request_hash: str, status_code: int, response: str, *, owner: str = "") -> None:
        self.conn.execute(
            insert(t.idempotency_keys).values(
                token_name=owner,
                key=key,
                request_hash=request_hash,
                status_code=status_code,
                response=response,
                created_at=self.now,
            )
        )


class SqlStatusLinks:
    """Links to order-status pages, kept only as SHA-256 hashes of their tokens."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now

    def _order_id(self, order_ref: str) -> int:
        order_id = self.conn.execute(
            select(t.sales_orders.c.id).where(t.sales_orders.c.order_ref == order_ref)
        ).scalar_one_or_none()
        if order_id is None:
            raise UnknownOrder(order_ref, field="order_ref")
        return int(order_id)

    def add(self, order_ref: str, token_hash: str) -> None:
        """Keep a new link to a known order (UnknownOrder otherwise)."""
        self.conn.execute(
            insert(t.status_links).values(
                order_id=self._order_id(order_ref), token_hash=token_hash, created_at=self.now
            )
        )

    def order_ref_of(self, token_hash: str) -> str | None:
        """The order a live (not revoked) link opens."""
        return self.conn.execute(
            select(t.sales_orders.c.order_ref)
            .join(t.status_links, t.status_links.c.order_id == t.sales_orders.c.id)
            .where(t.status_links.c.token_hash == token_hash, t.status_links.c.revoked_at.is_(None))
        ).scalar_one_or_none()

    def revoke(self, order_ref: str) -> int:
        """Revoke every live link of a known order (UnknownOrder otherwise); the number revoked."""
        order_id = self._order_id(order_ref)
        done = self.conn.execute(
            update(t.status_links)
            .where(t.status_links.c.order_id == order_id, t.status_links.c.revoked_at.is_(None))
            .values(revoked_at=self.now)
        )
        return int(done.rowcount)
