"""The Shopify part of the stateful test's model: a shop's order history and the deliveries it sends.

A shop order (SHOP-n) has a linear history of versions in the shop (created, updated, cancelled),
each sent as a webhook delivery with its own event id; a delivery may be held back and arrive
late, after newer ones. What Pegboard must do with each delivery (services/shopify.py): a replayed
event id changes nothing; a version older than the one applied is ignored; a cancellation is
final and, before the creation, remembered; the first version heard places the order (held when
it has no lines); a later one cancels what the shop reduced and holds the order on what it added.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from pegboard.adapters.shopify import mapping
from pegboard.domain.quantities import ZERO
from pegboard.domain.sales import ShipPolicy
from pegboard.services.shopify import Outcome, ShopOrder
from tests.shopify_server import order_json

if TYPE_CHECKING:
    from tests.integration.test_stateful_rules import ModelOrder, Rules

CREATE, UPDATED, CANCELLED = "orders/create", "orders/updated", "orders/cancelled"
#: Shopify ids of the shop's orders: SHOP-n has id FIRST_ID + n.
FIRST_ID = 7_000_000
#: The unit price of every shop line, as the books' model of the other orders assumes.
PRICE = "10"


@dataclass(frozen=True)
class Version:
    """One version of a shop order: its line items as (SKU, quantity ordered, current quantity)."""

    number: int
    created_at: datetime
    updated_at: datetime
    items: tuple[tuple[str, int, int], ...]
    cancelled: bool = False
    #: What the customer has paid in the shop, and been paid back, in all (whole amounts).
    paid: int = 0
    refunded: int = 0

    @property
    def due(self) -> int:
        """What the lines still wanted cost (no tax, no shipping)."""
        return sum(current for _, _, current in self.items) * int(PRICE)

    @property
    def financial_status(self) -> str:
        """Shopify's financial status for the money paid and paid back."""
        if self.refunded:
            return "refunded" if self.refunded >= self.paid else "partially_refunded"
        if not self.paid:
            return "pending"
        return "partially_paid" if self.paid < self.due else "paid"

    def paying(self, paid: int, refunded: int, minutes: int) -> Version:
        """A newer version with these money totals."""
        later = self.updated_at + timedelta(minutes=minutes)
        return replace(self, paid=paid, refunded=refunded, updated_at=later)

    @property
    def ref(self) -> str:
        return f"SHOP-{self.number}"

    @property
    def lines(self) -> list[tuple[str, Decimal]]:
        """The order lines Pegboard reads from it: line items still wanted, in the shop's order."""
        return [(sku, Decimal(current)) for sku, _, current in self.items if current > 0]

    def changed(self, sku: str, current: int, minutes: int) -> Version:
        """A newer version with this SKU's current quantity (a new line item if it had none)."""
        items = [(s, ordered, current if s == sku else now) for s, ordered, now in self.items]
        if not any(s == sku for s, _, _ in self.items):
            items.append((sku, current, current))
        return replace(self, items=tuple(items), updated_at=self.updated_at + timedelta(minutes=minutes))

    def cancellation(self, minutes: int) -> Version:
        return replace(self, cancelled=True, updated_at=self.updated_at + timedelta(minutes=minutes))


@dataclass(frozen=True)
class Delivery:
    """A webhook delivery of one version: topic and event id as Shopify sends them."""

    topic: str
    event_id: str
    version: Version

    def order(self) -> ShopOrder:
        """The delivery's body read as the webhook route reads it."""
        v = self.version
        moment = "{:%Y-%m-%dT%H:%M:%S}Z".format
        payload = order_json(
            FIRST_ID + v.number,
            f"#{v.number}",
            [(sku, ordered) for sku, ordered, _ in v.items],
            created_at=moment(v.created_at),
            updated_at=moment(v.updated_at),
            cancelled_at=moment(v.updated_at) if v.cancelled else None,
            financial_status=v.financial_status,
            current={sku: current for sku, _, current in v.items},
            price=PRICE,
        )
        # No tax: the books' model of every order is the price alone.
        for item in payload["line_items"]:
            item["tax_lines"] = []
        payload["total_price"] = str(max(v.due, v.paid))
        payload["total_outstanding"] = str(max(v.due - v.paid, 0))
        refund = {"kind": "refund", "status": "success", "amount": str(v.refunded)}
        payload["refunds"] = [{"transactions": [refund]}] if v.refunded else []
        return mapping.read_payload(json.dumps(payload))


