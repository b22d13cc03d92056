"""customer loop: outbox delivery, notices, status links, preorders, drop-ship, Shopify

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_PENDING = "delivered_at IS NULL AND parked_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("parked_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("order_ref", sa.String(length=100), nullable=True))
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["created_at"],
        postgresql_where=sa.text(_PENDING),
        sqlite_where=sa.text(_PENDING),
    )
    op.create_index(
        "ix_outbox_pending_order",
        "outbox",
        ["order_ref", "created_at"],
        postgresql_where=sa.text(_PENDING),
        sqlite_where=sa.text(_PENDING),
    )
    op.create_table(
        "outbox_deliveries",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["outbox.id"], name=op.f("fk_outbox_deliveries_event_id_outbox")
        ),
        sa.PrimaryKeyConstraint("event_id", "channel", name=op.f("pk_outbox_deliveries")),
    )
    op.create_table(
        "customer_notices",
        sa.Column("id", _ID, nullable=False),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False, server_default="sent"),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_orders.id"], name=op.f("fk_customer_notices_order_id_sales_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_notices")),
    )
    op.create_index("ix_customer_notices_order_kind", "customer_notices", ["order_id", "kind", "sent_on"])
    op.create_index("ix_customer_notices_event_id", "customer_notices", ["event_id"])
    with op.batch_alter_table("line_promises") as batch:
        batch.add_column(sa.Column("told_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("told_on", sa.Date(), nullable=True))
    op.create_table(
        "status_links",
        sa.Column("id", _ID, nullable=False),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_orders.id"], name=op.f("fk_status_links_order_id_sales_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_status_links_token_hash")),
    )
    op.create_index("ix_status_links_order_id", "status_links", ["order_id"])
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("release_date", sa.Date(), nullable=True))
    with op.batch_alter_table("sales_orders") as batch:
        batch.add_column(sa.Column("ship_to", sa.Text(), nullable=True))
        batch.add_column(sa.Column("source", sa.String(length=20), nullable=False, server_default="pegboard"))
        batch.add_column(sa.Column("financial_status", sa.String(length=30), nullable=True))
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="stock"))
    with op.batch_alter_table("purchase_orders") as batch:
        batch.add_column(sa.Column("ship_to", sa.Text(), nullable=True))
        batch.add_column(sa.Column("order_id", _ID, nullable=True))
        batch.create_foreign_key(
            op.f("fk_purchase_orders_order_id_sales_orders"), "sales_orders", ["order_id"], ["id"]
        )
    with op.batch_alter_table("purchase_order_lines") as batch:
        batch.add_column(sa.Column("order_line_id", _ID, nullable=True))
        batch.create_foreign_key(
            op.f("fk_purchase_order_lines_order_line_id_order_lines"),
            "order_lines",
            ["order_line_id"],
            ["id"],
        )
    op.create_table(
        "shopify_events",
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("shopify_order_id", sa.String(length=40), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_shopify_events")),
    )
    op.create_table(
        "shopify_orders",
        sa.Column("shopify_order_id", sa.String(length=40), nullable=False),
        sa.Column("order_ref", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("shop_updated_at", sa.DateTime(), nullable=True),
        sa.Column("financial_status", sa.String(length=30), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("shopify_order_id", name=op.f("pk_shopify_orders")),
    )
    op.create_index("ix_shopify_orders_order_ref", "shopify_orders", ["order_ref"])


def downgrade() -> None:
    op.drop_index("ix_shopify_orders_order_ref", table_name="shopify_orders")
    op.drop_table("shopify_orders")
    op.drop_table("shopify_events")
    with op.batch_alter_table("purchase_order_lines") as batch:
        batch.drop_constraint(op.f("fk_purchase_order_lines_order_line_id_order_lines"), type_="foreignkey")
        batch.drop_column("order_line_id")
    with op.batch_alter_table("purchase_orders") as batch:
        batch.drop_constraint(op.f("fk_purchase_orders_order_id_sales_orders"), type_="foreignkey")
        batch.drop_column("order_id")
        batch.drop_column("ship_to")
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("sales_orders") as batch:
        batch.drop_column("financial_status")
        batch.drop_column("source")
        batch.drop_column("ship_to")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("release_date")
    op.drop_index("ix_status_links_order_id", table_name="status_links")
    op.drop_table("status_links")
    with op.batch_alter_table("line_promises") as batch:
        batch.drop_column("told_on")
        batch.drop_column("told_date")
    op.drop_index("ix_customer_notices_event_id", table_name="customer_notices")
    op.drop_index("ix_customer_notices_order_kind", table_name="customer_notices")
    op.drop_table("customer_notices")
    op.drop_table("outbox_deliveries")
    op.drop_index("ix_outbox_pending_order", table_name="outbox")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("order_ref")
        batch.drop_column("last_error")
        batch.drop_column("parked_at")
        batch.drop_column("next_attempt_at")
