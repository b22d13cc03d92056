"""Taking orders: allocate what is in stock at once, put the rest on backorder.

A preorder line (ordered before its item's release date) takes no stock and waits for the
release; a drop-ship line takes no stock and opens a drop-ship PO to the item's supplier.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.books import OrderCharges
from pegboard.domain.errors import DuplicateRef, InvalidValue
from pegboard.domain.options import ItemOptions, choices_text, parse_choices
from pegboard.domain.quantities import Money, Quantity
from pegboard.domain.sales import LineKind, SalesOrder, SalesOrderLine, ShipPolicy
from pegboard.services import books
from pegboard.services.allocating import allocate_waiting
from pegboard.services.configured_stock import allocations, keep_released
from pegboard.services.holds import convert_hold, end_expired_holds
from pegboard.services.lookup import existing_order
from pegboard.services.planning import repromise
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.purchasing import cancel_dropship_rest, open_dropship_orders


@dataclass(frozen=True)
class LineDraft:
    sku: str
    quantity: Quantity
    unit_price: Money | None = None
    #: The customer's choices by option name (`domain.options`), checked against the item.
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderDraft:
    """An order as it arrives, before any stock is reserved for it."""

    order_ref: str
    customer: str
    lines: tuple[LineDraft, ...]
    email: str | None = None
    ordered_at: datetime | None = None
    priority: int = 0
    ship_policy: ShipPolicy = ShipPolicy.PARTIAL
    ship_to: str | None = None
    source: str = "pegboard"
    financial_status: str | None = None
    requested_date: date | None = None
    #: Tax, discounts and shipping the order brings (booked as its lines ship).
    charges: OrderCharges = field(default_factory=OrderCharges)
    #: The quote this order checks out: its hold ends and its stock goes to this order.
    quote_id: str | None = None

    def to_order(self, ordered_at: datetime) -> SalesOrder:
        if not self.lines:
            raise InvalidValue("lines", "", "an order needs at least one line")
        if not self.order_ref.strip():
            raise InvalidValue("order_ref", self.order_ref, "is empty")
        return SalesOrder(
            order_ref=self.order_ref,
            customer=self.customer,
            email=self.email or None,
            ordered_at=self.ordered_at or ordered_at,
            priority=self.priority,
            ship_policy=self.ship_policy,
            ship_to=self.ship_to or None,
            source=self.source,
            financial_status=self.financial_status,
            requested_date=self.requested_date,
            lines=[
                SalesOrderLine(
                    n, line.sku, line.quantity, line.unit_price, options=choices_text(line.options)
                )
                for n, line in enumerate(self.lines, start=1)
            ],
        )


@dataclass(frozen=True)
class Placed:
    """The order as stored, and whether this call created it (False: it already existed)."""

    order: SalesOrder
    created: bool


def place_order(draft: OrderDraft, *, uow: UnitOfWork, clock: Clock) -> Placed:
    """Allocate available stock to each line now; the rest goes on backorder from the order date.

    The same ref with the same content returns the stored order; with other content it is refused.
    """
    return place_orders([draft], uow=uow, clock=clock)[0]


def place_orders(
    drafts: list[OrderDraft],
    *,
    uow: UnitOfWork,
    clock: Clock,
    before_commit: Callable[[UnitOfWork, dict[str, Placed]], None] | None = None,
) -> list[Placed]:
    """Place many orders in one transaction, oldest first; all of them or none.

    `before_commit` gets the transaction and the placed orders by ref, to write what belongs
    with them (say, the stored answers of idempotent requests); if it raises, nothing is written.
    """
    now = clock.now()
    orders = sorted((draft.to_order(now) for draft in drafts), key=lambda o: o.ordered_at)
    with uow:
        end_expired_holds(uow, now)  # what it frees goes to waiting orders, which record it
        converted: set[str] = set()
        for draft in drafts:
            if draft.quote_id:
                converted |= convert_hold(uow, draft.quote_id, draft.order_ref, now).keys()
        stocks = uow.stock.lock([*(line.sku for order in orders for line in order.lines), *converted])
        terms = uow.catalogue.sale_terms(stocks)  # read with the locks: no extra query
        configure_lines(orders, uow.catalogue.options(stocks))
        configured = uow.stock.configured(
            (line.sku, line.options) for order in orders for line in order.lines if line.options
        )
        kept = {key: stock.quantity for key, stock in configured.items()}
        existing = uow.orders.get_many(order.order_ref for order in orders)
        placed: dict[str, Placed] = {}
        new: list[SalesOrder] = []
        for order in orders:
            before = existing.get(order.order_ref) or (
                placed[order.order_ref].order if order.order_ref in placed else None
            )
            if before is not None:
                if before.content_key() != order.content_key():
                    raise DuplicateRef(order.order_ref, "an order with this ref was placed before")
                placed.setdefault(order.order_ref, Placed(before, created=False))
                continue
            order.open(stocks, terms, configured)
            new.append(order)
            placed[order.order_ref] = Placed(order, created=True)
        uow.orders.add_many(new)
        for (sku, options), stock in configured.items():
            uow.stock.keep_configured(sku, options, stock.quantity - kept[sku, options])
        if converted:
            # What a converted hold freed and its order did not take goes to the lines waiting for it.
            freed = {sku: stocks[sku] for sku in converted}
            allocate_waiting(uow, freed, policy=uow.allocation_policy, loaded={o.order_ref: o for o in new})
        charged = {draft.order_ref: draft.charges for draft in drafts if draft.charges}
        for order in new:
            if order.order_ref in charged:
                uow.journal.charges.add(order.order_ref, charged[order.order_ref])
        dropshipped = [o for o in new if any(line.kind is LineKind.DROPSHIP for line in o.lines)]
        if dropshipped:
            open_dropship_orders(dropshipped, uow=uow)
        if before_commit is not None:
            before_commit(uow, placed)
        uow.commit()
    return [placed[order.order_ref] for order in orders]


def configure_lines(orders: list[SalesOrder], options: Mapping[str, ItemOptions]) -> None:
    """Turn each line's choices into its item's configuration (defaults left out, "" = plain)."""
    for order in orders:
        for line in order.lines:
            where = f"{order.order_ref} line {line.line_no} options"
            line.options = line_configuration(line.sku, line.options, options.get(line.sku), where=where)


def line_configuration(sku: str, choices: str, options: ItemOptions | None, *, where: str) -> str:
    """The configuration `choices` (`COLOUR=green;HILT=engraved`) make of the item, "" = plain.

    A choice on an item without options, an unknown option or value, or a required option not
    chosen is refused, naming `where` (the order, the line) and the option; nothing is guessed.
    """
    if options is None:
        if choices:
            raise InvalidValue(where, choices, f"{sku} has no options")
        return ""
    return options.configuration(parse_choices(choices, field=where), field=where)


def cancel_order(
    order_ref: str,
    sku: str | None = None,
    *,
    uow: UnitOfWork,
    clock: Clock,
    policy: AllocationPolicy,
) -> SalesOrder:
    """Cancel a whole order or one SKU's remainder; its allocations go to the next waiting lines."""
    with uow:
        order = existing_order(uow, order_ref)
        stocks = uow.stock.lock(line.sku for line in order.lines)
        order = existing_order(uow, order_ref, lock=True)
        before = {line.line_no: line.cancelled_quantity for line in order.lines}
        allocated_before = allocations(order)
        released = order.cancel(sku)
        for line_sku, quantity in released.items():
            stocks[line_sku].release(quantity)
        uow.orders.save(order)
        books.book_cancellation(uow, order, on=clock.today())
        cancel_dropship_rest(order, before, uow=uow)
        keep_released(uow, order, allocated_before, stocks, policy=policy)
        freed = {s: stocks[s] for s, q in released.items() if q > 0}
        allocate_waiting(uow, freed, policy=policy, loaded={order_ref: order})
        repromise(released, uow=uow, today=clock.today())
        uow.commit()
    return order
