"""Quote holds: stock a quote reserved for a checkout (`pegboard quote --hold MINUTES`).

A hold counts in the items' allocated totals, so no other order can take what it holds. It
ends when its time passes (at the next write that looks: placing an order, a plan run, a held
quote, housekeeping), when an order is placed with its quote id, or when a count leaves too
little stock for it. Stock a hold frees by expiring goes to the lines waiting for it, by the
shop's allocation policy, as a receipt's would.
"""

from __future__ import annotations

from datetime import datetime

from pegboard.domain.allocation import ItemStock
from pegboard.domain.errors import InvalidValue
from pegboard.domain.events import Event
from pegboard.services.allocating import allocate_waiting
from pegboard.services.ports import UnitOfWork

#: A hold is for a checkout: a week is far longer than any.
MAX_HOLD_MINUTES = 7 * 24 * 60


def check_minutes(minutes: int) -> None:
    """A hold lasts 1 minute to a week."""
    if not 1 <= minutes <= MAX_HOLD_MINUTES:
        raise InvalidValue("hold_minutes", minutes, f"must be 1 to {MAX_HOLD_MINUTES}")


def end_expired_holds(uow: UnitOfWork, now: datetime) -> list[Event]:
    """End the holds whose time has passed, inside the caller's transaction, and give the stock
    they free to the lines waiting for it; returns the events to write."""
    freed = uow.holds.end_expired(now)
    if not freed:
        return []
    return allocate_waiting(uow, uow.stock.lock(freed), policy=uow.allocation_policy)


def convert_hold(uow: UnitOfWork, quote_id: str, order_ref: str, now: datetime) -> None:
    """End a held quote as the order placed with its id (before the order takes its stock).

    An unknown quote id, or one placed already as another order, is bad input; a hold that
    expired or was released holds nothing any more, and the order is placed as any other."""
    held = uow.holds.get(quote_id)
    if held is None:
        raise InvalidValue("quote_id", quote_id, "is not a quote with a hold")
    if held.status == "converted" and held.order_ref != order_ref:
        raise InvalidValue("quote_id", quote_id, f"was placed already as order {held.order_ref}")
    if held.status == "held":
        uow.holds.convert(quote_id, order_ref, now)


def release_for_count(uow: UnitOfWork, stock: ItemStock, now: datetime) -> None:
    """When a count leaves less on hand than is reserved, the newest holds of the SKU end
    (released) before any order line gives its stock back: an order comes before a hold."""
    surplus = stock.allocated - stock.on_hand
    if surplus > 0:
        stock.release(uow.holds.release(stock.sku, surplus, now))
