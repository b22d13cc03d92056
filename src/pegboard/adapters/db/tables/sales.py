"""Sales orders, their lines and charges, and shipments."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from pegboard.adapters.db.tables.base import Id, metadata
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain import limits

sales_orders = Table(
    "sales_orders",
    metadata,
    Column("id", Id, primary_key=True),
    Column("order_ref", String(limits.ORDER_REF), nullable=False, unique=True),
    Column("customer", String(limits.CUSTOMER), nullable=False),
    Column("email", String(limits.EMAIL)),
    Column("ordered_at", DateTime, nullable=False),
    Column("priority", Integer, nullable=False, server_default="0"),
    Column("ship_policy", String(20), nullable=False),
    Column("status", String(30), nullable=False),
    Column("created_at", DateTime, nullable=False),
    #: The customer's delivery address (drop-ship POs carry it to the supplier).
    Column("ship_to", Text),
    #: Where the order came from: pegboard (CLI, CSV, REST) or shopify.
    Column("source", String(20), nullable=False, server_default="pegboard"),
    #: The shop's payment state (e.g. paid, refunded): a paid order's unshipped value is a deposit.
    Column("financial_status", String(limits.FINANCIAL_STATUS)),
    #: The day the customer asked to receive the order (None: they did not say).
    Column("requested_date", Date),
    Index("ix_sales_orders_status", "status"),
    #: The KPIs read the orders placed in one period.
    Index("ix_sales_orders_ordered_at", "ordered_at"),
)


#: The orders page's ranking (priority first, then oldest), read a page at a time from this index.
Index(
    "ix_sales_orders_rank",
    sales_orders.c.priority.desc(),
    sales_orders.c.ordered_at,
    sales_orders.c.id,
)


order_lines = Table(
    "order_lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("order_id", ForeignKey("sales_orders.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    Column("unit_price", ExactDecimal),
    Column("allocated", ExactDecimal, nullable=False, server_default="0"),
    Column("shipped", ExactDecimal, nullable=False, server_default="0"),
    Column("cancelled", ExactDecimal, nullable=False, server_default="0"),
    Column("backordered_on", Date),
    #: The day the line first went on backorder, kept when `backordered_on` is cleared (KPIs).
    Column("first_backordered_on", Date),
    #: The day the line last left backorder (allocated or cancelled); cleared if it goes back.
    Column("backorder_ended_on", Date),
    #: The days of the line's first and last shipment, and whether the first carried all of it.
    Column("first_shipped_on", Date),
    Column("last_shipped_on", Date),
    Column("shipped_whole_at_once", Boolean),
    #: stock (served from our warehouse), preorder (waits for the item's release), dropship.
    Column("kind", String(20), nullable=False, server_default="stock"),
    #: A configured line's choices, `COLOUR=green;HILT=engraved` (by option name; "" = plain).
    Column("options", String(500), nullable=False, server_default=""),
    UniqueConstraint("order_id", "line_no", name="uq_order_lines_order_line"),
    CheckConstraint("quantity > 0", name="positive_quantity"),
    CheckConstraint(
        "allocated >= 0 AND shipped >= 0 AND cancelled >= 0 AND allocated + shipped + cancelled <= quantity",
        name="quantities_add_up",
    ),
    #: One SKU's lines: its demand history (its forecast) reads their orders and quantities from
    #: the index alone, and the lines holding its stock are picked by `allocated > 0` before any
    #: row is read. One index for both (migration 0029): every placed line is written into it.
    Index("ix_order_lines_item", "item_id", "order_id", "quantity", "allocated"),
    #: Who waits for this SKU, the oldest first: one SKU's first waiting lines without sorting
    #: them all, and its orders counted from the index alone (PostgreSQL).
    Index(
        "ix_order_lines_waiting_item_age",
        "item_id",
        "backordered_on",
        postgresql_include=["order_id", "kind"],
        postgresql_where=text("quantity > allocated + shipped + cancelled"),
        sqlite_where=text("quantity > allocated + shipped + cancelled"),
    ),
    #: Waiting preorder lines, by item: a plan run first finds the preorders whose release date
    #: has come (`released_preorder_skus`) among these few, not among every waiting line.
    Index(
        "ix_order_lines_waiting_preorders",
        "item_id",
        postgresql_where=text("kind = 'preorder' AND quantity > allocated + shipped + cancelled"),
        sqlite_where=text("kind = 'preorder' AND quantity > allocated + shipped + cancelled"),
    ),
    #: The KPIs read one period of the backorder history.
    Index(
        "ix_order_lines_first_backordered_on",
        "first_backordered_on",
        postgresql_where=text("first_backordered_on IS NOT NULL"),
        sqlite_where=text("first_backordered_on IS NOT NULL"),
    ),
    Index(
        "ix_order_lines_backorder_ended_on",
        "backorder_ended_on",
        postgresql_where=text("backorder_ended_on IS NOT NULL"),
        sqlite_where=text("backorder_ended_on IS NOT NULL"),
    ),
    Index(
        "ix_order_lines_first_shipped_on",
        "first_shipped_on",
        postgresql_where=text("first_shipped_on IS NOT NULL"),
        sqlite_where=text("first_shipped_on IS NOT NULL"),
    ),
    Index(
        "ix_order_lines_last_shipped_on",
        "last_shipped_on",
        postgresql_where=text("last_shipped_on IS NOT NULL"),
        sqlite_where=text("last_shipped_on IS NOT NULL"),
    ),
    #: The oldest waiting lines first, for Today; and Today's backorder figures summed per opening
    #: day from the index alone (PostgreSQL; SQLite reads the rows).
    Index(
        "ix_order_lines_waiting_age",
        "backordered_on",
        "id",
        postgresql_include=["quantity", "allocated", "shipped", "cancelled", "kind"],
        postgresql_where=text("quantity > allocated + shipped + cancelled"),
        sqlite_where=text("quantity > allocated + shipped + cancelled"),
    ),
)


shipments = Table(
    "shipments",
    metadata,
    Column("id", Id, primary_key=True),
    Column("shipment_ref", String(120), nullable=False, unique=True),
    Column("order_id", ForeignKey("sales_orders.id"), nullable=False, index=True),
    Column("shipped_on", Date, nullable=False),
    Column("tracking", String(limits.TRACKING)),
    Column("created_at", DateTime, nullable=False),
    #: The KPIs read the shipments of one period.
    Index("ix_shipments_shipped_on", "shipped_on"),
)


shipment_lines = Table(
    "shipment_lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("shipment_id", ForeignKey("shipments.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
)


#: An order's tax, shipping and discounts (`kind`), on a line (`line_no`) or on the whole order.
order_charges = Table(
    "order_charges",
    metadata,
    Column("id", Id, primary_key=True),
    Column("order_id", ForeignKey("sales_orders.id"), nullable=False),
    Column("line_no", Integer),
    Column("kind", String(20), nullable=False),
    Column("amount", ExactDecimal, nullable=False),
    Column("title", String(100), nullable=False, server_default=""),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
    Index("ix_order_charges_order_id", "order_id"),
)
