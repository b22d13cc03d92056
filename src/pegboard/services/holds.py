"""Quote holds: stock a quote reserved for a checkout (`pegboard quote --hold MINUTES`).

A hold counts in the items' allocated totals, so no other order can take what it holds. It
ends when its time passes (at the next write that looks: placing an order, a plan run, a held
quote, housekeeping), when an order is placed with its quote id, or when a count leaves too
little stock for it. Stock a hold frees by expiring goes to the lines waiting for it, by the
shop's allocation policy, as a receipt's would.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from pegboard.domain.allocation import ItemStock
from pegboard.domain.errors import ActionRefused, InvalidValue
from pegboard.domain.events import Event
from pegboard.services.allocating import allocate_waiting
from pegboard.services.ports import Clock, UnitOfWork

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


def release_hold(quote_id: str, *, uow: UnitOfWork, clock: Clock) -> dict[str, Decimal]:
    """End a held quote before its time (someone let its checkout go): the stock it frees goes
    to the lines waiting for it, as an expired hold's does; returns that stock by SKU.

    An unknown quote id is bad input; a hold that has ended already (expired, converted,
    released) is refused, naming how it ended. One past its time that no write has ended yet
    still holds its stock, and can be released."""
    now = clock.now()
    with uow:
        found = uow.holds.get(quote_id)
        if found is None:
            raise InvalidValue("quote_id", quote_id, "is not a quote with a hold")
        if found.status != "held":
            raise ActionRefused(f"The hold of quote {quote_id} has ended already ({found.status}).")
        freed = uow.holds.release_quote(quote_id, now)
        allocate_waiting(uow, uow.stock.lock(freed), policy=uow.allocation_policy)
        uow.commit()
    return freed


def convert_hold(uow: UnitOfWork, quote_id: str, order_ref: str, now: datetime) -> dict[str, Decimal]:
    """End a held quote as the order placed with its id (before the order takes its stock);
    returns the stock it frees, by SKU (what the order does not take goes to waiting lines).

    An unknown quote id, or one placed already as another order, is bad input; a hold that
    expired or was released holds nothing any more, and the order is placed as any other."""
    held = uow.holds.get(quote_id)
    if held is None:
        raise InvalidValue("quote_id", quote_id, "is not a quote with a hold")
    if held.status == "converted" and held.order_ref != order_ref:
        raise InvalidValue("quote_id", quote_id, f"was placed already as order {held.order_ref}")
    if held.status != "held":
        return {}
    return uow.holds.convert(quote_id, order_ref, now)


def release_for_count(uow: UnitOfWork, stocks: Mapping[str, ItemStock], sku: str, now: datetime) -> set[str]:
    """When a count leaves less on hand of `sku` than is reserved, the newest holds of the SKU
    end (released) before any order line gives its stock back: an order comes before a hold.

    A hold ends whole, so it may free other SKUs too: those among `stocks` get it back in place;
    the others are returned, for the caller to give to the lines waiting for them."""
    surplus = stocks[sku].allocated - stocks[sku].on_hand
    if surplus <= 0:
        return set()
    freed = uow.holds.release(sku, surplus, now)
    for other, quantity in freed.items():
        if other in stocks:
            stocks[other].release(quantity)
    return freed.keys() - stocks.keys()
