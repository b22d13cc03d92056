"""An order's terms after it was placed: its priority and its ship policy.

A new priority re-promises the SKUs the order waits for (planning serves demand by priority);
stock already reserved stays where it is, and the next stock to arrive follows the allocation
policy. A new ship policy changes only when the order may leave.
"""

from __future__ import annotations

from typing import Protocol

from pegboard.domain.errors import InvalidValue
from pegboard.domain.sales import SalesOrder, ShipPolicy
from pegboard.services.lookup import existing_order
from pegboard.services.planning import repromise
from pegboard.services.ports import Clock, UnitOfWork

MAX_PRIORITY = 1_000_000


class OrderTermsRepository(Protocol):
    """Changes an open order's priority and ship policy; the rest of the order is untouched."""

    def set_terms(self, order_ref: str, *, priority: int, ship_policy: str) -> None: ...


class WithOrderTerms(UnitOfWork, Protocol):
    """A unit of work that can also change an order's priority and ship policy."""

    @property
    def order_terms(self) -> OrderTermsRepository: ...


def a_priority(value: str) -> int:
    """A priority is a whole number from 0 to 1,000,000 (higher ships first)."""
    try:
        priority = int(value.strip())
    except ValueError:
        raise InvalidValue("priority", value, "must be a whole number, such as 0 or 10") from None
    if not 0 <= priority <= MAX_PRIORITY:
        raise InvalidValue("priority", value, f"must be from 0 to {MAX_PRIORITY:,}")
    return priority


def change_priority(order_ref: str, priority: int, *, uow: WithOrderTerms, clock: Clock) -> SalesOrder:
    """Give the order a new priority and re-promise what it waits for."""
    if not 0 <= priority <= MAX_PRIORITY:
        raise InvalidValue("priority", priority, f"must be from 0 to {MAX_PRIORITY:,}")
    with uow:
        order = existing_order(uow, order_ref, lock=True)
        if order.priority != priority:
            order.priority = priority
            uow.order_terms.set_terms(order_ref, priority=priority, ship_policy=order.ship_policy.value)
            waiting = {line.sku for line in order.lines if line.open_quantity > 0}
            if waiting:
                repromise(waiting, uow=uow, today=clock.today())
        uow.commit()
    return order


def change_ship_policy(order_ref: str, ship_policy: ShipPolicy, *, uow: WithOrderTerms) -> SalesOrder:
    """Ship what is reserved as it comes (partial), or only the whole order at once (complete)."""
    with uow:
        order = existing_order(uow, order_ref, lock=True)
        if order.ship_policy != ship_policy:
            order.ship_policy = ship_policy
            uow.order_terms.set_terms(order_ref, priority=order.priority, ship_policy=ship_policy.value)
        uow.commit()
    return order
