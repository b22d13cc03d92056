"""One way to join an open transaction: `SharedTransaction`.

Services open their unit of work with ``with uow:`` and call ``uow.commit()``. Handed a
`SharedTransaction`, every such block joins one open transaction and `commit()` is deferred to
the transaction's owner, so a caller can write what belongs with the work (an Idempotency-Key's
stored answer, a webhook's event id, who did it) in the *same* transaction and commit once:
either the work and what goes with it both persist, or neither does.
"""

from __future__ import annotations

from types import TracebackType

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.valuation import CostMethod
from pegboard.services.ports import (
    Catalogue,
    DeliveryRepository,
    Holds,
    Housekeeping,
    JournalRepository,
    NoticeRepository,
    OrderRepository,
    Outbox,
    PlanningRepository,
    RequestRepository,
    ShopifyRepository,
    StatusLinks,
    StockRepository,
    StoredPlans,
    SupplyRepository,
    TokenRepository,
    UnitOfWork,
    ValuationRepository,
)


class SharedTransaction:
    """A unit of work whose `with` blocks all join one transaction, committed once by its owner.

    The owner is whoever made it: `SharedTransaction(uow)` begins the transaction at the first
    `with` and commits in `finish()` (an API request, a web form); `SharedTransaction.joining(uow)`
    lends a unit of work already open in the caller's own `with` block (a Shopify delivery), and
    the caller's `commit()` and `with` decide.
    """

    def __init__(self, inner: UnitOfWork) -> None:
        self._inner = inner
        self._open = False
        self._lent = False

    @classmethod
    def joining(cls, uow: UnitOfWork) -> SharedTransaction:
        """The caller's open unit of work, lent to a use case: its `with` joins, its `commit()` waits."""
        shared = cls(uow)
        shared._open = shared._lent = True
        return shared

    @property
    def catalogue(self) -> Catalogue:
        """Suppliers, items and BOMs, in the shared transaction."""
        return self._inner.catalogue

    @property
    def stock(self) -> StockRepository:
        """Stock levels and the ledger, in the shared transaction."""
        return self._inner.stock

    @property
    def orders(self) -> OrderRepository:
        """Sales orders, in the shared transaction."""
        return self._inner.orders

    @property
    def supply(self) -> SupplyRepository:
        """Purchase and manufacturing orders, in the shared transaction."""
        return self._inner.supply

    @property
    def outbox(self) -> Outbox:
        """Events to deliver after commit, in the shared transaction."""
        return self._inner.outbox

    @property
    def tokens(self) -> TokenRepository:
        """API tokens, in the shared transaction."""
        return self._inner.tokens

    @property
    def requests(self) -> RequestRepository:
        """Stored answers by Idempotency-Key, in the shared transaction."""
        return self._inner.requests

    @property
    def planning(self) -> PlanningRepository:
        """The planning snapshot and stored promises, in the shared transaction."""
        return self._inner.planning

    @property
    def plans(self) -> StoredPlans:
        """The stored plan, in the shared transaction."""
        return self._inner.plans

    @property
    def housekeeping(self) -> Housekeeping:
        """Deleting rows past their retention, in the shared transaction."""
        return self._inner.housekeeping

    @property
    def status_links(self) -> StatusLinks:
        """Links to order-status pages, in the shared transaction."""
        return self._inner.status_links

    @property
    def notices(self) -> NoticeRepository:
        """Messages sent to customers and the dates they were told, in the shared transaction."""
        return self._inner.notices

    @property
    def holds(self) -> Holds:
        """Quotes' holds on stock, in the shared transaction."""
        return self._inner.holds

    @property
    def allocation_policy(self) -> AllocationPolicy:
        """Who gets stock a write frees by itself (a setting)."""
        return self._inner.allocation_policy

    @property
    def deliveries(self) -> DeliveryRepository:
        """The outbox as its deliverer sees it, in the shared transaction."""
        return self._inner.deliveries

    @property
    def shopify(self) -> ShopifyRepository:
        """Shopify deliveries taken and Shopify orders' states, in the shared transaction."""
        return self._inner.shopify

    @property
    def complete_first_seconds(self) -> float:
        """How long complete-first may search while the transaction holds the items' locks."""
        return self._inner.complete_first_seconds

    @property
    def journal(self) -> JournalRepository:
        """The books' journal, in the shared transaction."""
        return self._inner.journal

    @property
    def valuation(self) -> ValuationRepository:
        """The stock value ledger, in the shared transaction."""
        return self._inner.valuation

    @property
    def cost_method(self) -> CostMethod:
        """How goods going out are valued (a setting)."""
        return self._inner.cost_method

    def __enter__(self) -> SharedTransaction:
        """The first block begins the transaction; later ones join it."""
        if not self._open:
            self._inner.__enter__()
            self._open = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """An error anywhere rolls the whole transaction back; a clean exit keeps it open.

        A lent transaction is rolled back by the `with` block of the caller that lent it.
        """
        if exc is not None and self._open and not self._lent:
            self._open = False
            self._inner.__exit__(exc_type, exc, tb)

    def write_events(self) -> None:
        """The events recorded so far, written in the shared transaction now."""
        self._inner.write_events()

    def commit(self) -> None:
        """Deferred: the owner commits once (`finish()`, or the lender's own `commit()`)."""

    def finish(self) -> None:
        """Commit everything done in the transaction and give the connection back."""
        self._inner.commit()
        self._open = False
        self._inner.__exit__(None, None, None)

    def close(self) -> None:
        """Roll back whatever was not finished, and give the connection back."""
        if self._open:
            self._open = False
            self._inner.__exit__(None, None, None)
