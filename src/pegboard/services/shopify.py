"""Orders from a Shopify store: each delivery taken once, in any order, never dropped.

Every Shopify order has one row of bookkeeping (`uow.shopify`): its state (placed, held with a
problem, or cancelled), the shop's `updated_at` of the newest version applied, and that
version's JSON. A webhook delivery is applied in one transaction with the record of its event
id, so a replay changes nothing. Deliveries may come in any order:

- a cancellation is final: later (or older) deliveries of a cancelled order change nothing, and
  a cancellation that arrives before the creation records the order as cancelled, never placed;
- a version older than the one applied (by the shop's `updated_at`) is ignored; an update that
  arrives before the creation places the order from it (every delivery carries the whole order);
- a placed order is reconciled with the shop's quantities per SKU: what the shop reduced or
  removed is cancelled here (waiting quantity first, then allocated stock, which goes to the
  next waiting lines); a reduction of what already shipped is a return, noted but not held;
  what the shop *added* is not taken silently: the order is held with the problem "order
  changed in the shop: ..." until `retry`, an operator's decision, adds the extra quantity as
  new lines (stock is allocated to them like to a new order). The comparison is with the sales
  order as it stands, so the same version applied twice changes nothing;
- a line item with an unknown SKU, or without one, holds the whole order (nothing is placed)
  with the problem naming it; `retry` places it once the item exists.

The shop's payment state is recorded on the sales order: a paid order that has not shipped
holds the customer's deposit.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import TracebackType
from typing import Any, cast

from pegboard.domain.allocation import AllocationPolicy, ItemStock
from pegboard.domain.errors import (
    ActionRefused,
    BadInput,
    DomainError,
    DuplicateRef,
    UnknownReference,
    UnknownSku,
)
from pegboard.domain.events import Event, LineBackordered, OrderCancelled
from pegboard.domain.quantities import ZERO, Quantity
from pegboard.domain.sales import LineKind, OrderStatus, SalesOrder, SalesOrderLine
from pegboard.services import shop_payments
from pegboard.services.allocating import allocate_waiting
from pegboard.services.intake import CannotShareTransaction, Intake
from pegboard.services.orders import OrderDraft, Placed, cancel_order, place_orders
from pegboard.services.planning import repromise
from pegboard.services.ports import Clock, ShopifyOrderRecord, UnitOfWork
from pegboard.services.purchasing import cancel_dropship_rest, open_dropship_orders
from pegboard.services.shop_payments import ShopMoney

#: The webhook topics that carry an order; any other topic is acknowledged and recorded only.
ORDER_TOPICS = frozenset({"orders/create", "orders/updated", "orders/cancelled"})
CANCELLED_TOPIC = "orders/cancelled"


class State(StrEnum):
    """Where a Shopify order stands in Pegboard."""

    PLACED = "placed"
    HELD = "held"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    """What one delivery (or import, or retry) of a Shopify order did."""

    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    STALE = "stale"
    PLACED = "placed"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    HELD = "held"
    CANCELLED = "cancelled"


class UnknownShopifyOrder(UnknownReference):
    """No Shopify order with this id has reached Pegboard."""

    code = "unknown_shopify_order"
    kind = "Shopify order"


class NotHeld(ActionRefused):
    """The Shopify order is not on hold, so there is nothing to retry."""

    code = "not_held"


@dataclass(frozen=True)
class ShopOrder:
    """A Shopify order as the shop last described it, read into Pegboard's words.

    `draft` has one line per line item with a SKU and a quantity still ordered; `problems`
    names the line items that cannot become order lines (no SKU). `payload` is the order's
    JSON as received, kept for retries and for fulfilment (it maps line item ids to SKUs).
    """

    shopify_order_id: str
    draft: OrderDraft
    updated_at: datetime
    cancelled_at: datetime | None
    payload: str
    problems: tuple[str, ...] = ()
    #: What the shop says was paid and paid back (None: its financial status tells nothing).
    money: ShopMoney | None = None

    @property
    def order_ref(self) -> str:
        return self.draft.order_ref


@dataclass(frozen=True)
class Applied:
    """The outcome of one delivery, with the Shopify order's state and problem afterwards."""

    outcome: Outcome
    order_ref: str | None = None
    problem: str | None = None


