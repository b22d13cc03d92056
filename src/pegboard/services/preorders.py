"""Releasing preorders: on its release date, stock already on hand goes to an item's preorders."""

from __future__ import annotations

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.events import Event, LineAllocated
from pegboard.services.allocating import allocate_waiting
from pegboard.services.planning import repromise
from pegboard.services.ports import Clock, UnitOfWork


def release_preorders(*, uow: UnitOfWork, clock: Clock, policy: AllocationPolicy) -> list[LineAllocated]:
    """Hand available stock to the preorder lines whose release date has come, by the policy.

    Receipts, completions and counts already feed released preorders as they feed backorders;
    this covers the stock that was on hand when the release date arrived. Lines waiting for the
    same SKUs (backorders too) share the stock by the policy, as with any new stock.
    """
    with uow:
        today = clock.today()
        skus = uow.orders.released_preorder_skus(today)
        if not skus:
            return []
        stocks = uow.stock.lock(skus)
        events: list[Event] = list(allocate_waiting(uow, stocks, policy=policy))
        if events:
            repromise(skus, uow=uow, today=today)
        uow.commit()
    return [e for e in events if isinstance(e, LineAllocated)]
