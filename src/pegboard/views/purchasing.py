"""Purchasing: the plan's suggestions per supplier, open purchase orders, and one PO in full.

A PO is late when an open line's expected date has passed; an open line without a date is
on open term (the supplier has not said when).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, func, select

from pegboard.adapters.db import tables as t
from pegboard.domain.ledger import MoveKind
from pegboard.planning.result import PlanResult
from pegboard.views.production import DateChange, date_changes, item_names
from pegboard.views.sql import units
from pegboard.views.stored_plan import PLANNED_NOW, PlanState

#: The heading for suggestions of items that have no supplier (they cannot be ordered as they are).
NO_SUPPLIER = ""


@dataclass(frozen=True)
class SuggestedLine:
    """One SKU the plan suggests buying: how many, order by, expected (None: open term)."""

    sku: str
    name: str
    quantity: Decimal
    order_date: date
    expected_date: date | None


@dataclass(frozen=True)
class SupplierSuggestions:
    """What the plan suggests buying from one supplier, one line per SKU."""

    supplier: str
    lines: tuple[SuggestedLine, ...]

    @property
    def orderable(self) -> bool:
        """A real supplier: the lines can become a PO (items without a supplier cannot)."""
        return self.supplier != NO_SUPPLIER


def suggestions_by_supplier(conn: Connection, result: PlanResult) -> list[SupplierSuggestions]:
    """The plan's purchase suggestions grouped per supplier (by name), SKUs merged, earliest date kept."""
    names = item_names(conn, {s.sku for s in result.purchase_suggestions})
    merged: dict[str, dict[str, SuggestedLine]] = {}
    for s in result.purchase_suggestions:
        lines = merged.setdefault(s.supplier or NO_SUPPLIER, {})
        before = lines.get(s.sku)
        if before is None:
            lines[s.sku] = SuggestedLine(
                s.sku, names.get(s.sku, s.sku), s.quantity, s.order_date, s.expected_date
            )
            continue
        dates = [d for d in (before.expected_date, s.expected_date) if d is not None]
        lines[s.sku] = SuggestedLine(
            s.sku,
            before.name,
            before.quantity + s.quantity,
            min(before.order_date, s.order_date),
            min(dates) if dates else None,
        )
    return [
        SupplierSuggestions(supplier, tuple(lines[sku] for sku in sorted(lines)))
        for supplier, lines in sorted(merged.items(), key=lambda kv: (kv[0] == NO_SUPPLIER, kv[0]))
    ]


@dataclass(frozen=True)
class OpenPo:
    """An open purchase order: what is still to come and when; late when its date has passed."""

    po_ref: str
    supplier: str
    status: str
    skus: tuple[str, ...]
    open_units: Decimal
    expected_date: date | None
    late: bool
    dropship: bool


def open_purchase_orders(
    conn: Connection, *, today: date, limit: int | None = None, offset: int = 0
) -> list[OpenPo]:
    """Open POs, the earliest expected first (open term last), each with its open lines summed;
    ranked and paged in SQL (`limit`, `offset`), so a page reads only its own POs' lines."""
    po, pol, it = t.purchase_orders, t.purchase_order_lines, t.items
    still_to_come = pol.c.received < pol.c.quantity
    expected = func.min(pol.c.expected_date)
    query = (
        select(
            po.c.id,
            po.c.po_ref,
            po.c.status,
            po.c.order_id,
            t.suppliers.c.name.label("supplier"),
            expected.label("expected"),
            units(func.sum(pol.c.quantity - pol.c.received)).label("open"),
        )
        .join(po, po.c.id == pol.c.po_id)
        .join(t.suppliers, t.suppliers.c.id == po.c.supplier_id)
        .where(still_to_come, po.c.status.not_in(["received", "cancelled"]))
        .group_by(po.c.id, po.c.po_ref, po.c.status, po.c.order_id, t.suppliers.c.name)
        .order_by(expected.is_(None), expected, po.c.po_ref)
        .offset(offset)
    )
    heads = conn.execute(query if limit is None else query.limit(limit)).all()
    skus: dict[int, list[str]] = {}
    if heads:
        for r in conn.execute(
            select(pol.c.po_id, it.c.sku)
            .join(it, it.c.id == pol.c.item_id)
            .where(pol.c.po_id.in_([h.id for h in heads]), still_to_come)
            .order_by(pol.c.po_id, pol.c.line_no)
        ):
            skus.setdefault(r.po_id, []).append(r.sku)
    return [
        OpenPo(
            po_ref=h.po_ref,
            supplier=h.supplier,
            status=h.status,
            skus=tuple(dict.fromkeys(skus.get(h.id, []))),
            open_units=h.open,
            expected_date=h.expected,
            late=h.expected is not None and h.expected < today,
            dropship=h.order_id is not None,
        )
        for h in heads
    ]