ReadOrder = Callable[[str], ShopOrder]


def receive_webhook(
    topic: str,
    event_id: str,
    order: ShopOrder | None,
    *,
    uow: UnitOfWork,
    clock: Clock,
    policy: AllocationPolicy,
) -> Applied:
    """Take a delivery once, in one transaction: a replayed event id is a duplicate that changes nothing.

    Order topics apply the order (see the module's rules); any other topic is recorded and ignored.
    An order that Pegboard refuses as it stands (say, a drop-ship item without a supplier) is
    not lost: the delivery is recorded and the order held with the reason, in a transaction
    of its own after the refused one rolled back.
    """
    order = screened(order) if order is not None else None
    try:
        with uow:
            shop_id = order.shopify_order_id if order is not None else None
            if not uow.shopify.record_event(event_id, topic, shop_id):
                return Applied(Outcome.DUPLICATE)
            if order is None or topic not in ORDER_TOPICS:
                applied = Applied(Outcome.IGNORED)
            else:
                cancel = topic == CANCELLED_TOPIC
                applied = _apply(order, _Joined(uow).as_uow(), clock, policy, cancel=cancel)
            uow.commit()
        return applied
    except BadInput as error:
        if order is None or topic not in ORDER_TOPICS:
            raise
        return _hold_refused(order, error, event=(event_id, topic), uow=uow, clock=clock)


def import_order(order: ShopOrder, *, uow: UnitOfWork, clock: Clock, policy: AllocationPolicy) -> Applied:
    """Apply an order from an export as if its webhook had come: a known version changes nothing."""
    order = screened(order)
    try:
        with uow:
            applied = _apply(order, _Joined(uow).as_uow(), clock, policy)
            uow.commit()
        return applied
    except BadInput as error:
        return _hold_refused(order, error, event=None, uow=uow, clock=clock)


def _hold_refused(
    order: ShopOrder, error: BadInput, *, event: tuple[str, str] | None, uow: UnitOfWork, clock: Clock
) -> Applied:
    """Record the delivery and hold the order with the reason it was refused (unless a newer one is in)."""
    with uow:
        if event is not None and not uow.shopify.record_event(*event, order.shopify_order_id):
            return Applied(Outcome.DUPLICATE)
        candidate = _as_record(order, State.HELD, clock, problem=error.message)
        record = uow.shopify.claim(candidate)
        if record is not None and (record.state == State.CANCELLED or _newer(record, order)):
            return Applied(Outcome.STALE, record.order_ref, record.problem)
        held = dataclasses.replace(candidate, order_ref=record.order_ref if record else order.order_ref)
        uow.shopify.save(held)
        uow.commit()
    return Applied(Outcome.HELD, held.order_ref, held.problem)


def retry_held(
    shopify_order_id: str, *, read: ReadOrder, uow: UnitOfWork, clock: Clock, policy: AllocationPolicy
) -> Applied:
    """Apply a held order's last version again: placed once its SKUs exist; shop additions are added."""
    with uow:
        record = uow.shopify.get(shopify_order_id)
        if record is None:
            raise UnknownShopifyOrder(shopify_order_id, field="shopify_order_id")
        if record.state != State.HELD:
            raise NotHeld(f"Shopify order {shopify_order_id} is {record.state}, not held")
        order = screened(read(record.payload))
        applied = _apply(order, _Joined(uow).as_uow(), clock, policy, add_changes=True)
        uow.commit()
    return applied


def held_orders(*, uow: UnitOfWork) -> list[ShopifyOrderRecord]:
    """Shopify orders on hold, oldest first, each with the problem to fix."""
    with uow:
        return uow.shopify.held()


# --- applying one version of an order ------------------------------------------------------------


