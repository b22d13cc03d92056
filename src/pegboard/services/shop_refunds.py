"""Refunds of shop orders paid back through the shop: what the books owe, and what the shop confirms.

Cancelling a paid remainder of an order from the shop (in Pegboard: `pegboard cancel`, REST, the
web app) books a refund due. The shop then pays it back (`adapters/shopify/refunds.py` asks
Shopify's Admin API, retried through the outbox), and the refund is booked only once the shop
confirms it: with the reference `shopify`, the same as the shop's refunds heard of by webhook
(`services/shop_payments.py`), so neither books what the other has. An order the shop itself
cancelled is left to the shop: its merchant chose there whether to pay back.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pegboard.domain.books import Account
from pegboard.services import shop_payments
from pegboard.services.lookup import existing_order
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.shop_payments import ShopMoney

ZERO = Decimal(0)
#: The Shopify order state under which the shop, not Pegboard, cancelled the order.
CANCELLED_IN_SHOP = "cancelled"


@dataclass(frozen=True)
class ShopRefunds:
    """What the shop has paid back on an order: confirmed, and asked for but not confirmed yet."""

    confirmed: Decimal = ZERO
    pending: Decimal = ZERO


def shop_order_id(order_ref: str, *, uow: UnitOfWork) -> str | None:
    """The shop's id of an order Pegboard should ask the shop to refund (None: not the shop's to pay
    back, as the order did not come from the shop or the shop cancelled it itself)."""
    with uow:
        record = uow.shopify.of_order(order_ref)
    if record is None or record.state == CANCELLED_IN_SHOP:
        return None
    return record.shopify_order_id


def book_confirmed(order_ref: str, shop: ShopRefunds, *, uow: UnitOfWork, clock: Clock) -> Decimal:
    """Book what the shop has confirmed paying back that the books do not hold yet (up to what the
    order may be paid back), in one transaction; returns what is still to ask the shop for: the
    refund due less what the shop has pending."""
    with uow:
        existing_order(uow, order_ref, lock=True)
        shop_payments.settle(uow, order_ref, ShopMoney(refunded=shop.confirmed), on=clock.today())
        due = -uow.journal.order_balances(order_ref).get(Account.REFUNDS_DUE, ZERO)
        uow.commit()
    return max(due - shop.pending, ZERO)
