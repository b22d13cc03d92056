"""The shop's payments in the books: what Shopify says an order's customer paid and was paid back
is booked as `pegboard pay` and `pegboard refund` book it, once.

Each delivery of an order carries the shop's running totals (`ShopMoney`); only their difference
from what the books already hold from the shop (entries with the reference `shopify`) is booked,
so a replayed or late webhook books nothing twice. A refund is booked up to what the order may
still be paid back (its refund due and deposits); money for goods already shipped and returned
is not modelled here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pegboard.domain.errors import ActionRefused
from pegboard.services import books
from pegboard.services.ports import UnitOfWork

ZERO = Decimal(0)
#: The reference of every entry booked from the shop's figures.
SHOP_REFERENCE = "shopify"


@dataclass(frozen=True)
class ShopMoney:
    """What the shop says the customer has paid for an order in all, and been paid back in all."""

    received: Decimal = ZERO
    refunded: Decimal = ZERO


def settle(uow: UnitOfWork, order_ref: str, money: ShopMoney | None, *, on: date) -> list[int]:
    """Book what the shop's totals add to the books' (inside the caller's transaction); returns the
    entries' numbers. A payment the order cannot take (it is cancelled, or shipped and owes less)
    is left unbooked: the shop will refund it, and that refund is not ours to book either."""
    if money is None or not (money.received or money.refunded) or uow.orders.get(order_ref) is None:
        return []
    received, refunded = uow.journal.cash_by_reference(order_ref, SHOP_REFERENCE)
    booked: list[int] = []
    if money.received > received:
        try:
            booked.append(
                books.book_payment(
                    uow,
                    order_ref,
                    money.received - received,
                    method="shopify",
                    reference=SHOP_REFERENCE,
                    on=on,
                )
            )
        except ActionRefused:
            pass
    if money.refunded > refunded:
        amount = min(money.refunded - refunded, books.refundable(uow, order_ref))
        if amount > 0:
            booked.append(books.book_refund(uow, order_ref, amount, reference=SHOP_REFERENCE, on=on))
    return booked
