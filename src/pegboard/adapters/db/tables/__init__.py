"""The schema: one table per document, and the append-only stock ledger; one module per area.

`metadata` and every table are exported here, so `from pegboard.adapters.db import tables as t`
reaches them all (the naming convention and the id type are in `base`).
"""

from __future__ import annotations

from pegboard.adapters.db.tables.access import (
    api_tokens,
    audit_log,
    idempotency_keys,
    status_links,
    user_sessions,
    users,
)
from pegboard.adapters.db.tables.base import Id, metadata
from pegboard.adapters.db.tables.books import journal_entries, journal_lines, stock_values
from pegboard.adapters.db.tables.catalogue import bom_lines, item_options, items, suppliers
from pegboard.adapters.db.tables.events import customer_notices, outbox, outbox_deliveries
from pegboard.adapters.db.tables.numbering import ref_counters
from pegboard.adapters.db.tables.planning import (
    line_promises,
    plan_input_changes,
    promise_parts,
    reorder_point_changes,
    stored_plan_mos,
    stored_plan_queue,
    stored_plan_suggestions,
    stored_plans,
)
from pegboard.adapters.db.tables.quotes import quote_hold_lines, quote_holds
from pegboard.adapters.db.tables.rollups import journal_days, placed_days, shipped_days, stock_days
from pegboard.adapters.db.tables.sales import (
    order_charges,
    order_lines,
    sales_orders,
    shipment_lines,
    shipments,
)
from pegboard.adapters.db.tables.shopify import shopify_events, shopify_orders
from pegboard.adapters.db.tables.stock import configured_stock, mo_reservations, stock_moves
from pegboard.adapters.db.tables.supply import (
    expected_date_changes,
    manufacturing_orders,
    purchase_order_lines,
    purchase_orders,
)

__all__ = [
    "Id",
    "api_tokens",
    "audit_log",
    "bom_lines",
    "configured_stock",
    "customer_notices",
    "expected_date_changes",
    "idempotency_keys",
    "item_options",
    "items",
    "journal_entries",
    "journal_lines",
    "line_promises",
    "manufacturing_orders",
    "mo_reservations",
    "metadata",
    "order_charges",
    "order_lines",
    "outbox",
    "outbox_deliveries",
    "placed_days",
    "plan_input_changes",
    "promise_parts",
    "purchase_order_lines",
    "purchase_orders",
    "quote_hold_lines",
    "quote_holds",
    "ref_counters",
    "reorder_point_changes",
    "sales_orders",
    "shipment_lines",
    "shipments",
    "shipped_days",
    "journal_days",
    "shopify_events",
    "shopify_orders",
    "status_links",
    "stock_days",
    "stock_moves",
    "stock_values",
    "stored_plan_mos",
    "stored_plan_queue",
    "stored_plan_suggestions",
    "stored_plans",
    "suppliers",
    "user_sessions",
    "users",
]
