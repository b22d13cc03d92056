"""What `pegboard import` and the import page read: one kind of CSV file each.

Its own module, so the CLI can name the kinds in `pegboard import`'s arguments without
importing the imports themselves (BENCHMARKS.md, "cliboot").
"""

from __future__ import annotations

from enum import StrEnum


class ImportKind(StrEnum):
    SUPPLIERS = "suppliers"
    ITEMS = "items"
    BOMS = "boms"
    STOCK = "stock"
    ORDERS = "orders"
    PURCHASE_ORDERS = "purchase-orders"
    OPTIONS = "options"
