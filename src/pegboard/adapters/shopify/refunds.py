"""The shop pays back what Pegboard owes: a cancelled, paid remainder of a shop order is refunded
through Shopify's Admin API, and booked when Shopify confirms it.

The channel takes `OrderCancelled` events, except those of a reduction made in the shop (its
merchant pays back there, and the shop's refunds are booked as they are heard of). For an order
from the shop it first reads what Shopify has already paid back and books any of it the books
lack, then asks Shopify for the rest of the refund due (less what is pending there), then books
what Shopify confirmed. Working from the shop's own totals makes a repeat harmless: delivery is
at least once, and a refund made but never booked (a crash, a lost answer) is found and booked
by the repeat instead of asked for twice. A failure (Shopify down, 5xx, rate limit) is returned
for the outbox to retry later; after a 429 the rest of the batch waits too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pegboard.adapters.shopify.admin import AdminClient
from pegboard.adapters.shopify.channel import deliver_in_turn
from pegboard.services import shop_refunds
from pegboard.services.ports import Clock, StoredEvent, UnitOfWork
from pegboard.services.shop_refunds import ShopRefunds


class ShopifyRefundChannel:
    """Asks Shopify to pay back each refund due on an order from the shop, and books it when confirmed."""

    name = "shopify-refunds"

    def __init__(
        self,
        client: AdminClient,
        *,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        currency: str,
        notify_customer: bool = False,
    ) -> None:
        self.client, self.uow_factory, self.clock = client, uow_factory, clock
        self.currency, self.notify_customer = currency, notify_customer

    def wants(self, event_type: str) -> bool:
        """Only cancellations (the only change that makes a refund due)."""
        return event_type == "OrderCancelled"

    def deliver(self, events: Sequence[StoredEvent]) -> dict[str, str]:
        """Refund each cancelled order's refund due in Shopify; the failures by event id (after a
        429, the rest wait too)."""
        return deliver_in_turn(events, self._refund)

    def _refund(self, event: StoredEvent) -> None:
        if event.payload.get("in_shop"):
            return  # the shop reduced the order: its merchant chose there whether to pay back
        order_ref = str(event.payload.get("order_ref") or event.order_ref or "")
        shop_id = shop_refunds.shop_order_id(order_ref, uow=self.uow_factory())
        if shop_id is None:
            return
        seen = self.client.refunds(shop_id)
        to_ask = shop_refunds.book_confirmed(order_ref, seen, uow=self.uow_factory(), clock=self.clock)
        if to_ask <= 0:
            return
        made = self.client.create_refund(
            shop_id,
            to_ask,
            currency=self.currency,
            note=f"Cancelled in Pegboard: {order_ref}",
            notify_customer=self.notify_customer,
        )
        after = ShopRefunds(seen.confirmed + made.confirmed, seen.pending + made.pending)
        shop_refunds.book_confirmed(order_ref, after, uow=self.uow_factory(), clock=self.clock)
