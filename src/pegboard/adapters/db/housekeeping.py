"""Forgetting what only mattered for a while: delivered events, stored answers, webhook ids, and
promise parts no promise names any more."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, exists, select

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

    def forget_unused_parts(self) -> int:
        """Promise parts no stored promise names any more (a plan moved or ended their promises).
        On PostgreSQL the table is locked first (SHARE ROW EXCLUSIVE): a store adding promises
        holds ROW EXCLUSIVE from before it looks for their parts until it commits, so a part it
        found is not deleted under it, and it adds again one deleted before it looked."""
        if self.conn.dialect.name == "postgresql":
            self.conn.exec_driver_sql("LOCK TABLE promise_parts IN SHARE ROW EXCLUSIVE MODE")
        pp, lp = t.promise_parts.c, t.line_promises.c
        named = exists().where(lp.parts_key == pp.parts_key)
        return int(self.conn.execute(delete(t.promise_parts).where(~named)).rowcount)
