"""Shopify orders as last heard of, and the deliveries already taken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from pegboard.domain.sales import SalesOrder, SalesOrderLine


@dataclass(frozen=True)
class ShopifyOrderRecord:
    """A Shopify order as last heard of: placed, held (with the problem) or cancelled."""

    shopify_order_id: str
    order_ref: str
    state: str
    problem: str | None
    shop_updated_at: datetime | None
    financial_status: str | None
    payload: str
    received_at: datetime


class ShopifyRepository(Protocol):
    """Shopify deliveries taken, and each Shopify order's state, for de-duplication and ordering."""

    def record_event(self, event_id: str, topic: str, shopify_order_id: str | None) -> bool: ...

    def claim(self, record: ShopifyOrderRecord) -> ShopifyOrderRecord | None: ...

    def record_events(self, events: Sequence[tuple[str, str, str | None]]) -> set[str]: ...

    def claim_new(self, records: Sequence[ShopifyOrderRecord]) -> set[str]: ...

    def save(self, record: ShopifyOrderRecord) -> None: ...

    def get(self, shopify_order_id: str) -> ShopifyOrderRecord | None: ...

    def held(self) -> list[ShopifyOrderRecord]: ...

    def of_order(self, order_ref: str) -> ShopifyOrderRecord | None: ...

    def set_financial_status(self, order_ref: str, financial_status: str | None) -> None: ...

    def add_lines(self, order: SalesOrder, lines: Sequence[SalesOrderLine]) -> None: ...

    def shipped_through(self, order_ref: str, shipment_ref: str) -> dict[str, Decimal]: ...