def _apply(
    order: ShopOrder,
    uow: UnitOfWork,
    clock: Clock,
    policy: AllocationPolicy,
    *,
    cancel: bool = False,
    add_changes: bool = False,
) -> Applied:
    """Bring Pegboard in line with this version of the order, unless a newer one was applied."""
    cancelling = cancel or order.cancelled_at is not None
    # Written at once for an order heard of for the first time: placed, as it most often ends.
    candidate = _as_record(order, State.PLACED, clock)
    record = uow.shopify.claim(candidate)
    newest = order.updated_at
    if record is not None:
        # A cancellation in Shopify cannot be undone, so it is never outdated.
        if record.state == State.CANCELLED or (_newer(record, order) and not cancelling):
            return Applied(Outcome.STALE, record.order_ref, record.problem)
        newest = max(newest, record.shop_updated_at or newest)
    existing = None
    if record is not None and record.state in (State.PLACED, State.HELD):
        existing = uow.orders.get(record.order_ref)
    if cancelling:
        state, problem, outcome = _cancel(order, existing, uow, clock, policy)
    elif existing is not None:
        state, problem, outcome = _reconcile(order, existing, uow, clock, policy, add_changes=add_changes)
    else:
        state, problem, outcome = _place(order, uow, clock)
    ref = existing.order_ref if existing is not None else order.order_ref
    if state != State.HELD:
        shop_payments.settle(uow, ref, order.money, on=clock.today())
    uow.shopify.save(
        dataclasses.replace(candidate, order_ref=ref, state=state, problem=problem, shop_updated_at=newest)
    )
    return Applied(outcome, order.order_ref, problem)


def _as_record(
    order: ShopOrder, state: State, clock: Clock, *, problem: str | None = None
) -> ShopifyOrderRecord:
    """The bookkeeping of this version of the order, in this state."""
    return ShopifyOrderRecord(
        shopify_order_id=order.shopify_order_id,
        order_ref=order.order_ref,
        state=state,
        problem=problem,
        shop_updated_at=order.updated_at,
        financial_status=order.draft.financial_status,
        payload=order.payload,
        received_at=clock.now(),
    )


def _newer(record: ShopifyOrderRecord, order: ShopOrder) -> bool:
    """Whether the version already applied is newer than this one."""
    return record.shop_updated_at is not None and order.updated_at < record.shop_updated_at


Result = tuple[State, str | None, Outcome]


def _place(order: ShopOrder, uow: UnitOfWork, clock: Clock) -> Result:
    """Place a new order; unknown or missing SKUs hold it whole, with the problem named."""
    skus = {line.sku for line in order.draft.lines}
    if order.problems:
        return _held(list(order.problems) + _unknown(skus, uow))
    if not order.draft.lines:
        return _held(["the order has no line items left to ship"])
    try:
        placed = place_orders([_with_options_only(order.draft, uow)], uow=uow, clock=clock)[0]
    except UnknownSku:
        return _held(_unknown(skus, uow))
    except DuplicateRef:
        return _held([f"order ref {order.order_ref} is taken by another order with other lines"])
    if not placed.created:
        _record_details(placed.order, order.draft, uow)
    return State.PLACED, None, Outcome.PLACED


def _with_options_only(draft: OrderDraft, uow: UnitOfWork) -> OrderDraft:
    """The draft whose lines keep only the line-item properties that name an option of their item
    (a shop's other properties, such as a gift note, are not choices)."""
    if not any(line.options for line in draft.lines):
        return draft
    options = uow.catalogue.options({line.sku for line in draft.lines})
    lines = []
    for line in draft.lines:
        known = options[line.sku].values() if line.sku in options else {}
        lines.append(dataclasses.replace(line, options={k: v for k, v in line.options.items() if k in known}))
    return dataclasses.replace(draft, lines=tuple(lines))


def _held(problems: Sequence[str]) -> Result:
    return State.HELD, "; ".join(problems), Outcome.HELD


def _unknown(skus: Iterable[str], uow: UnitOfWork) -> list[str]:
    """A problem naming every SKU Pegboard does not know, if any."""
    wanted = set(skus)
    missing = sorted(wanted - uow.catalogue.items(wanted).keys())
    return [f"unknown SKU {', '.join(missing)}"] if missing else []


