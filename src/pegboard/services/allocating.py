"""Handing newly available stock to waiting lines, by the allocation policy.

Waiting lines are stock lines with a backorder and preorder lines from their item's release
date on (ranked alike, by the policy); drop-ship lines never wait for our stock. Confirmed MOs
that still need a component wait for it in the same ranking (`services.reserving`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pegboard.domain.allocation import (
    AllocationPolicy,
    Grant,
    ItemStock,
    WaitingLine,
    distribute,
    ranked,
)
from pegboard.domain.events import Event
from pegboard.domain.sales import LineKind, SalesOrder
from pegboard.planning.allocation import WholeOrderCandidate, WholeOrders, choose_whole_orders
from pegboard.services.ports import UnitOfWork
from pegboard.services.reserving import reserve_granted, waiting_materials


def allocate_waiting(
    uow: UnitOfWork,
    stocks: Mapping[str, ItemStock],
    *,
    policy: AllocationPolicy,
    loaded: Mapping[str, SalesOrder] | None = None,
    options: str = "",
    limit: Mapping[str, Decimal] | None = None,
) -> list[Event]:
    """Give the available stock of these (locked) SKUs to the lines and confirmed MOs waiting for it.

    Plain lines wait for it, or with `options`, only lines of that configuration; then `limit`
    says how much of each SKU is that configuration's (`services.configured_stock`), and no
    more is given. Each order that gets stock records `LineAllocated` (the outbox takes it at
    commit); the events are also returned, for callers that report them.
    """
    available = {sku: s.available for sku, s in stocks.items() if s.available > 0}
    if limit is not None:
        available = {sku: min(q, limit.get(sku, Decimal(0))) for sku, q in available.items()}
        available = {sku: q for sku, q in available.items() if q > 0}
    if not available:
        return []
    waiting = uow.orders.waiting(available, options=options)
    # Confirmed MOs wait for plain components beside the lines (`services.reserving`).
    materials = [] if options else waiting_materials(uow, available)
    if not waiting and not materials:
        return []
    orders: dict[str, SalesOrder] = dict(loaded or {})
    whole: WholeOrders | None = None
    if policy is AllocationPolicy.COMPLETE_FIRST and waiting:
        orders.update(uow.orders.get_many({w.order_ref for w in waiting} - orders.keys()))
        candidates = _candidates(waiting, orders, available)
        whole = choose_whole_orders(candidates, available, seconds=uow.complete_first_seconds)
    grants = distribute(
        available, [*waiting, *materials], policy=policy, whole_first=whole.order_refs if whole else ()
    )
    reserve_granted(uow, [g for g in grants if g.manufacturing], stocks)
    grants = [g for g in grants if not g.manufacturing]
    orders.update(uow.orders.get_many({g.order_ref for g in grants} - orders.keys()))
    return _apply(uow, grants, orders, stocks, whole=whole)


def _reasons(whole: WholeOrders | None) -> Callable[[str], str]:
    """Why complete-first gave an order stock; and when the search ran out of time, that too."""
    chosen = set(whole.order_refs) if whole else set()
    note = f" ({whole.note})" if whole and whole.note else ""

    def reason(order_ref: str) -> str:
        if whole is None:
            return ""
        if order_ref in chosen:
            return "complete-first: makes the order whole" + note
        return "complete-first: stock no order to make whole needed, oldest first" + note

    return reason


def _candidates(
    waiting: list[WaitingLine], orders: Mapping[str, SalesOrder], available: Mapping[str, Decimal]
) -> list[WholeOrderCandidate]:
    """Orders whose every open line now waits for one of the SKUs available.

    An unreleased preorder line keeps its order from becoming whole now; drop-ship lines ship
    from the supplier and do not count.
    """
    rank: dict[str, int] = {}
    for waiting_line in ranked(waiting, AllocationPolicy.FIFO):
        rank.setdefault(waiting_line.order_ref, len(rank))
    waits = {(w.order_ref, w.line_no) for w in waiting}
    found = []
    for ref, position in rank.items():
        needs: dict[str, Decimal] = {}
        for line in orders[ref].lines:
            if line.open_quantity > 0 and line.kind is not LineKind.DROPSHIP:
                if (ref, line.line_no) not in waits:
                    break
                needs[line.sku] = needs.get(line.sku, Decimal(0)) + line.open_quantity
        else:
            if needs and needs.keys() <= available.keys():
                found.append(WholeOrderCandidate(ref, position, needs))
    return found


def _apply(
    uow: UnitOfWork,
    grants: list[Grant],
    orders: Mapping[str, SalesOrder],
    stocks: Mapping[str, ItemStock],
    *,
    whole: WholeOrders | None,
) -> list[Event]:
    events: list[Event] = []
    touched: dict[str, SalesOrder] = {}
    reason = _reasons(whole)
    for grant in grants:
        order = orders[grant.order_ref]
        stock = stocks[grant.sku]
        events.append(
            order.allocate_line(grant.line_no, stock, grant.quantity, reason=reason(grant.order_ref))
        )
        touched[order.order_ref] = order
    for order in touched.values():
        order.refresh_status()
        uow.orders.save(order)
    return events


@dataclass(frozen=True)
class TakenBack:
    """Reserved stock a count took back from an order line, which waits for it again."""

    order_ref: str
    line_no: int
    sku: str
    quantity: Decimal


def take_back(
    uow: UnitOfWork,
    stock: ItemStock,
    *,
    on: date,
    policy: AllocationPolicy,
    loaded: Mapping[str, SalesOrder] | None = None,
) -> tuple[list[TakenBack], list[Event]]:
    """When on hand falls below what is reserved, take it back from the lines the policy serves last.

    That is the newest orders (under `priority`, the lowest priority first, then the newest);
    the lines go back on backorder, each recorded on its order (`LineBackordered`). Returns what
    was taken from which line, and those events.
    """
    surplus = stock.allocated - stock.on_hand
    if surplus <= 0:
        return [], []
    holders = list(reversed(ranked(uow.orders.holding(stock.sku), policy)))
    orders = dict(loaded or {})
    orders.update(uow.orders.get_many({h.order_ref for h in holders} - orders.keys()))
    taken_back: list[TakenBack] = []
    events: list[Event] = []
    for holder in holders:
        if surplus <= 0:
            break
        order = orders[holder.order_ref]
        line = next(line for line in order.lines if line.line_no == holder.line_no)
        taken = min(surplus, line.allocated_quantity)
        backordered = order.take_back(line.line_no, taken, on=on)
        stock.release(taken)
        surplus -= taken
        uow.orders.save(order)
        taken_back.append(TakenBack(order.order_ref, line.line_no, line.sku, taken))
        if backordered is not None:
            events.append(backordered)
    return taken_back, events
