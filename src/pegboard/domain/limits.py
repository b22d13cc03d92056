"""How long each text field may be and which dates are sane: one source for the columns and every edge."""

from __future__ import annotations

from datetime import date

#: Codes and names people type (the database columns are exactly this long).
SKU = 100
ITEM_NAME = 300
UNIT = 20
SUPPLIER_NAME = 200
EMAIL = 320
ORDER_REF = 100
CUSTOMER = 300
PO_REF = 100
MO_REF = 100
#: A PO's or MO's ref where either may be meant.
SUPPLY_REF = 100
TRACKING = 200
#: Why stock moved (kept in the ledger).
REASON = 500
SHOPIFY_ORDER_ID = 40
SHOPIFY_EVENT_ID = 200
#: The shop's payment state as it names it (paid, partially_refunded, ...).
FINANCIAL_STATUS = 30
IDEMPOTENCY_KEY = 200
TOKEN_NAME = 100
#: A delivery address is stored as unbounded text; this keeps a typing accident out.
SHIP_TO = 1000

#: The dates Pegboard accepts anywhere; beyond them a typing error is far likelier than a real date,
#: and adding lead times to them never leaves the calendar.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)
