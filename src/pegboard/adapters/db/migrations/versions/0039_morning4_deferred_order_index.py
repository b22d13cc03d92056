"""delivery finds an order's put-off events through an index of those alone: the index of every
pending event by order (`ix_outbox_pending_order`) is dropped, and `ix_outbox_deferred_order`
holds only the pending events whose next try is put off (claimed, or backing off after a failure)

Every new event entered the old index at its order's place, at random in a large index: a large
shop's morning (611k `PromiseChanged` at L) cost the server about 1.3 s of CPU there. A new event
has no next try and enters the new index only when a deliverer claims it. The check for an older
event of the same order outside a claim reads the pending events up to the claim's newest through
`ix_outbox_pending` instead (`adapters.db.delivery`). The same on SQLite and PostgreSQL.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

_PENDING = "delivered_at IS NULL AND parked_at IS NULL"
_DEFERRED = f"next_attempt_at IS NOT NULL AND {_PENDING}"


def upgrade() -> None:
    op.drop_index("ix_outbox_pending_order", table_name="outbox")
    op.create_index(
        "ix_outbox_deferred_order",
        "outbox",
        ["order_ref"],
        postgresql_where=sa.text(_DEFERRED),
        sqlite_where=sa.text(_DEFERRED),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_deferred_order", table_name="outbox")
    op.create_index(
        "ix_outbox_pending_order",
        "outbox",
        ["order_ref", "created_at"],
        postgresql_where=sa.text(_PENDING),
        sqlite_where=sa.text(_PENDING),
    )
