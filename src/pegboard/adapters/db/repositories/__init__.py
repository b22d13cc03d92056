"""SQL repositories: load domain objects from rows and write back what changed.

One module per aggregate's repository (catalogue, stock, orders, supply, outbox, tokens,
requests, status links); they share one `TransactionItemCache` per unit of work, so an item's
row id, sale terms and stock totals are read once per transaction. Every name stays importable
from here.
"""

from pegboard.adapters.db.repositories.catalogue import SqlCatalogue
from pegboard.adapters.db.repositories.item_cache import TransactionItemCache
from pegboard.adapters.db.repositories.orders import SqlOrders, insert_lines
from pegboard.adapters.db.repositories.outbox import SqlOutbox
from pegboard.adapters.db.repositories.requests import SqlRequests
from pegboard.adapters.db.repositories.status_links import SqlStatusLinks
from pegboard.adapters.db.repositories.stock import SqlStock
from pegboard.adapters.db.repositories.supply import SqlSupply
from pegboard.adapters.db.repositories.tokens import SqlTokens
from pegboard.adapters.db.slices import IN_SLICE, in_slices

__all__ = [
    "IN_SLICE",
    "SqlCatalogue",
    "SqlOrders",
    "SqlOutbox",
    "SqlRequests",
    "SqlStatusLinks",
    "SqlStock",
    "SqlSupply",
    "SqlTokens",
    "TransactionItemCache",
    "in_slices",
    "insert_lines",
]
