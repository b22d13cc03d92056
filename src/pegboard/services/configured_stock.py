"""Stock of one configuration of an item, kept for the lines of that configuration only.

A configured MO's output goes to the lines waiting for its configuration; what they do not take
is kept for it (`domain.allocation.ConfiguredStock`, counted as reserved in the item's stock),
and so is what a configured line gives back (cancelled or reduced). Only a later line of the
very same configuration takes it (when placed, or when it waits); a plain line or a line of
another configuration never does. A count that finds less on hand than is reserved takes kept
stock first, before holds and lines: it serves no customer yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from pegboard.domain.allocation import AllocationPolicy, ItemStock
from pegboard.domain.events import Event
from pegboard.domain.sales import SalesOrder
from pegboard.services.allocating import allocate_waiting
from pegboard.services.ports import UnitOfWork


def serve_configuration(
    uow: UnitOfWork,
    stock: ItemStock,
    options: str,
    freed: Decimal,
    *,
    policy: AllocationPolicy,
    loaded: Mapping[str, SalesOrder] | None = None,
) -> list[Event]:
    """`freed` units of the (locked) `stock`, free in it now, are of configuration `options`: with
    what was kept for it before, they go to the lines waiting for it; the rest is kept for it."""
    kept = uow.stock.configured([(stock.sku, options)])[stock.sku, options].quantity
    if kept:
        uow.stock.keep_configured(stock.sku, options, -kept)
        stock.release(kept)
    pool = freed + kept
    if pool <= 0:
        return []
    before = stock.allocated
    events = allocate_waiting(
        uow, {stock.sku: stock}, policy=policy, loaded=loaded, options=options, limit={stock.sku: pool}
    )
    rest = pool - (stock.allocated - before)
    if rest > 0:
        if stock.reserve(rest) != rest:
            raise ValueError(f"{stock.sku}: {rest} of [{options}] is not free to keep")
        uow.stock.keep_configured(stock.sku, options, rest)
    return events


def allocations(order: SalesOrder) -> dict[int, Decimal]:
    """Each line's allocated quantity, by line number (taken before a change that may release some)."""
    return {line.line_no: line.allocated_quantity for line in order.lines}


def keep_released(
    uow: UnitOfWork,
    order: SalesOrder,
    before: Mapping[int, Decimal],
    stocks: Mapping[str, ItemStock],
    *,
    policy: AllocationPolicy,
) -> None:
    """What the order's configured lines let go since `before` (`allocations`), released in
    `stocks` already, goes back to their configurations (`serve_configuration`), not to plain
    stock: call it before plain waiting lines are served."""
    released: dict[tuple[str, str], Decimal] = {}
    for line in order.lines:
        let_go = before.get(line.line_no, Decimal(0)) - line.allocated_quantity
        if line.options and let_go > 0:
            key = (line.sku, line.options)
            released[key] = released.get(key, Decimal(0)) + let_go
    loaded = {order.order_ref: order}
    for (sku, options), quantity in sorted(released.items()):
        serve_configuration(uow, stocks[sku], options, quantity, policy=policy, loaded=loaded)


def release_for_count(uow: UnitOfWork, stock: ItemStock) -> None:
    """When a count leaves less on hand than is reserved, the stock kept for configurations goes
    first (configuration by configuration, in name order): no customer holds it yet."""
    surplus = stock.allocated - stock.on_hand
    if surplus <= 0:
        return
    for kept in uow.stock.configured_of([stock.sku]):
        taken = min(surplus, kept.quantity)
        uow.stock.keep_configured(stock.sku, kept.options, -taken)
        stock.release(taken)
        surplus -= taken
        if surplus <= 0:
            return
