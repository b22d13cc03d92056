"""The planning snapshot read in a few bulk queries, and the promises stored after a plan."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Select, bindparam, func, insert, select, update

from pegboard.adapters.db import tables as t
from pegboard.domain.quantities import ZERO
from pegboard.domain.sales import LineKind
from pegboard.planning.promises import LinePromise, StoredPromise
from pegboard.planning.scope import connected_skus
from pegboard.planning.snapshot import (
    BackorderDemand,
    DropshipDemand,
    OpenManufacturingOrder,
    OpenPurchaseLine,
    PlanBomLine,
    PlanInput,
    PlanItem,
)


class SqlPlanning:
    """Reads what planning needs and keeps the promises it gives."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def snapshot(self, today: date, *, around: Iterable[str] | None = None) -> PlanInput:
        """Items, BOMs, available stock, open POs and MOs, and every open line, as plain data.

        Backorders and preorders (with their item's release date) are the demand; drop-ship lines
        come apart with their PO, and drop-ship POs are not supply for our warehouse.

        With `around`, only the SKUs joined to those through BOM lines are read (what a change
        to them can affect; see `planning.scope`).
        """
        sku_of: dict[int, str] = dict(self.conn.execute(select(t.items.c.id, t.items.c.sku)).all())
        boms = [
            PlanBomLine(sku_of[r.parent_id], sku_of[r.component_id], r.quantity)
            for r in self.conn.execute(
                select(t.bom_lines).order_by(t.bom_lines.c.parent_id, t.bom_lines.c.component_id)
            )
        ]
        ids: list[int] | None = None
        if around is not None:
            keep = connected_skus(PlanInput(today=today, items=(), bom_lines=boms), around)
            sku_of = {i: sku for i, sku in sku_of.items() if sku in keep}
            boms = [b for b in boms if b.parent_sku in keep]
            ids = sorted(sku_of)
        items = []
        release_of: dict[str, date] = {}
        query = (
            select(
                t.items, t.suppliers.c.name.label("supplier_name"), t.suppliers.c.lead_time_days.label("slt")
            )
            .outerjoin(t.suppliers, t.suppliers.c.id == t.items.c.supplier_id)
            .order_by(t.items.c.sku)
        )
        for r in self.conn.execute(query if ids is None else query.where(t.items.c.id.in_(ids))):
            if r.release_date is not None:
                release_of[r.sku] = r.release_date
            items.append(
                PlanItem(
                    sku=r.sku,
                    procurement=r.procurement,
                    lead_time_days=r.lead_time_days,
                    supplier=r.supplier_name,
                    supplier_lead_time_days=r.slt,
                    safety_stock=r.safety_stock,
                    reorder_point=r.reorder_point,
                    reorder_qty=r.reorder_qty,
                    min_order_qty=r.min_order_qty,
                    order_multiple=r.order_multiple,
                )
            )
        return PlanInput(
            today=today,
            items=items,
            bom_lines=boms,
            available=self._available(sku_of, ids),
            purchase_lines=self._purchase_lines(sku_of, ids),
            manufacturing_orders=self._manufacturing_orders(sku_of, ids),
            demands=self._demands(sku_of, ids, release_of),
            dropships=self._dropships(sku_of, ids),
        )

    def _available(self, sku_of: dict[int, str], ids: list[int] | None) -> dict[str, Decimal]:
        moves, lines = t.stock_moves.c, t.order_lines.c
        on_hand = dict(
            self.conn.execute(
                _among(select(moves.item_id, func.sum(moves.quantity)), moves.item_id, ids).group_by(
                    moves.item_id
                )
            ).all()
        )
        allocated = dict(
            self.conn.execute(
                _among(select(lines.item_id, func.sum(lines.allocated)), lines.item_id, ids)
                .where(lines.allocated > 0)
                .group_by(lines.item_id)
            ).all()
        )
        found = {}
        for item_id, sku in sku_of.items():
            free = (on_hand.get(item_id) or ZERO) - (allocated.get(item_id) or ZERO)
            if free > 0:
                found[sku] = free
        return found

    def _purchase_lines(self, sku_of: dict[int, str], ids: list[int] | None) -> list[OpenPurchaseLine]:
        po, pol = t.purchase_orders, t.purchase_order_lines
        query = select(po.c.po_ref, pol.c.item_id, pol.c.quantity, pol.c.received, pol.c.expected_date)
        rows = self.conn.execute(
            _among(query, pol.c.item_id, ids)
            .join(po, po.c.id == pol.c.po_id)
            .where(
                pol.c.received < pol.c.quantity,
                po.c.status.not_in(["received", "cancelled"]),
                pol.c.order_line_id.is_(None),
            )
            .order_by(po.c.po_ref, pol.c.line_no)
        )
        return [
            OpenPurchaseLine(r.po_ref, sku_of[r.item_id], r.quantity - r.received, r.expected_date)
            for r in rows
        ]

    def _manufacturing_orders(
        self, sku_of: dict[int, str], ids: list[int] | None
    ) -> list[OpenManufacturingOrder]:
        mo = t.manufacturing_orders
        rows = self.conn.execute(
            _among(select(mo), mo.c.item_id, ids)
            .where(mo.c.status.not_in(["completed", "cancelled"]))
            .order_by(mo.c.id)
        )
        return [
            OpenManufacturingOrder(
                r.mo_ref, sku_of[r.item_id], r.quantity - r.completed, r.start_date, r.finish_date
            )
            for r in rows
        ]

    def _demands(
        self, sku_of: dict[int, str], ids: list[int] | None, release_of: dict[str, date]
    ) -> list[BackorderDemand]:
        so, ol = t.sales_orders, t.order_lines
        query = select(
            ol.c.kind,
            so.c.order_ref,
            so.c.priority,
            so.c.ordered_at,
            so.c.id.label("sequence"),
            ol.c.line_no,
            ol.c.item_id,
            ol.c.quantity,
            ol.c.allocated,
            ol.c.shipped,
            ol.c.cancelled,
        )
        rows = self.conn.execute(
            _among(query, ol.c.item_id, ids)
            .join(so, so.c.id == ol.c.order_id)
            .where(
                ol.c.quantity > ol.c.allocated + ol.c.shipped + ol.c.cancelled,
                ol.c.kind != LineKind.DROPSHIP.value,
            )
            .order_by(so.c.id, ol.c.line_no)
        )
        return [
            BackorderDemand(
                order_ref=r.order_ref,
                line_no=r.line_no,
                sku=sku_of[r.item_id],
                quantity=r.quantity - r.allocated - r.shipped - r.cancelled,
                priority=r.priority,
                ordered_at=r.ordered_at,
                sequence=r.sequence,
                release_date=(
                    release_of.get(sku_of[r.item_id]) if r.kind == LineKind.PREORDER.value else None
                ),
            )
            for r in rows
        ]

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
        for r in self.conn.execute(_among(query, ol.c.item_id, ids)):
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
        if refs is None or len(refs) > 2000:
            # Many orders: one pass over the table beats thousands of IN-list probes.
            wanted = None if refs is None else set(refs)
            rows = (r for r in self.conn.execute(query) if wanted is None or r.order_ref in wanted)
        else:
            rows = (r for r in self.conn.execute(query.where(so.c.order_ref.in_(refs))))
        return {
            (r.order_ref, r.line_no): StoredPromise(r.promised_date, r.reason, r.basis, r.first_date)
            for r in rows
        }

    def save_promises(self, promises: Iterable[LinePromise], *, on: date) -> None:
        """Write each line's new promise; the first dated promise is kept as it was."""
        wanted = list(promises)
        if not wanted:
            return
        so, ol = t.sales_orders, t.order_lines
        refs = sorted({p.order_ref for p in wanted})
        line_ids: dict[tuple[str, int], int] = {}
        for start in range(0, len(refs), 1000):
            for r in self.conn.execute(
                select(so.c.order_ref, ol.c.line_no, ol.c.id)
                .join(so, so.c.id == ol.c.order_id)
                .where(so.c.order_ref.in_(refs[start : start + 1000]))
            ):
                line_ids[r.order_ref, r.line_no] = r.id
        existing = set(
            self.conn.execute(
                select(t.line_promises.c.line_id).where(
                    t.line_promises.c.line_id.in_([line_ids[p.order_ref, p.line_no] for p in wanted])
                )
            ).scalars()
        )
        new_rows, changed = [], []
        for p in wanted:
            line_id = line_ids[p.order_ref, p.line_no]
            values = {
                "promised_date": p.promised_date,
                "reason": p.reason[:500],
                "basis": p.basis[:100],
                "parts": json.dumps(p.parts, sort_keys=True, default=str),
                "promised_on": on,
            }
            if line_id in existing:
                changed.append((line_id, values))
            else:
                new_rows.append(
                    {"line_id": line_id, **values, "first_date": p.promised_date, "first_promised_on": on}
                )
        if new_rows:
            self.conn.execute(insert(t.line_promises), new_rows)
        if changed:
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
                [
                    {"b_line_id": line_id, **{f"b_{k}": v for k, v in values.items()}}
                    for line_id, values in changed
                ],
            )


Q = TypeVar("Q", bound=Select[Any])


def _among(query: Q, column: ColumnElement[Any], ids: list[int] | None) -> Q:
    """Keep only rows of these items (all rows when `ids` is None)."""
    return query if ids is None else query.where(column.in_(ids))
