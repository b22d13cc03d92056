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

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import BadInput, DuplicateRef, UnknownSku
from pegboard.domain.sales import SalesOrder
from pegboard.services import shop_payments
from pegboard.services.orders import OrderDraft, cancel_order, place_orders
from pegboard.services.ports import Clock, ShopifyOrderRecord, UnitOfWork
from pegboard.services.shopify_fast_lane import NewOrderBookkeeping as NewOrderBookkeeping
from pegboard.services.shopify_fast_lane import fast_lane as fast_lane
from pegboard.services.shopify_fast_lane import submit_new_order as submit_new_order
from pegboard.services.shopify_fast_lane import take_new_order as take_new_order
from pegboard.services.shopify_orders import Applied as Applied
from pegboard.services.shopify_orders import NotHeld as NotHeld
from pegboard.services.shopify_orders import Outcome as Outcome
from pegboard.services.shopify_orders import ReadOrder as ReadOrder
from pegboard.services.shopify_orders import Result, as_record, held, record_details, unknown_skus
from pegboard.services.shopify_orders import ShopOrder as ShopOrder
from pegboard.services.shopify_orders import State as State
from pegboard.services.shopify_orders import UnknownShopifyOrder as UnknownShopifyOrder
from pegboard.services.shopify_orders import screened as screened
from pegboard.services.shopify_reconciling import reconcile
from pegboard.services.transactions import SharedTransaction

#: The webhook topics that carry an order; any other topic is acknowledged and recorded only.
ORDER_TOPICS = frozenset({"orders/create", "orders/updated", "orders/cancelled"})
CANCELLED_TOPIC = "orders/cancelled"


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
                applied = _apply(order, SharedTransaction.joining(uow), clock, policy, cancel=cancel)
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
            applied = _apply(order, SharedTransaction.joining(uow), clock, policy)
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
        candidate = as_record(order, State.HELD, clock, problem=error.message)
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
        applied = _apply(order, SharedTransaction.joining(uow), clock, policy, add_changes=True)
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
    candidate = as_record(order, State.PLACED, clock)
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
        state, problem, outcome = reconcile(order, existing, uow, clock, policy, add_changes=add_changes)
    else:
        state, problem, outcome = _place(order, uow, clock)
    ref = existing.order_ref if existing is not None else order.order_ref
    if state != State.HELD:
        shop_payments.settle(uow, ref, order.money, on=clock.today())
    uow.shopify.save(
        dataclasses.replace(candidate, order_ref=ref, state=state, problem=problem, shop_updated_at=newest)
    )
    return Applied(outcome, order.order_ref, problem)


def _newer(record: ShopifyOrderRecord, order: ShopOrder) -> bool:
    """Whether the version already applied is newer than this one."""
    return record.shop_updated_at is not None and order.updated_at < record.shop_updated_at


def _place(order: ShopOrder, uow: UnitOfWork, clock: Clock) -> Result:
    """Place a new order; unknown or missing SKUs hold it whole, with the problem named."""
    skus = {line.sku for line in order.draft.lines}
    if order.problems:
        return held(list(order.problems) + unknown_skus(skus, uow))
    if not order.draft.lines:
        return held(["the order has no line items left to ship"])
    try:
        placed = place_orders([_with_options_only(order.draft, uow)], uow=uow, clock=clock)[0]
    except UnknownSku:
        return held(unknown_skus(skus, uow))
    except DuplicateRef:
        return held([f"order ref {order.order_ref} is taken by another order with other lines"])
    if not placed.created:
        record_details(placed.order, order.draft, uow)
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
    record_details(existing, order.draft, uow)
    problem = None
    if any(line.shipped_quantity for line in existing.lines):
        problem = f"cancelled in the shop after {existing.order_ref} had shipped (in part)"
    return State.CANCELLED, problem, Outcome.CANCELLED
