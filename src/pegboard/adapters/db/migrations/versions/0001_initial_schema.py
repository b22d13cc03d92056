"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pegboard.adapters.db.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "expected_date_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("supply_ref", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("old_date", sa.Date(), nullable=True),
        sa.Column("new_date", sa.Date(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expected_date_changes")),
    )
    with op.batch_alter_table("expected_date_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expected_date_changes_supply_ref"), ["supply_ref"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_table(
        "ref_counters",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ref_counters")),
    )
    op.create_table(
        "sales_orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_ref", sa.String(length=100), nullable=False),
        sa.Column("customer", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("ordered_at", sa.DateTime(), nullable=False),
        sa.Column("priority", sa.Integer(), server_default="0", nullable=False),
        sa.Column("ship_policy", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_orders")),
        sa.UniqueConstraint("order_ref", name=op.f("uq_sales_orders_order_ref")),
    )
    with op.batch_alter_table("sales_orders", schema=None) as batch_op:
        batch_op.create_index("ix_sales_orders_status", ["status"], unique=False)

    op.create_table(
        "suppliers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint("name", name=op.f("uq_suppliers_name")),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("procurement", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=20), server_default="pcs", nullable=False),
        sa.Column("price", pegboard.adapters.db.types.ExactDecimal(), nullable=True),
        sa.Column("cost", pegboard.adapters.db.types.ExactDecimal(), nullable=True),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("supplier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "safety_stock", pegboard.adapters.db.types.ExactDecimal(), server_default="0", nullable=False
        ),
        sa.Column("reorder_point", pegboard.adapters.db.types.ExactDecimal(), nullable=True),
        sa.Column("reorder_qty", pegboard.adapters.db.types.ExactDecimal(), nullable=True),
        sa.Column("min_order_qty", pegboard.adapters.db.types.ExactDecimal(), nullable=True),
        sa.Column("order_multiple", pegboard.adapters.db.types.ExactDecimal(), nullable=True),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_items_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("sku", name=op.f("uq_items_sku")),
    )
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("po_ref", sa.String(length=100), nullable=False),
        sa.Column("supplier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_purchase_orders_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_orders")),
        sa.UniqueConstraint("po_ref", name=op.f("uq_purchase_orders_po_ref")),
    )
    op.create_table(
        "shipments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shipment_ref", sa.String(length=120), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shipped_on", sa.Date(), nullable=False),
        sa.Column("tracking", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_orders.id"], name=op.f("fk_shipments_order_id_sales_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("shipment_ref", name=op.f("uq_shipments_shipment_ref")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipments_order_id"), ["order_id"], unique=False)

    op.create_table(
        "bom_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("parent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("component_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("quantity", pegboard.adapters.db.types.ExactDecimal(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_bom_lines_positive_quantity")),
        sa.ForeignKeyConstraint(["component_id"], ["items.id"], name=op.f("fk_bom_lines_component_id_items")),
        sa.ForeignKeyConstraint(["parent_id"], ["items.id"], name=op.f("fk_bom_lines_parent_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bom_lines")),
        sa.UniqueConstraint("parent_id", "component_id", name="uq_bom_lines_parent_component"),
    )
    op.create_table(
        "manufacturing_orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("mo_ref", sa.String(length=100), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("quantity", pegboard.adapters.db.types.ExactDecimal(), nullable=False),
        sa.Column("completed", pegboard.adapters.db.types.ExactDecimal(), server_default="0", nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("finish_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "completed >= 0 AND completed <= quantity",
            name=op.f("ck_manufacturing_orders_completed_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_manufacturing_orders_item_id_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manufacturing_orders")),
        sa.UniqueConstraint("mo_ref", name=op.f("uq_manufacturing_orders_mo_ref")),
    )
    op.create_table(
        "order_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("quantity", pegboard.adapters.db.types.ExactDecimal(), nullable=False),
        sa.Column("unit_price", pegboard.adapters.db.types.ExactDecimal(), nullable=True),
        sa.Column("allocated", pegboard.adapters.db.types.ExactDecimal(), server_default="0", nullable=False),
        sa.Column("shipped", pegboard.adapters.db.types.ExactDecimal(), server_default="0", nullable=False),
        sa.Column("cancelled", pegboard.adapters.db.types.ExactDecimal(), server_default="0", nullable=False),
        sa.Column("backordered_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "allocated >= 0 AND shipped >= 0 AND cancelled >= 0 "
            "AND allocated + shipped + cancelled <= quantity",
            name=op.f("ck_order_lines_quantities_add_up"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_positive_quantity")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_order_lines_item_id_items")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_orders.id"], name=op.f("fk_order_lines_order_id_sales_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_id", "line_no", name="uq_order_lines_order_line"),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_order_lines_allocated",
            ["item_id", "allocated"],
            unique=False,
            postgresql_where=sa.text("allocated > 0"),
            sqlite_where=sa.text("allocated > 0"),
        )
        batch_op.create_index(
            "ix_order_lines_waiting",
            ["item_id"],
            unique=False,
            postgresql_where=sa.text("quantity > allocated + shipped + cancelled"),
            sqlite_where=sa.text("quantity > allocated + shipped + cancelled"),
        )

    op.create_table(
        "purchase_order_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("po_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("quantity", pegboard.adapters.db.types.ExactDecimal(), nullable=False),
        sa.Column("received", pegboard.adapters.db.types.ExactDecimal(), server_default="0", nullable=False),
        sa.Column("unit_cost", pegboard.adapters.db.types.ExactDecimal(), nullable=True),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "received >= 0 AND received <= quantity",
            name=op.f("ck_purchase_order_lines_received_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_purchase_order_lines_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["po_id"],
            ["purchase_orders.id"],
            name=op.f("fk_purchase_order_lines_po_id_purchase_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_lines")),
    )
    with op.batch_alter_table("purchase_order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purchase_order_lines_po_id"), ["po_id"], unique=False)

    op.create_table(
        "shipment_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("quantity", pegboard.adapters.db.types.ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_shipment_lines_item_id_items")),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_shipment_lines_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_lines")),
    )
    with op.batch_alter_table("shipment_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipment_lines_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "stock_moves",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("location", sa.String(length=50), server_default="MAIN", nullable=False),
        sa.Column("quantity", pegboard.adapters.db.types.ExactDecimal(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=100), server_default="", nullable=False),
        sa.Column("reason", sa.String(length=500), server_default="", nullable=False),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_stock_moves_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_moves")),
    )
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.create_index("ix_stock_moves_item_quantity", ["item_id", "quantity"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_moves_item_quantity")

    op.drop_table("stock_moves")
    with op.batch_alter_table("shipment_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_lines_shipment_id"))

    op.drop_table("shipment_lines")
    with op.batch_alter_table("purchase_order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_order_lines_po_id"))

    op.drop_table("purchase_order_lines")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_order_lines_waiting",
            postgresql_where=sa.text("quantity > allocated + shipped + cancelled"),
            sqlite_where=sa.text("quantity > allocated + shipped + cancelled"),
        )
        batch_op.drop_index(
            "ix_order_lines_allocated",
            postgresql_where=sa.text("allocated > 0"),
            sqlite_where=sa.text("allocated > 0"),
        )

    op.drop_table("order_lines")
    op.drop_table("manufacturing_orders")
    op.drop_table("bom_lines")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_order_id"))

    op.drop_table("shipments")
    op.drop_table("purchase_orders")
    op.drop_table("items")
    op.drop_table("suppliers")
    with op.batch_alter_table("sales_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_orders_status")

    op.drop_table("sales_orders")
    op.drop_table("ref_counters")
    op.drop_table("outbox")
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("expected_date_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expected_date_changes_supply_ref"))

    op.drop_table("expected_date_changes")
    op.drop_table("api_tokens")
