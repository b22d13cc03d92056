"""One order for the people who run the workshop: lines, what each waiting line rests on,
shipments, messages to the customer, status links and who did what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, func, select

from pegboard.adapters.db import tables as t
from pegboard.domain.quantities import ZERO
from pegboard.services.users import Action
from pegboard.views import lists
from pegboard.views.models import OrderView, late_against_request
from pegboard.views.stated import Stated, stated_beside
from pegboard.views.status import LineStatus, ShipmentStatus, order_status


@dataclass(frozen=True)
class Basis:
    """What a waiting line's date rests on: a PO or MO (with the page to see it), or words."""

    label: str
    href: str | None


@dataclass(frozen=True)
class OrderLine:
    """A line with its quantities by state, its promise, and what that promise rests on."""

    status: LineStatus
    unit_price: Decimal | None
    reason: str
    basis: Basis | None
    first_promised: date | None
    #: The date on the suppliers' stated dates, when their history moved the promise off it.
    stated: Stated | None = None

    @property
    def waiting(self) -> Decimal:
        """What is still owed and not reserved."""
        return self.status.waiting


@dataclass(frozen=True)
class Notice:
    """A message sent (or skipped for want of an address) to the customer."""

    kind: str
    sent_on: date
    recipient: str
    subject: str
    status: str


@dataclass(frozen=True)
class OrderDetail:
    """Everything the order page shows and which actions it offers."""

    #: The business date the page is shown on.
    today: date
    #: The order as the CLI and the API show it (`views.models.OrderView`): head and quantities.
    order: OrderView
    #: Where the order came from: pegboard or shopify.
    source: str
    #: Each line with its promise and what that promise rests on.
    lines: tuple[OrderLine, ...]
    #: The parcels that left.
    shipments: tuple[ShipmentStatus, ...]
    #: The messages sent (or skipped) to the customer.
    notices: tuple[Notice, ...]
    #: Who did what to the order.
    history: tuple[Action, ...]
    #: How many status-page links are live.
    live_links: int
    #: The person may change the order.
    can_write: bool

    @property
    def total(self) -> Decimal | None:
        """The order's value at its unit prices (None when no line has a price)."""
        priced = [line.status.ordered * line.unit_price for line in self.lines if line.unit_price is not None]
        return sum(priced, ZERO) if priced else None

    @property
    def allocated(self) -> Decimal:
        """Units reserved from stock for the order."""
        return sum((line.status.allocated for line in self.lines), ZERO)

    @property
    def whole(self) -> bool:
        """Nothing of the order waits any more."""
        return all(line.waiting == 0 for line in self.lines)

    @property
    def can_ship(self) -> bool:
        """Something is reserved and the ship policy lets it leave now."""
        return self.allocated > 0 and (self.order.ship_policy != "complete" or self.whole)

    @property
    def promised(self) -> date | None:
        """The day the whole order is promised by (None: nothing waits, or a line has no date)."""
        waiting = [line.status for line in self.lines if line.waiting > 0]
        if not waiting or any(line.promised_date is None for line in waiting):
            return None
        return max(line.promised_date for line in waiting if line.promised_date is not None)

    @property
    def late_for_request(self) -> str | None:
        """Words when the order misses the day its customer asked for."""
        return late_against_request(
            self.order.requested_date, self.promised, still_open=self.open, today=self.today
        )

    @property
    def open(self) -> bool:
        """The order can still change (not shipped or cancelled)."""
        return self.order.status in ("open", "partially_shipped")


def order_detail(
    conn: Connection, order_ref: str, *, today: date, history: list[Action], can_write: bool
) -> OrderDetail | None:
    """The order page's read model; None for an unknown ref."""
    overview = order_status(conn, order_ref)
    if overview is None:
        return None
    [order] = lists.orders(conn, order_ref=order_ref, limit=1)
    so = t.sales_orders.c
    head = conn.execute(select(so.id, so.source).where(so.order_ref == order_ref)).one()
    extra = _line_extras(conn, head.id)
    refs = {basis for _, _, basis, _, _ in extra.values() if basis}
    pos, mos = _supply_refs(conn, refs)
    lines = []
    for line in overview.lines:
        price, reason, basis, first, parts = extra.get(line.line_no, (None, "", None, None, None))
        lines.append(
            OrderLine(
                status=line,
                unit_price=price,
                reason=reason if line.waiting > 0 else "",
                basis=_basis(basis, pos, mos) if line.waiting > 0 else None,
                first_promised=first,
                stated=stated_beside(parts, line.promised_date) if line.waiting > 0 else None,
            )
        )
    return OrderDetail(
        today=today,
        order=order,
        source=head.source,
        lines=tuple(lines),
        shipments=overview.shipments,
        notices=_notices(conn, head.id),
        history=tuple(history),
        live_links=_live_links(conn, head.id),
        can_write=can_write,
    )


def _line_extras(
    conn: Connection, order_id: int
) -> dict[int, tuple[Decimal | None, str, str | None, date | None, str | None]]:
    ol, lp, pp = t.order_lines.c, t.line_promises.c, t.promise_parts.c
    rows = conn.execute(
        select(ol.line_no, ol.unit_price, lp.reason, lp.basis, lp.first_date, pp.parts)
        .outerjoin(t.line_promises, lp.line_id == ol.id)
        .outerjoin(t.promise_parts, pp.parts_key == lp.parts_key)
        .where(ol.order_id == order_id)
    )
    return {r.line_no: (r.unit_price, r.reason or "", r.basis, r.first_date, r.parts) for r in rows}


def _supply_refs(conn: Connection, refs: set[str]) -> tuple[set[str], set[str]]:
    if not refs:
        return set(), set()
    po, mo = t.purchase_orders.c, t.manufacturing_orders.c
    pos = set(conn.execute(select(po.po_ref).where(po.po_ref.in_(refs))).scalars())
    mos = set(conn.execute(select(mo.mo_ref).where(mo.mo_ref.in_(refs))).scalars())
    return pos, mos


def _basis(basis: str | None, pos: set[str], mos: set[str]) -> Basis | None:
    if not basis:
        return None
    if basis in pos:
        return Basis(basis, f"/purchase-orders/{basis}")
    if basis in mos:
        return Basis(basis, f"/manufacturing-orders/{basis}")
    return Basis(basis, None)


def _notices(conn: Connection, order_id: int) -> tuple[Notice, ...]:
    cn = t.customer_notices.c
    rows = conn.execute(
        select(cn.kind, cn.sent_on, cn.recipient, cn.subject, cn.status)
        .where(cn.order_id == order_id)
        .order_by(cn.created_at, cn.id)
    )
    return tuple(Notice(r.kind, r.sent_on, r.recipient, r.subject, r.status) for r in rows)


def _live_links(conn: Connection, order_id: int) -> int:
    sl = t.status_links.c
    return int(
        conn.execute(
            select(func.count()).where(sl.order_id == order_id, sl.revoked_at.is_(None))
        ).scalar_one()
    )


@dataclass(frozen=True)
class PackingSlip:
    """A shipment's packing slip: the parcel's lines, and what of the order still waits and when."""

    order: OrderDetail
    shipment: ShipmentStatus

    @property
    def still_waiting(self) -> tuple[OrderLine, ...]:
        """The order's lines with something still to come."""
        return tuple(line for line in self.order.lines if line.waiting > 0 or line.status.allocated > 0)