@dataclass
class Record:
    """Pegboard's bookkeeping of a shop order: its state and the newest version applied."""

    state: str
    updated_at: datetime
    placed: bool = False
    #: The financial status the sales order keeps (from the newest version applied to it).
    financial_status: str = "pending"


@dataclass
class Shop:
    """The shop's orders (newest version of each), deliveries held back, deliveries taken, records."""

    versions: dict[int, Version] = field(default_factory=dict)
    late: list[Delivery] = field(default_factory=list)
    delivered: list[Delivery] = field(default_factory=list)
    records: dict[int, Record] = field(default_factory=dict)
    events: int = 0

    def send(self, topic: str, version: Version) -> Delivery:
        """The shop's newest version of the order is now this one; its delivery, with a new event id."""
        self.versions[version.number] = version
        self.events += 1
        return Delivery(topic, f"evt-{self.events}", version)

    def take(self, delivery: Delivery, rules: Rules) -> Outcome:
        """What Pegboard must do with a delivery, applied to the model; the outcome it must report."""
        if delivery in self.delivered:
            return Outcome.DUPLICATE
        self.delivered.append(delivery)
        version = delivery.version
        cancelling = delivery.topic == CANCELLED or version.cancelled
        record = self.records.get(version.number)
        if record is not None:
            if record.state == "cancelled" or (version.updated_at < record.updated_at and not cancelling):
                return Outcome.STALE
            record.updated_at = max(record.updated_at, version.updated_at)
        else:
            record = self.records[version.number] = Record("placed", version.updated_at)
        if cancelling:
            record.state = "cancelled"
            if record.placed and not rules.orders[version.ref].closed:
                assert rules.cancel(version.ref, None) is None
            return Outcome.CANCELLED
        if record.placed:
            cancelled, added = reconcile(rules.orders[version.ref], version, rules)
            record.state = "held" if added else "placed"
            paid = record.financial_status != version.financial_status
            record.financial_status = version.financial_status
            return Outcome.HELD if added else Outcome.UPDATED if cancelled or paid else Outcome.UNCHANGED
        if not version.lines:
            record.state = "held"
            return Outcome.HELD
        rules.place(
            version.ref,
            version.lines,
            priority=0,
            ship_policy=ShipPolicy.PARTIAL,
            ordered_at=version.created_at,
        )
        record.state, record.placed = "placed", True
        record.financial_status = version.financial_status
        return Outcome.PLACED


def reconcile(order: ModelOrder, version: Version, rules: Rules) -> tuple[bool, bool]:
    """Cancel what the shop reduced (waiting first, newest line first; what shipped is a return);
    (whether anything was cancelled, whether the shop added anything: that holds the order, unadded).

    The test never reduces a drop-ship line in the shop, so no drop-ship PO changes here."""
    shop = dict(version.lines)
    ours: dict[str, Decimal] = {}
    left: dict[str, Decimal] = {}
    for line in order.lines:
        ours[line.sku] = ours.get(line.sku, ZERO) + line.quantity - line.cancelled
        left[line.sku] = left.get(line.sku, ZERO) + line.open + line.allocated
    cancel = {sku: min(q - shop.get(sku, ZERO), left[sku]) for sku, q in ours.items()}
    cancel = {sku: q for sku, q in cancel.items() if q > 0}
    for sku, amount in sorted(cancel.items()):
        for line in reversed([line for line in order.lines if line.sku == sku]):
            take = min(amount, line.open + line.allocated)
            if take <= 0:
                continue
            line.allocated -= take - min(take, line.open)
            line.cancelled += take
            if line.open == 0:
                line.backordered_on = None
            amount -= take
    rules._feed(sorted(cancel))
    return bool(cancel), any(q > ours.get(sku, ZERO) for sku, q in shop.items())
