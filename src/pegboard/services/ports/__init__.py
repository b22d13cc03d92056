"""What the services need from the outside world, as Protocols the adapters implement.

One module per concern: the unit of work and clock (`unit_of_work`), the documents' repositories
(`documents`), the outbox and its channels (`outbox`), customer notices (`notices`), the books
(`books`), planning (`planning`), quote holds (`quotes`), access (`access`), Shopify (`shopify`)
and the conflicts a retry may cure (`conflicts`). Every name is exported here too.
"""

from __future__ import annotations

from pegboard.services.ports.access import RequestRepository, StatusLinks, StoredToken, TokenRepository
from pegboard.services.ports.books import (
    ChargesRepository,
    JournalRepository,
    JournalRow,
    ValuationRepository,
)
from pegboard.services.ports.conflicts import TransientConflict, UniqueClash
from pegboard.services.ports.documents import (
    Catalogue,
    OrderRepository,
    QuantityBySku,
    StockRepository,
    SupplyRepository,
)
from pegboard.services.ports.notices import Mailer, NoticeRepository
from pegboard.services.ports.outbox import (
    Channel,
    DeliveryFailure,
    DeliveryRepository,
    Outbox,
    OutboxEntry,
    StoredEvent,
)
from pegboard.services.ports.planning import PlanningRepository, StoredPlans
from pegboard.services.ports.quotes import HeldQuote, Holds
from pegboard.services.ports.shopify import ShopifyOrderRecord, ShopifyRepository
from pegboard.services.ports.unit_of_work import Clock, Housekeeping, UnitOfWork

__all__ = [
    "Catalogue",
    "Channel",
    "ChargesRepository",
    "Clock",
    "DeliveryFailure",
    "DeliveryRepository",
    "HeldQuote",
    "Holds",
    "Housekeeping",
    "JournalRepository",
    "JournalRow",
    "Mailer",
    "NoticeRepository",
    "OrderRepository",
    "Outbox",
    "OutboxEntry",
    "PlanningRepository",
    "QuantityBySku",
    "RequestRepository",
    "ShopifyOrderRecord",
    "ShopifyRepository",
    "StatusLinks",
    "StockRepository",
    "StoredEvent",
    "StoredPlans",
    "StoredToken",
    "SupplyRepository",
    "TokenRepository",
    "TransientConflict",
    "UniqueClash",
    "UnitOfWork",
    "ValuationRepository",
]
