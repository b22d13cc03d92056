"""Forgetting what only mattered for a while: delivered events, stored answers, webhook ids."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, select

from pegboard.adapters.db import tables as t


class SqlHousekeeping:
    """Deletes rows kept only to de-duplicate or deliver, once they are older than a cut-off."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def forget_delivered_events(self, before: datetime) -> int:
        """Events delivered before the cut-off (with their per-channel records); pending and parked stay."""
        old = select(t.outbox.c.id).where(t.outbox.c.delivered_at < before).scalar_subquery()
        self.conn.execute(delete(t.outbox_deliveries).where(t.outbox_deliveries.c.event_id.in_(old)))
        return int(self.conn.execute(delete(t.outbox).where(t.outbox.c.delivered_at < before)).rowcount)

    def forget_answers(self, before: datetime) -> int:
        """Stored answers of idempotent requests made before the cut-off."""
        gone = self.conn.execute(delete(t.idempotency_keys).where(t.idempotency_keys.c.created_at < before))
        return int(gone.rowcount)

    def forget_webhook_ids(self, before: datetime) -> int:
        """Ids of Shopify deliveries received before the cut-off."""
        gone = self.conn.execute(delete(t.shopify_events).where(t.shopify_events.c.received_at < before))
        return int(gone.rowcount)
