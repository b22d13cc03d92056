"""Shopify deliveries already taken, and each Shopify order as last heard of."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Table, Text

from pegboard.adapters.db.tables.base import metadata
from pegboard.domain import limits

#: Shopify webhook deliveries already taken, by event id: a replay changes nothing.
shopify_events = Table(
    "shopify_events",
    metadata,
    Column("event_id", String(limits.SHOPIFY_EVENT_ID), primary_key=True),
    Column("topic", String(60), nullable=False),
    Column("shopify_order_id", String(limits.SHOPIFY_ORDER_ID)),
    Column("received_at", DateTime, nullable=False),
)


#: Each Shopify order as last heard of: placed, held (a problem to fix) or cancelled.
shopify_orders = Table(
    "shopify_orders",
    metadata,
    Column("shopify_order_id", String(limits.SHOPIFY_ORDER_ID), primary_key=True),
    Column("order_ref", String(limits.ORDER_REF), index=True),
    Column("state", String(20), nullable=False),
    Column("problem", Text),
    #: Shopify's updated_at of the newest version applied: an older delivery is ignored.
    Column("shop_updated_at", DateTime),
    Column("financial_status", String(limits.FINANCIAL_STATUS)),
    Column("payload", Text, nullable=False),
    Column("received_at", DateTime, nullable=False),
)
