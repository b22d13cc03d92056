"""The schema: one table per document, and the append-only stock ledger."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain import limits

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = BigInteger().with_variant(Integer(), "sqlite")

suppliers = Table(
    "suppliers",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(limits.SUPPLIER_NAME), nullable=False, unique=True),
    Column("email", String(limits.EMAIL)),
    Column("lead_time_days", Integer),
)

items = Table(
    "items",
    metadata,
    Column("id", Id, primary_key=True),
    Column("sku", String(limits.SKU), nullable=False, unique=True),
    Column("name", String(limits.ITEM_NAME), nullable=False),
    Column("procurement", String(20), nullable=False),
    Column("unit", String(limits.UNIT), nullable=False, server_default="pcs"),
    Column("price", ExactDecimal),
    Column("cost", ExactDecimal),
    Column("lead_time_days", Integer),
    Column("supplier_id", ForeignKey("suppliers.id")),
    Column("safety_stock", ExactDecimal, nullable=False, server_default="0"),
    Column("reorder_point", ExactDecimal),
    Column("reorder_qty", ExactDecimal),
    Column("min_order_qty", ExactDecimal),
    Column("order_multiple", ExactDecimal),
    #: While today is before it, the item is sold as a preorder promised for this date.
    Column("release_date", Date),
    #: Labour per unit made, added to an MO's output value; a tax rate (0.19) for untaxed orders.
    Column("labour_cost", ExactDecimal),
    Column("tax_rate", ExactDecimal),
    #: The ledger's sum and the lines' allocations, kept with every change in the same
    #: transaction (`stock_totals.py`), so taking an order reads two numbers, not two sums.
    Column("on_hand", ExactDecimal, nullable=False, server_default="0"),
    Column("allocated", ExactDecimal, nullable=False, server_default="0"),
    #: What its stock lines still wait for (their backordered quantity, summed), kept the same way,
    #: so the backorders page reads one number per item instead of summing every waiting line.
    Column("waiting", ExactDecimal, nullable=False, server_default="0"),
    #: The item's own target service level for computed reorder points (None: the shop's setting).
    Column("service_level", ExactDecimal),
    # The ledger's rules, held by the database too: a bug or a hand-made UPDATE cannot break them.
    CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    CheckConstraint("allocated >= 0 AND allocated <= on_hand", name="allocated_within_on_hand"),
)

bom_lines = Table(
    "bom_lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("parent_id", ForeignKey("items.id"), nullable=False),
    Column("component_id", ForeignKey("items.id"), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    UniqueConstraint("parent_id", "component_id", name="uq_bom_lines_parent_component"),
    CheckConstraint("quantity > 0", name="positive_quantity"),
)

stock_moves = Table(
    "stock_moves",
    metadata,
    Column("id", Id, primary_key=True),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("location", String(50), nullable=False, server_default="MAIN"),
    Column("quantity", ExactDecimal, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("reference", String(100), nullable=False, server_default=""),
    Column("reason", String(limits.REASON), nullable=False, server_default=""),
    Column("moved_on", Date, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_stock_moves_item_quantity", "item_id", "quantity"),
    # Append-only (DESIGN.md): triggers made by migration 0005 refuse every UPDATE and DELETE of a row.
)

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
    # Partial indexes keep the two hot questions cheap however long the order history grows:
    # "how much of this SKU is reserved?" and "who waits for this SKU?".
    Index(
        "ix_order_lines_allocated",
        "item_id",
        "allocated",
        postgresql_where=text("allocated > 0"),
        sqlite_where=text("allocated > 0"),
    ),
    Index(
        "ix_order_lines_waiting",
        "item_id",
        postgresql_where=text("quantity > allocated + shipped + cancelled"),
        sqlite_where=text("quantity > allocated + shipped + cancelled"),
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
    #: The oldest waiting lines first, for Today.
    Index(
        "ix_order_lines_waiting_age",
        "backordered_on",
        "id",
        postgresql_where=text("quantity > allocated + shipped + cancelled"),
        sqlite_where=text("quantity > allocated + shipped + cancelled"),
    ),
    #: Today's backorder figures summed per opening day from the index alone (PostgreSQL).
    Index(
        "ix_order_lines_waiting_days",
        "backordered_on",
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

purchase_orders = Table(
    "purchase_orders",
    metadata,
    Column("id", Id, primary_key=True),
    Column("po_ref", String(limits.PO_REF), nullable=False, unique=True),
    Column("supplier_id", ForeignKey("suppliers.id"), nullable=False),
    Column("status", String(30), nullable=False),
    Column("created_at", DateTime, nullable=False),
    #: A drop-ship PO: the supplier ships straight to this address, for this sales order.
    Column("ship_to", Text),
    Column("order_id", ForeignKey("sales_orders.id")),
)

purchase_order_lines = Table(
    "purchase_order_lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("po_id", ForeignKey("purchase_orders.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    Column("received", ExactDecimal, nullable=False, server_default="0"),
    Column("unit_cost", ExactDecimal),
    Column("expected_date", Date),
    #: The customer's order line a drop-ship PO line serves.
    Column("order_line_id", ForeignKey("order_lines.id")),
    CheckConstraint("received >= 0 AND received <= quantity", name="received_in_range"),
)

manufacturing_orders = Table(
    "manufacturing_orders",
    metadata,
    Column("id", Id, primary_key=True),
    Column("mo_ref", String(limits.MO_REF), nullable=False, unique=True),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    Column("completed", ExactDecimal, nullable=False, server_default="0"),
    Column("start_date", Date, nullable=False),
    Column("finish_date", Date, nullable=False),
    Column("status", String(30), nullable=False),
    Column("created_at", DateTime, nullable=False),
    #: The configuration this MO makes (`COLOUR=green;HILT=engraved`; "" = the plain item).
    Column("options", String(500), nullable=False, server_default=""),
    CheckConstraint("completed >= 0 AND completed <= quantity", name="completed_in_range"),
)

#: An item's options: each row is one BOM change of one value (adds `component`, replaces
#: `replaces` by it, or removes `replaces`); a value with no change is its option's default.
item_options = Table(
    "item_options",
    metadata,
    Column("id", Id, primary_key=True),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("option", String(100), nullable=False),
    Column("value", String(100), nullable=False),
    Column("component_id", ForeignKey("items.id")),
    Column("quantity", ExactDecimal),
    Column("replaces_id", ForeignKey("items.id")),
    Index("ix_item_options_item", "item_id", "row_no"),
)

expected_date_changes = Table(
    "expected_date_changes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("supply_ref", String(limits.SUPPLY_REF), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("old_date", Date),
    Column("new_date", Date, nullable=False),
    Column("changed_on", Date, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

ref_counters = Table(
    "ref_counters",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", String(36), primary_key=True),
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
    Index(
        "ix_outbox_pending",
        "created_at",
        postgresql_where=text("delivered_at IS NULL AND parked_at IS NULL"),
        sqlite_where=text("delivered_at IS NULL AND parked_at IS NULL"),
    ),
    #: An order's pending events, oldest first: delivery checks that none older still waits.
    #: Parked events, for Today and `pegboard outbox`.
    Index(
        "ix_outbox_parked",
        "parked_at",
        postgresql_where=text("parked_at IS NOT NULL AND delivered_at IS NULL"),
        sqlite_where=text("parked_at IS NOT NULL AND delivered_at IS NULL"),
    ),
    Index(
        "ix_outbox_pending_order",
        "order_ref",
        "created_at",
        postgresql_where=text("delivered_at IS NULL AND parked_at IS NULL"),
        sqlite_where=text("delivered_at IS NULL AND parked_at IS NULL"),
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

#: Links to an order's status page: the token is random and kept only as its SHA-256.
status_links = Table(
    "status_links",
    metadata,
    Column("id", Id, primary_key=True),
    Column("order_id", ForeignKey("sales_orders.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)

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

#: Stored answers by the token that sent the request and its Idempotency-Key: keys are per token.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("token_name", String(limits.TOKEN_NAME), primary_key=True),
    Column("key", String(limits.IDEMPOTENCY_KEY), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(limits.TOKEN_NAME), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
    #: Recorded at most once a minute per token, not on every request.
    Column("last_used_at", DateTime),
)

#: The promise last given for each open order line (when its backorder is expected to ship),
#: and the first one ever given, kept for promise-accuracy figures.
line_promises = Table(
    "line_promises",
    metadata,
    Column("line_id", ForeignKey("order_lines.id"), primary_key=True),
    Column("promised_date", Date),
    Column("reason", String(500), nullable=False),
    Column("basis", String(100), nullable=False),
    Column("parts", Text, nullable=False),
    Column("promised_on", Date, nullable=False),
    Column("first_date", Date),
    Column("first_promised_on", Date, nullable=False),
    #: The date the customer was last told (null with told_on set: told "date to follow").
    Column("told_date", Date),
    Column("told_on", Date),
)

#: The books' journal: one row per entry, numbered in the order booked; its lines below.
#: Append-only like the stock ledger: triggers made by migration 0008 refuse UPDATE and DELETE.
journal_entries = Table(
    "journal_entries",
    metadata,
    Column("id", Id, primary_key=True),
    Column("entry_no", Integer, nullable=False, unique=True),
    Column("booked_on", Date, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("order_ref", String(100)),
    Column("reference", String(120), nullable=False, server_default=""),
    Column("memo", String(500), nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
)

#: One side of an entry: a positive debit or a positive credit to one account (by code).
journal_lines = Table(
    "journal_lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("entry_id", ForeignKey("journal_entries.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("account", String(10), nullable=False),
    Column("debit", ExactDecimal, nullable=False, server_default="0"),
    Column("credit", ExactDecimal, nullable=False, server_default="0"),
    #: The entry's order, kept on the line too: an order's deposit is one indexed sum.
    Column("order_ref", String(100)),
    CheckConstraint(
        "debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0) AND debit + credit > 0",
        name="one_sided",
    ),
    Index("ix_journal_lines_order_account", "order_ref", "account"),
)

#: The stock value ledger: per stock movement the value it added (positive) or took (negative).
stock_values = Table(
    "stock_values",
    metadata,
    Column("id", Id, primary_key=True),
    Column("item_id", ForeignKey("items.id"), nullable=False),
    Column("moved_on", Date, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("reference", String(100), nullable=False, server_default=""),
    Column("quantity", ExactDecimal, nullable=False),
    Column("value", ExactDecimal, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_stock_values_item_id", "item_id", "id"),
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

#: People who sign in to the web app; a disabled user keeps their name in the history.
users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    #: viewer, operator or admin (as API tokens).
    Column("role", String(20), nullable=False),
    #: argon2id, with its salt and parameters (PHC string).
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("disabled_at", DateTime),
)

#: Signed-in browsers: the cookie holds a random token, kept here only as its SHA-256.
user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

#: Who did what through the web app (or a token): written in the same transaction as the change.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(60), nullable=False),
    #: The document acted on: an order ref, a SKU, a PO or MO ref.
    Column("ref", String(100), nullable=False),
    Column("detail", String(500), nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
    Index("ix_audit_log_ref", "ref", "created_at"),
)


#: Computed safety stock and reorder points as applied (`pegboard reorder-points --apply`):
#: the values before and after, the service level aimed at, who applied them and when.
reorder_point_changes = Table(
    "reorder_point_changes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("sku", String(limits.SKU), nullable=False),
    Column("old_safety_stock", ExactDecimal, nullable=False),
    Column("new_safety_stock", ExactDecimal, nullable=False),
    Column("old_reorder_point", ExactDecimal),
    Column("new_reorder_point", ExactDecimal, nullable=False),
    Column("service_level", ExactDecimal, nullable=False),
    Column("applied_by", String(100), nullable=False),
    Column("applied_at", DateTime, nullable=False),
    Index("ix_reorder_point_changes_sku", "sku", "applied_at"),
)

#: The last stored plan (one row): when it was planned, and the last plan-input change it saw.
#: Its production queue and suggestions are the rows below; its promises are `line_promises`.
stored_plans = Table(
    "stored_plans",
    metadata,
    Column("id", Id, primary_key=True),
    Column("planned_on", Date, nullable=False),
    Column("planned_at", DateTime, nullable=False),
    #: The highest `plan_input_changes.id` when the plan read its snapshot (0: none yet).
    Column("inputs_seen", Id, nullable=False),
    #: `planning.promise_digest` of the plan's promises (migration 0020; None: not known).
    Column("promises_digest", String(64)),
)

#: The stored plan's production queue, in the order to make things.
stored_plan_queue = Table(
    "stored_plan_queue",
    metadata,
    Column("plan_id", ForeignKey("stored_plans.id", ondelete="CASCADE"), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("ref", String(limits.SUPPLY_REF), nullable=False),
    Column("sku", String(limits.SKU), nullable=False),
    Column("quantity", ExactDecimal(), nullable=False),
    Column("start_date", Date),
    Column("finish_date", Date),
    #: JSON lists: order refs made whole; missing materials (sku, quantity, available_date).
    Column("completes", Text, nullable=False),
    Column("missing", Text, nullable=False),
    #: A configured MO's choices (migration 0018); "" = the plain item.
    Column("options", String(500), nullable=False, server_default=""),
)

#: The stored plan's dates for every open MO as its materials allow (`planning.late_supply`), and
#: why they are later than the MO's own (migration 0022); the MO itself keeps the user's dates.
stored_plan_mos = Table(
    "stored_plan_mos",
    metadata,
    Column("plan_id", ForeignKey("stored_plans.id", ondelete="CASCADE"), primary_key=True),
    Column("ref", String(limits.SUPPLY_REF), primary_key=True),
    Column("start_date", Date),
    Column("finish_date", Date),
    Column("late_because", Text),
)

#: The stored plan's suggestions: purchases (kind "buy") and MOs to open (kind "make"), in order.
stored_plan_suggestions = Table(
    "stored_plan_suggestions",
    metadata,
    Column("plan_id", ForeignKey("stored_plans.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("kind", String(4), nullable=False),
    Column("ref", String(limits.SUPPLY_REF)),
    Column("supplier", String(limits.SUPPLIER_NAME)),
    Column("sku", String(limits.SKU), nullable=False),
    Column("quantity", ExactDecimal(), nullable=False),
    Column("start_date", Date),
    Column("end_date", Date),
    #: A configured MO's choices (migration 0018); "" = the plain item.
    Column("options", String(500), nullable=False, server_default=""),
)

#: A row per committed transaction that wrote what planning reads (orders, stock, supply, items,
#: BOMs); a stored plan that has seen fewer is out of date. Pruned when a plan is stored.
plan_input_changes = Table(
    "plan_input_changes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("changed_at", DateTime, nullable=False),
    #: When placing new orders is all the transaction changed: their refs, a JSON list (migration
    #: 0021); the kept leftover for quotes follows them instead of being built again. NULL: more.
    Column("placed_orders", Text),
)

#: The ledger summed per item and day (stockout days read it); kept by triggers on `stock_moves`
#: (migration 0015), in the same transaction as each movement.
stock_days = Table(
    "stock_days",
    metadata,
    Column("item_id", ForeignKey("items.id"), primary_key=True),
    Column("moved_on", Date, primary_key=True),
    Column("quantity", ExactDecimal, nullable=False),
)

#: Per day orders were placed and item: their stock lines, and those that went on backorder that
#: day (the backorder rate at order time); kept by triggers on `order_lines` (migration 0015).
placed_days = Table(
    "placed_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("item_id", ForeignKey("items.id"), primary_key=True),
    Column("lines", Integer, nullable=False),
    Column("backordered_at_order", Integer, nullable=False),
)

#: Lines with a shipment counted by what the KPIs' shipment figures need (`kpis.shipped_lines`);
#: "none" (no dated promise; a dated promise instead of the order's day) is the date 0001-01-01.
#: Kept by triggers on `order_lines` and `line_promises` (migration 0016).
shipped_days = Table(
    "shipped_days",
    metadata,
    Column("first_shipped_on", Date, primary_key=True),
    Column("last_shipped_on", Date, primary_key=True),
    Column("whole_at_once", Boolean, primary_key=True),
    Column("complete", Boolean, primary_key=True),
    Column("promised", Boolean, primary_key=True),
    Column("first_promise", Date, primary_key=True),
    Column("ordered_on", Date, primary_key=True),
    Column("lines", Integer, nullable=False),
)

#: Stock a quote reserved for a checkout (`pegboard quote --hold MINUTES`): counted in
#: `items.allocated` while `status` is held; it ends expired, released or converted (to `order_ref`).
quote_holds = Table(
    "quote_holds",
    metadata,
    Column("id", Id, primary_key=True),
    Column("quote_id", String(40), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("order_ref", String(limits.ORDER_REF)),
    Index("ix_quote_holds_status_expires_at", "status", "expires_at"),
)

quote_hold_lines = Table(
    "quote_hold_lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("hold_id", Id, ForeignKey("quote_holds.id"), nullable=False),
    Column("item_id", Id, ForeignKey("items.id"), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    CheckConstraint("quantity > 0", name="positive_quantity"),
    Index("ix_quote_hold_lines_hold_id", "hold_id"),
)
