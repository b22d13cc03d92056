"""The outbox of events, which channel has taken which, and the messages sent to customers."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text, text
from sqlalchemy.dialects import postgresql

from pegboard.adapters.db.tables.base import Id, metadata
from pegboard.domain import limits

#: An event's id: its UUID's text (`8-4-4-4-12` lowercase hex digits) to every reader. PostgreSQL
#: keeps the 16 bytes of a `uuid` (migration 0038): compared as bytes rather than as text by the
#: database's collation, half the key's size, and the outbox's key index took a morning's 611k new
#: events at L for about 1 s less of the server's CPU. SQLite keeps the text.
EventId = String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")

#: A pending event whose next try is put off (`next_attempt_at` is set only by a claim or a failure).
_DEFERRED = "next_attempt_at IS NOT NULL AND delivered_at IS NULL AND parked_at IS NULL"

outbox = Table(
    "outbox",
    metadata,
    Column("id", EventId, primary_key=True),
    Column("event_type", String(60), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("delivered_at", DateTime),
    Column("attempts", Integer, nullable=False, server_default="0"),
    #: Not tried again before this time (backoff after a failure, or a claim while delivering).
    Column("next_attempt_at", DateTime),
    #: Set after too many failed attempts: the event waits for `pegboard outbox --retry`.
    Column("parked_at", DateTime),
    Column("last_error", Text),
    #: The sales order the event is about, so one order's events are delivered in order.
    Column("order_ref", String(limits.ORDER_REF)),
    #: Pending events, oldest first: what a claim takes, and those older than it that it checks.
    Index(
        "ix_outbox_pending",
        "created_at",
        postgresql_where=text("delivered_at IS NULL AND parked_at IS NULL"),
        sqlite_where=text("delivered_at IS NULL AND parked_at IS NULL"),
    ),
    #: Parked events, for Today and `pegboard outbox`.
    Index(
        "ix_outbox_parked",
        "parked_at",
        postgresql_where=text("parked_at IS NOT NULL AND delivered_at IS NULL"),
        sqlite_where=text("parked_at IS NOT NULL AND delivered_at IS NULL"),
    ),
    #: An order's pending events whose next try is put off (claimed under a lease, or backing off
    #: after a failure): delivery holds back the younger events of their order. A new event has no
    #: next try and does not enter it (migration 0039: an index of every pending event by order
    #: took a large shop's morning of 611k events for about 1.3 s of the server's CPU).
    Index(
        "ix_outbox_deferred_order",
        "order_ref",
        postgresql_where=text(_DEFERRED),
        sqlite_where=text(_DEFERRED),
    ),
)


#: Which channel (email, shopify, ...) has already taken which event: at most once per channel.
outbox_deliveries = Table(
    "outbox_deliveries",
    metadata,
    Column("event_id", ForeignKey("outbox.id"), primary_key=True),
    Column("channel", String(40), primary_key=True),
    Column("delivered_at", DateTime, nullable=False),
)


#: Every message sent to a customer: the once-a-day rule for new dates reads it.
customer_notices = Table(
    "customer_notices",
    metadata,
    Column("id", Id, primary_key=True),
    Column("order_id", ForeignKey("sales_orders.id"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("sent_on", Date, nullable=False),
    Column("recipient", String(limits.EMAIL), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("event_id", String(36)),
    Column("created_at", DateTime, nullable=False),
    #: sent, or skipped (the order has no usable email address: nothing went out).
    Column("status", String(20), nullable=False, server_default="sent"),
    Index("ix_customer_notices_order_kind", "order_id", "kind", "sent_on"),
    Index("ix_customer_notices_event_id", "event_id"),
)