def _cancel(
    order: ShopOrder, existing: SalesOrder | None, uow: UnitOfWork, clock: Clock, policy: AllocationPolicy
) -> Result:
    """Cancelled in the shop: cancel what is still open here; an order never placed stays unplaced."""
    if existing is None:
        # First heard of now, yet placed from the shop before (say, by an older import).
        found = uow.orders.get(order.order_ref)
        existing = found if found is not None and found.source == "shopify" else None
    if existing is None:
        return State.CANCELLED, None, Outcome.CANCELLED
    if not existing.is_closed:
        existing = cancel_order(existing.order_ref, uow=uow, clock=clock, policy=policy)
    _record_details(existing, order.draft, uow)
    problem = None
    if any(line.shipped_quantity for line in existing.lines):
        problem = f"cancelled in the shop after {existing.order_ref} had shipped (in part)"
    return State.CANCELLED, problem, Outcome.CANCELLED


def _record_details(existing: SalesOrder, draft: OrderDraft, uow: UnitOfWork) -> None:
    """Keep the shop's payment state on the sales order (a paid, unshipped order is a deposit)."""
    if existing.financial_status != draft.financial_status:
        uow.shopify.set_financial_status(existing.order_ref, draft.financial_status)
        existing.financial_status = draft.financial_status


# --- reconciling a placed order with the shop's newest version ---------------------------------