@dataclass(frozen=True)
class PoLine:
    """A PO line: ordered, received, still to come, and when."""

    line_no: int
    sku: str
    name: str
    quantity: Decimal
    received: Decimal
    expected_date: date | None
    unit_cost: Decimal | None

    @property
    def open_quantity(self) -> Decimal:
        """What is still to come."""
        return self.quantity - self.received


@dataclass(frozen=True)
class Receipt:
    """Stock booked in against the PO on a day."""

    day: date
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class PoDetail:
    """One purchase order: its lines, the receipts booked against it, and its reschedule history."""

    po_ref: str
    supplier: str
    status: str
    order_ref: str | None
    lines: tuple[PoLine, ...]
    receipts: tuple[Receipt, ...]
    reschedules: tuple[DateChange, ...]
    late: bool

    @property
    def expected_date(self) -> date | None:
        """The earliest expected date of an open line (None: open term or nothing open)."""
        dates = [line.expected_date for line in self.lines if line.open_quantity > 0 and line.expected_date]
        return min(dates) if dates else None

    @property
    def closed(self) -> bool:
        """Received in full or cancelled: nothing more can come."""
        return self.status in ("received", "cancelled")


def purchase_order(conn: Connection, po_ref: str, *, today: date) -> PoDetail | None:
    """The PO by ref with its lines, receipts and date changes; None when there is none."""
    po, pol, it = t.purchase_orders, t.purchase_order_lines, t.items
    head = conn.execute(
        select(po.c.id, po.c.status, t.suppliers.c.name, t.sales_orders.c.order_ref)
        .join(t.suppliers, t.suppliers.c.id == po.c.supplier_id)
        .outerjoin(t.sales_orders, t.sales_orders.c.id == po.c.order_id)
        .where(po.c.po_ref == po_ref)
    ).first()
    if head is None:
        return None
    lines = tuple(
        PoLine(r.line_no, r.sku, r.name, r.quantity, r.received, r.expected_date, r.unit_cost)
        for r in conn.execute(
            select(pol, it.c.sku, it.c.name)
            .join(it, it.c.id == pol.c.item_id)
            .where(pol.c.po_id == head.id)
            .order_by(pol.c.line_no)
        )
    )
    sm = t.stock_moves
    receipts = tuple(
        Receipt(r.moved_on, r.sku, r.quantity)
        for r in conn.execute(
            select(sm.c.moved_on, it.c.sku, sm.c.quantity)
            .join(it, it.c.id == sm.c.item_id)
            .where(sm.c.reference == po_ref, sm.c.kind == MoveKind.RECEIPT.value)
            .order_by(sm.c.id)
        )
    )
    late = any(
        line.open_quantity > 0 and line.expected_date is not None and line.expected_date < today
        for line in lines
    )
    return PoDetail(
        po_ref=po_ref,
        supplier=head.name,
        status=head.status,
        order_ref=head.order_ref,
        lines=lines,
        receipts=receipts,
        reschedules=date_changes(conn, po_ref),
        late=late and head.status not in ("received", "cancelled"),
    )


@dataclass(frozen=True)
class SuggestionForm:
    """One supplier's suggestions as the purchasing form numbers its quantity fields (qty-N)."""

    supplier: SupplierSuggestions
    numbered: tuple[tuple[int, SuggestedLine], ...]


@dataclass(frozen=True)
class PurchasingPage:
    """The /purchasing page: suggestions per supplier with editable quantities, and open POs."""

    #: The business date: a PO expected before it is late.
    today: date
    #: The plan's suggestions per supplier, each quantity field numbered.
    forms: tuple[SuggestionForm, ...]
    #: Open purchase orders, the earliest expected first.
    open_pos: tuple[OpenPo, ...]
    #: Show editable quantities and the order button (operators and admins).
    can_write: bool
    #: Values typed into a refused form, by field name.
    values: dict[str, str]
    #: Where the plan shown comes from: the stored plan (out of date or not), or planned now.
    plan_state: PlanState = PLANNED_NOW
    #: How many open POs come before this page.
    offset: int = 0
    #: Open POs per page.
    limit: int = 50
    #: Another page of open POs follows this one.
    more: bool = False


def numbered_forms(groups: list[SupplierSuggestions]) -> tuple[SuggestionForm, ...]:
    """Number every suggested line across suppliers, so each quantity field has its own name."""
    forms, n = [], 0
    for group in groups:
        numbered = []
        for line in group.lines:
            n += 1
            numbered.append((n, line))
        forms.append(SuggestionForm(group, tuple(numbered)))
    return tuple(forms)
