"""A placed Shopify order brought in line with the shop's newest version of it.

What the shop reduced or removed is cancelled here (waiting quantity first, then allocated
stock, which goes to the next waiting lines); a reduction of what already shipped is a return,
noted but not held; what the shop added holds the order until `retry` adds it as new lines.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal

from pegboard.domain.allocation import AllocationPolicy, ItemStock
from pegboard.domain.books import OrderCharges, money, share
from pegboard.domain.quantities import ZERO
from pegboard.domain.sales import LineKind, OrderStatus, SalesOrder
from pegboard.services import books
from pegboard.services.allocating import allocate_waiting
from pegboard.services.configured_stock import allocations, keep_released
from pegboard.services.orders import OrderDraft
from pegboard.services.planning import repromise
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.purchasing import cancel_dropship_rest, open_dropship_orders
from pegboard.services.shopify_orders import (
    Outcome,
    Result,
    ShopOrder,
    State,
    held,
    record_details,
    unknown_skus,
)

#: Whole-line charges worked back from a part are kept to the micro-unit, as amounts are stored.
MICRO = Decimal("0.000001")


def _per_sku(lines: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for sku, quantity in lines:
        totals[sku] = totals.get(sku, ZERO) + quantity
    return totals


def reconcile(
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
        unknown = unknown_skus(added, uow)
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
    record_details(existing, order.draft, uow)
    if problems:
        return held(problems)
    charged = _recharge(existing, order.draft, uow, clock)
    note = None
    if returned:
        listed = ", ".join(f"{q} {sku}" for sku, q in sorted(returned.items()))
        note = f"reduced in the shop after shipping (a return?): {listed}"
    changed = bool(cancel or added or charged) or before != existing.financial_status
    return State.PLACED, note, Outcome.UPDATED if changed else Outcome.UNCHANGED


def _recharge(order: SalesOrder, draft: OrderDraft, uow: UnitOfWork, clock: Clock) -> bool:
    """Book the shop's new tax, shipping or discounts, if they changed (`books.book_charges_change`)."""
    before = uow.journal.charges.of(order.order_ref)
    charges = charges_on(order, draft, before=before)
    if charges == before:
        return False
    locked = uow.orders.get(order.order_ref, lock=True) or order
    return books.book_charges_change(uow, locked, charges, on=clock.today())


def charges_on(order: SalesOrder, draft: OrderDraft, *, before: OrderCharges) -> OrderCharges:
    """The shop's charges (on the draft's lines, for the quantities still ordered) on the order's
    own lines, as whole-line amounts: each SKU's amount is spread over its lines by what is left
    of them (not cancelled). A line whose share of its charge is unchanged keeps it as it was, and
    a line cancelled in full keeps its old one (nothing of it is earned or owed)."""
    wanted: dict[str, dict[str, Decimal]] = {}
    shop = draft.charges
    for kind, amounts in shop.by_line().items():
        per_sku = wanted.setdefault(kind, {})
        for n, drafted in enumerate(draft.lines, start=1):
            per_sku[drafted.sku] = per_sku.get(drafted.sku, ZERO) + amounts.get(n, ZERO)
    left = _per_sku((line.sku, line.quantity - line.cancelled_quantity) for line in order.lines)
    placed: dict[str, dict[int, Decimal]] = {kind: {} for kind in wanted}
    for kind, old in before.by_line().items():
        spread = dict(wanted[kind])
        spread_left = dict(left)
        for line in order.lines:
            rest = line.quantity - line.cancelled_quantity
            was = old.get(line.line_no, ZERO)
            if rest <= 0:
                amount = was
            else:
                part = spread.get(line.sku, ZERO)
                if rest < spread_left[line.sku]:
                    part = money(part * rest / spread_left[line.sku])
                spread[line.sku] = spread.get(line.sku, ZERO) - part
                spread_left[line.sku] -= rest
                if share(was, before=ZERO, after=rest, quantity=line.quantity) == part:
                    amount = was
                else:
                    amount = (part * line.quantity / rest).quantize(MICRO)
            if amount:
                placed[kind][line.line_no] = amount
    return OrderCharges(
        placed["tax"], placed["discount"], shop.shipping, shop.shipping_tax, placed["included_tax"]
    )


def _reduce(
    order: SalesOrder,
    cancel: dict[str, Decimal],
    stocks: dict[str, ItemStock],
    uow: UnitOfWork,
    clock: Clock,
    policy: AllocationPolicy,
) -> None:
    """Cancel these quantities per SKU (`SalesOrder.cancel_quantities`); freed stock goes to waiting
    lines, and what was paid for them becomes a refund due (the shop, not Pegboard, pays it back)."""
    if not cancel:
        return
    cancelled_before = {line.line_no: line.cancelled_quantity for line in order.lines}
    allocated_before = allocations(order)
    freed = order.cancel_quantities(cancel, in_shop=True)
    for sku, released in freed.items():
        stocks[sku].release(released)
    uow.orders.save(order)
    books.book_cancellation(uow, order, on=clock.today(), why="reduction in the shop")
    cancel_dropship_rest(order, cancelled_before, uow=uow)
    keep_released(uow, order, allocated_before, stocks, policy=policy)
    freed_stock = {s: stocks[s] for s, q in freed.items() if q > 0}
    allocate_waiting(uow, freed_stock, policy=policy, loaded={order.order_ref: order})
    repromise(cancel, uow=uow, today=clock.today())


def _add(
    order: SalesOrder,
    added: dict[str, Decimal],
    draft: OrderDraft,
    stocks: dict[str, ItemStock],
    uow: UnitOfWork,
    clock: Clock,
) -> None:
    """Add what the shop added as new lines (`SalesOrder.add_lines`), served like a new order's."""
    today = clock.today()
    prices = {line.sku: line.unit_price for line in draft.lines}
    terms = uow.catalogue.sale_terms(added)
    new = order.add_lines(added, prices=prices, stocks=stocks, terms=terms, on=today)
    uow.shopify.add_lines(order, new)
    if any(line.kind is LineKind.DROPSHIP for line in new):
        open_dropship_orders([dataclasses.replace(order, lines=new)], uow=uow)
    repromise(added, uow=uow, today=today)
