"""One transaction and what it reaches; the clock; housekeeping of old records."""

from __future__ import annotations

from datetime import date, datetime
from types import TracebackType
from typing import Protocol

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.valuation import CostMethod
from pegboard.services.ports.access import RequestRepository, StatusLinks, TokenRepository
from pegboard.services.ports.books import JournalRepository, ValuationRepository
from pegboard.services.ports.documents import Catalogue, OrderRepository, StockRepository, SupplyRepository
from pegboard.services.ports.notices import NoticeRepository
from pegboard.services.ports.outbox import DeliveryRepository, Outbox
from pegboard.services.ports.planning import PlanningRepository, StoredPlans
from pegboard.services.ports.quotes import Holds
from pegboard.services.ports.shopify import ShopifyRepository


class Clock(Protocol):
    """The business day and the moment; services never read the system clock (tests fix it)."""

    def today(self) -> date: ...

    def now(self) -> datetime: ...


class Housekeeping(Protocol):
    """Forgets records older than a cut-off (delivered events, stored answers, webhook ids) and promise
    parts no promise names; counts them."""

    def forget_delivered_events(self, before: datetime) -> int: ...

    def forget_answers(self, before: datetime) -> int: ...

    def forget_webhook_ids(self, before: datetime) -> int: ...

    def forget_unused_parts(self) -> int: ...


class UnitOfWork(Protocol):
    """One transaction: everything done inside commits together or not at all."""

    @property
    def complete_first_seconds(self) -> float:
        """How long complete-first may search while this transaction holds the items' locks."""
        ...

    @property
    def catalogue(self) -> Catalogue: ...

    @property
    def stock(self) -> StockRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def supply(self) -> SupplyRepository: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def tokens(self) -> TokenRepository: ...

    @property
    def requests(self) -> RequestRepository: ...

    @property
    def planning(self) -> PlanningRepository: ...

    @property
    def plans(self) -> StoredPlans: ...

    @property
    def status_links(self) -> StatusLinks: ...

    @property
    def housekeeping(self) -> Housekeeping: ...

    @property
    def notices(self) -> NoticeRepository: ...

    @property
    def deliveries(self) -> DeliveryRepository: ...

    @property
    def shopify(self) -> ShopifyRepository: ...

    @property
    def journal(self) -> JournalRepository: ...

    @property
    def valuation(self) -> ValuationRepository: ...

    @property
    def holds(self) -> Holds: ...

    @property
    def allocation_policy(self) -> AllocationPolicy:
        """The shop's allocation policy (a setting): who gets stock a write frees by itself."""
        ...

    @property
    def cost_method(self) -> CostMethod:
        """How goods going out are valued in this transaction (a setting)."""
        ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def write_events(self) -> None:
        """Write the events recorded so far to the outbox now, in the order recorded (in this
        transaction, like every write); those recorded later are written at commit, after them."""
        ...

    def commit(self) -> None: ...