def _per_sku(lines: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for sku, quantity in lines:
        totals[sku] = totals.get(sku, ZERO) + quantity
    return totals


def _reconcile(
    order: ShopOrder,
    existing: SalesOrder,
    uow: UnitOfWork,
    clock: Clock,
    policy: AllocationPolicy,
    *,
    add_changes: bool,
) -> Result:
    """Cancel what the shop reduced; hold on what it added (added on retry); keep the payment state.

    The comparison is with the sales order as it stands, so applying the same version again
    changes nothing. A reduction of what already shipped is a return, not a hold: it is noted.
    """
    before = existing.financial_status
    shop = _per_sku((line.sku, line.quantity) for line in order.draft.lines)
    ours = _per_sku((line.sku, line.quantity - line.cancelled_quantity) for line in existing.lines)
    left = _per_sku((line.sku, line.open_quantity + line.allocated_quantity) for line in existing.lines)
    reduced = {sku: q - shop.get(sku, ZERO) for sku, q in ours.items() if shop.get(sku, ZERO) < q}
    returned = {sku: q - left.get(sku, ZERO) for sku, q in reduced.items() if q > left.get(sku, ZERO)}
    cancel = {sku: q - returned.get(sku, ZERO) for sku, q in reduced.items() if q > returned.get(sku, ZERO)}
    added = {sku: q - ours.get(sku, ZERO) for sku, q in shop.items() if q > ours.get(sku, ZERO)}
    problems = list(order.problems)
    if added and existing.status is OrderStatus.CANCELLED:
        problems.append(f"{existing.order_ref} was cancelled here but is open in the shop: cancel it there")
        added = {}  # held, never reopened by adding lines
    elif added:
        unknown = _unknown(added, uow)
        if not add_changes or unknown:
            change = ", ".join(f"{sku} +{q}" for sku, q in sorted(added.items()))
            problems += [f"order changed in the shop: {change} not on {existing.order_ref}", *unknown]
            added = {}
    if cancel or added:
        stocks = uow.stock.lock([*cancel, *added])
        existing = uow.orders.get(existing.order_ref, lock=True) or existing
        _reduce(existing, cancel, stocks, uow, clock, policy)
        if added:
            _add(existing, added, order.draft, stocks, uow, clock)
    # After the stock locks, like every other write: items are always locked first.
    _record_details(existing, order.draft, uow)
    if problems:
        return _held(problems)
    note = None
    if returned:
        listed = ", ".join(f"{q} {sku}" for sku, q in sorted(returned.items()))
        note = f"reduced in the shop after shipping (a return?): {listed}"
    changed = bool(cancel or added) or before != existing.financial_status
    return State.PLACED, note, Outcome.UPDATED if changed else Outcome.UNCHANGED


def _reduce(
    order: SalesOrder,
    cancel: dict[str, Decimal],
    stocks: dict[str, ItemStock],
    uow: UnitOfWork,
    clock: Clock,
    policy: AllocationPolicy,
) -> None:
    """Cancel these quantities per SKU, newest line first, what waits before what is allocated."""
    if not cancel:
        return
    events: list[Event] = []
    freed: dict[str, Decimal] = {}
    cancelled_before = {line.line_no: line.cancelled_quantity for line in order.lines}
    for sku, amount in sorted(cancel.items()):
        cancelled: list[dict[str, Any]] = []
        for line in reversed(order.line(sku)):
            take = min(amount, line.open_quantity + line.allocated_quantity)
            if take <= 0:
                continue
            freed[sku] = freed.get(sku, ZERO) + _cancel_part(line, take)
            cancelled.append({"line_no": line.line_no, "sku": sku, "quantity": str(take)})
            amount -= take
        events.append(OrderCancelled(order.order_ref, sku, cancelled))
    order.refresh_status()
    for sku, released in freed.items():
        stocks[sku].release(released)
    uow.orders.save(order)
    cancel_dropship_rest(order, cancelled_before, uow=uow)
    events += allocate_waiting(
        uow, {s: stocks[s] for s, q in freed.items() if q > 0}, policy=policy, loaded={order.order_ref: order}
    )
    uow.outbox.add(events)
    repromise(cancel, uow=uow, today=clock.today())


def _cancel_part(line: SalesOrderLine, quantity: Decimal) -> Decimal:
    """Cancel part of a line, what waits first, then what is allocated; returns the allocation released."""
    released = quantity - min(quantity, line.open_quantity)
    line.allocated_quantity -= released
    line.cancelled_quantity += quantity
    if line.open_quantity == 0:
        line.backordered_on = None
    return released


def _add(
    order: SalesOrder,
    added: dict[str, Decimal],
    draft: OrderDraft,
    stocks: dict[str, ItemStock],
    uow: UnitOfWork,
    clock: Clock,
) -> None:
    """Add what the shop added as new lines, allocated or backordered like a new order's."""
    prices = {line.sku: line.unit_price for line in draft.lines}
    terms = uow.catalogue.sale_terms(added)
    today = clock.today()
    start = max((line.line_no for line in order.lines), default=0)
    new: list[SalesOrderLine] = []
    events: list[Event] = []
    for n, (sku, quantity) in enumerate(sorted(added.items()), start=start + 1):
        line = SalesOrderLine(n, sku, Quantity(quantity), prices.get(sku), kind=terms[sku].line_kind(today))
        if line.kind is LineKind.STOCK:
            line.allocate(stocks[sku].reserve(line.quantity))
            if line.backordered_quantity > 0:
                line.backordered_on = today
                events.append(LineBackordered(order.order_ref, n, sku, line.backordered_quantity, today))
        new.append(line)
    order.lines.extend(new)
    order.refresh_status()
    uow.shopify.add_lines(order, new)
    if any(line.kind is LineKind.DROPSHIP for line in new):
        open_dropship_orders([dataclasses.replace(order, lines=new)], uow=uow)
    uow.outbox.add(events)
    repromise(added, uow=uow, today=today)


class _Joined:
    """The caller's open unit of work lent to another use case: its `with` joins, its commit waits.

    So placing or cancelling an order runs inside the webhook's own transaction, next to the
    record of the delivery, and both commit together.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    def __enter__(self) -> _Joined:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """The caller's `with` decides: an error rolls back the whole transaction there."""

    def commit(self) -> None:
        """Deferred to the caller's commit."""

    def as_uow(self) -> UnitOfWork:
        """This wrapper, typed as the unit of work it stands for."""
        return cast(UnitOfWork, self)


def fast_lane(topic: str, order: ShopOrder) -> bool:
    """Whether a delivery can take the group-commit lane: a plain `orders/create` with lines."""
    return (
        topic == "orders/create"
        and not order.problems
        and screened(order) is order
        and bool(order.draft.lines)
        and order.cancelled_at is None
    )


def submit_new_order(
    intake: Intake, topic: str, event_id: str, order: ShopOrder, *, clock: Clock
) -> Future[Placed]:
    """Queue a fast-lane delivery (see `take_new_order`); the future fails with CannotShareTransaction or a
    DomainError when the full rules must apply instead."""

    return intake.submit(order.draft, write_with_order=NewOrderBookkeeping(event_id, topic, order, clock))


@dataclass(frozen=True)
class NewOrderBookkeeping:
    """The delivery's event id and the Shopify order's row, written with the order it placed."""

    event_id: str
    topic: str
    order: ShopOrder
    clock: Clock

    def __call__(self, uow: UnitOfWork, placed: Placed) -> None:
        NewOrderBookkeeping.write_all(uow, [(self, placed)])

    @staticmethod
    def write_all(uow: UnitOfWork, items: Sequence[tuple[NewOrderBookkeeping, Placed]]) -> None:
        """One statement for the events and one for the order rows of a whole shared transaction.

        Anything but a first delivery of a new order (a replay, an order heard of before, a
        ref taken) refuses the shared transaction: each order is then placed on its own.
        """
        if not all(placed.created for _, placed in items):
            raise CannotShareTransaction("an order ref was taken before")
        events = [(b.event_id, b.topic, b.order.shopify_order_id) for b, _ in items]
        if len(uow.shopify.record_events(events)) != len(items):
            raise CannotShareTransaction("a delivery was taken before")
        records = [_as_record(b.order, State.PLACED, b.clock) for b, _ in items]
        if len(uow.shopify.claim_new(records)) != len(items):
            raise CannotShareTransaction("an order was heard of before")
        for b, placed in items:
            shop_payments.settle(uow, placed.order.order_ref, b.order.money, on=b.clock.today())


def take_new_order(
    intake: Intake, topic: str, event_id: str, order: ShopOrder, *, clock: Clock
) -> Applied | None:
    """Place a first-heard, plain `orders/create` through group commit; None when the full rules apply.

    The fast lane covers the delivery nearly every webhook is: a new order whose SKUs are all
    known. It records the event and the order's bookkeeping in the same shared transaction as
    the order. Anything else (a replay, an order already heard of, a problem, a refusal) comes
    back as None and the caller applies `receive_webhook`, whose rules cover every case.
    """
    if not fast_lane(topic, order):
        return None
    try:
        submit_new_order(intake, topic, event_id, order, clock=clock).result()
    except (CannotShareTransaction, DomainError):
        return None
    return Applied(Outcome.PLACED, order.order_ref)


# --- text no database can store ------------------------------------------------------------------

#: Control characters (NUL first: PostgreSQL text cannot hold it; tab and line breaks are text)
#: and lone surrogates (no UTF-8 for them).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def screened(order: ShopOrder) -> ShopOrder:
    """The order unchanged when its text can be stored; else held: each such value named as a
    problem and stored with the bad characters replaced by U+FFFD, never dropped."""
    problems: list[str] = []

    def clean(field: str, value: str | None) -> str | None:
        if value is None or _UNSTORABLE.search(value) is None:
            return value
        problems.append(f"{field} {ascii(value)[:80]} holds a control character: correct it in the shop")
        return _UNSTORABLE.sub("\ufffd", value)

    draft = order.draft
    lines = tuple(dataclasses.replace(line, sku=clean("SKU", line.sku) or "") for line in draft.lines)
    cleaned = dataclasses.replace(
        draft,
        order_ref=clean("order name", draft.order_ref) or "",
        customer=clean("customer", draft.customer) or "",
        email=clean("email", draft.email),
        ship_to=clean("shipping address", draft.ship_to),
        financial_status=clean("financial_status", draft.financial_status),
        lines=lines,
    )
    shop_id = clean("order id", order.shopify_order_id) or ""
    if not problems:
        return order
    return dataclasses.replace(
        order,
        shopify_order_id=shop_id,
        draft=cleaned,
        payload=order.payload.encode("utf-8", "backslashreplace").decode("utf-8"),
        problems=(*order.problems, *problems),
    )
