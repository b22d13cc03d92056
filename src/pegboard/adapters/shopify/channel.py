"""The shop hears when Pegboard ships: each shipment of a Shopify order becomes a Shopify fulfillment.

The channel takes `OrderShipped` events of orders that came from Shopify (others are not its
business and count as delivered). For each one it fulfils, per SKU, the difference between
what Pegboard has shipped up to and including that shipment and what Shopify already shows as
fulfilled, with the shipment's tracking number. Working from that difference makes a repeat
harmless: delivery is at least once, and if a fulfillment was created but the outbox never
heard of it (a crash, a lost answer), the repeat finds nothing left to do. A failure (Shopify
down, 5xx, rate limit) is returned for the outbox to retry later; after a 429 the rest of the
batch waits too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pegboard.adapters.shopify.admin import AdminClient, FulfillmentOrder, ShopifyError
from pegboard.adapters.shopify.mapping import line_item_skus
from pegboard.services.ports import StoredEvent, UnitOfWork


@dataclass
class FulfilmentPlan:
    """Fulfillment order line items to fulfil, grouped by location (one fulfillment each)."""

    by_location: dict[int | None, dict[int, list[tuple[int, int]]]] = field(default_factory=dict)
    #: Units Pegboard shipped that Shopify has no open line item left for, per SKU.
    short: dict[str, int] = field(default_factory=dict)


def plan_fulfilment(
    shipped: Mapping[str, Decimal], skus: Mapping[str, str], orders: Sequence[FulfillmentOrder]
) -> FulfilmentPlan:
    """What to fulfil so that Shopify's fulfilled units per SKU reach what Pegboard has shipped."""
    fulfilled: dict[str, int] = {}
    for fo in orders:
        if fo.status == "cancelled":
            continue
        for item in fo.line_items:
            sku = skus.get(str(item.line_item_id))
            if sku is not None:
                fulfilled[sku] = fulfilled.get(sku, 0) + item.quantity - item.fulfillable_quantity
    plan = FulfilmentPlan()
    for sku, total in sorted(shipped.items()):
        needed = int(total) - fulfilled.get(sku, 0)
        for fo in orders:
            if needed <= 0 or not fo.can_fulfil:
                continue
            for item in fo.line_items:
                if needed > 0 and item.fulfillable_quantity > 0 and skus.get(str(item.line_item_id)) == sku:
                    take = min(needed, item.fulfillable_quantity)
                    group = plan.by_location.setdefault(fo.assigned_location_id, {})
                    group.setdefault(fo.id, []).append((item.id, take))
                    needed -= take
        if needed > 0:
            plan.short[sku] = needed
    return plan


def deliver_in_turn(events: Sequence[StoredEvent], act: Callable[[StoredEvent], None]) -> dict[str, str]:
    """Act on each event in turn against the shop; the failures by event id. After a 429 (rate
    limited) the rest are not tried and wait for the outbox's next attempt."""
    failures: dict[str, str] = {}
    throttled: str | None = None
    for event in events:
        if throttled is not None:
            failures[event.id] = throttled
            continue
        try:
            act(event)
        except ShopifyError as error:
            failures[event.id] = str(error)
            if error.status == 429:
                throttled = f"waiting: {error}"
    return failures


class ShopifyChannel:
    """Creates a Shopify fulfillment, with tracking, for each shipment of an order from the shop."""

    name = "shopify"

    def __init__(
        self, client: AdminClient, *, uow_factory: Callable[[], UnitOfWork], notify_customer: bool = False
    ) -> None:
        self.client, self.uow_factory, self.notify_customer = client, uow_factory, notify_customer

    def wants(self, event_type: str) -> bool:
        """Only shipments."""
        return event_type == "OrderShipped"

    def deliver(self, events: Sequence[StoredEvent]) -> dict[str, str]:
        """Fulfil each shipment in Shopify; the failures by event id (after a 429, the rest wait too)."""
        return deliver_in_turn(events, self._fulfil)

    def _fulfil(self, event: StoredEvent) -> None:
        order_ref = str(event.payload.get("order_ref") or event.order_ref or "")
        shipment_ref = str(event.payload.get("shipment_ref") or "")
        with self.uow_factory() as uow:
            record = uow.shopify.of_order(order_ref)
            if record is None:
                return  # not an order from the shop
            shipped = uow.shopify.shipped_through(order_ref, shipment_ref)
        if not shipped:
            return
        orders = self.client.fulfillment_orders(record.shopify_order_id)
        plan = plan_fulfilment(shipped, line_item_skus(record.payload), orders)
        tracking = event.payload.get("tracking")
        for lines in plan.by_location.values():
            self.client.create_fulfillment(
                lines, tracking=str(tracking) if tracking else None, notify_customer=self.notify_customer
            )
        if plan.short:
            missing = ", ".join(f"{q} {sku}" for sku, q in sorted(plan.short.items()))
            raise ShopifyError(
                f"Shopify order {record.shopify_order_id} has nothing open to fulfil for {missing} "
                f"shipped in {shipment_ref}",
                retryable=False,
            )
