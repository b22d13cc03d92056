"""The SQL unit of work: one connection, one transaction, and the repositories on it."""

from __future__ import annotations

import re
from itertools import chain
from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, StatementError

from pegboard.adapters.db.delivery import SqlDeliveries
from pegboard.adapters.db.holds import SqlHolds
from pegboard.adapters.db.housekeeping import SqlHousekeeping
from pegboard.adapters.db.journal import SqlJournal
from pegboard.adapters.db.learning import SqlLearning
from pegboard.adapters.db.notices import SqlNotices
from pegboard.adapters.db.order_terms import SqlOrderTerms
from pegboard.adapters.db.planning import SqlPlanning
from pegboard.adapters.db.repositories import (
    SqlCatalogue,
    SqlOrders,
    SqlOutbox,
    SqlRequests,
    SqlStatusLinks,
    SqlStock,
    SqlSupply,
    SqlTokens,
    TransactionItemCache,
)
from pegboard.adapters.db.rules import broken_rule
from pegboard.adapters.db.shopify import SqlShopify
from pegboard.adapters.db.stock_totals import StockTotals
from pegboard.adapters.db.stored_plan import SqlStoredPlan
from pegboard.adapters.db.users import SqlUsers
from pegboard.adapters.db.valuation import SqlValuation
from pegboard.adapters.db.whatif import SqlScenarioFacts
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.valuation import CostMethod
from pegboard.planning.engine import RULES
from pegboard.services.ports import Clock, TransientConflict, UniqueClash

#: PostgreSQL states worth running the transaction again for: serialization failure, deadlock.
#: A unique key taken (23505) is a `UniqueClash`: run again once, it tells a twin from a duplicate.
_RETRYABLE_STATES = {"40001", "40P01"}
_PG_KEY = re.compile(r"Key \((?P<field>.+?)\)=\((?P<value>.*)\) already exists")


class SqlUnitOfWork:
    """Each `with` block is one transaction; leaving it without `commit()` rolls back."""

    catalogue: SqlCatalogue
    stock: SqlStock
    orders: SqlOrders
    supply: SqlSupply
    outbox: SqlOutbox
    tokens: SqlTokens
    requests: SqlRequests
    planning: SqlPlanning
    plans: SqlStoredPlan
    status_links: SqlStatusLinks
    housekeeping: SqlHousekeeping
    shopify: SqlShopify
    notices: SqlNotices
    deliveries: SqlDeliveries
    users: SqlUsers
    order_terms: SqlOrderTerms
    totals: StockTotals
    journal: SqlJournal
    learning: SqlLearning
    valuation: SqlValuation
    scenarios: SqlScenarioFacts
    holds: SqlHolds

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        readonly: bool = False,
        complete_first_seconds: float = 2.0,
        cost_method: CostMethod = CostMethod.AVERAGE,
        promise_confidence: float | None = None,
        allocation_policy: AllocationPolicy = AllocationPolicy.FIFO,
    ) -> None:
        self.engine, self.clock, self.readonly = engine, clock, readonly
        self.promise_confidence = promise_confidence
        self.complete_first_seconds = complete_first_seconds
        self.cost_method = cost_method
        self.allocation_policy = allocation_policy
        self._conn: Connection | None = None

    @property
    def connection(self) -> Connection:
        assert self._conn is not None, "use the unit of work in a with block"
        return self._conn

    def __enter__(self) -> SqlUnitOfWork:
        conn = self.engine.connect()
        if self.readonly:
            conn = conn.execution_options(pegboard_readonly=True)
        conn.begin()
        self._conn = conn
        now = self.clock.now()
        item_cache = TransactionItemCache(conn)
        self.totals = totals = StockTotals(conn)
        self.catalogue = SqlCatalogue(conn, item_cache)
        self.stock = SqlStock(conn, item_cache, now, totals)
        self.orders = SqlOrders(conn, item_cache, now, totals)
        self.supply = SqlSupply(conn, item_cache, self.catalogue, now)
        self.outbox = SqlOutbox(conn, now)
        self.tokens = SqlTokens(conn, now)
        self.requests = SqlRequests(conn, now)
        self.planning = SqlPlanning(conn, totals, item_cache, confidence=self.promise_confidence)
        self.plans = SqlStoredPlan(
            conn, now, made_with=f"planning rules {RULES}, promise confidence {self.promise_confidence}"
        )
        self.plans.begin()
        self.status_links = SqlStatusLinks(conn, now)
        self.housekeeping = SqlHousekeeping(conn)
        self.shopify = SqlShopify(conn, item_cache, now, totals)
        self.notices = SqlNotices(conn, now)
        self.deliveries = SqlDeliveries(conn)
        self.journal = SqlJournal(conn, now)
        self.valuation = SqlValuation(conn, item_cache, now)
        self.users = SqlUsers(conn, now)
        self.order_terms = SqlOrderTerms(conn)
        self.learning = SqlLearning(conn, now)
        self.scenarios = SqlScenarioFacts(conn)
        self.holds = SqlHolds(conn, item_cache, now, totals)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if conn.in_transaction():
                conn.rollback()
        finally:
            conn.close()
        if isinstance(exc, DBAPIError):
            clash = unique_clash(exc)
            if clash is not None:
                raise clash from exc
            if is_transient(exc):
                raise TransientConflict(str(exc.orig)) from exc
        if isinstance(exc, StatementError) and (refused := broken_rule(exc)):
            raise refused from exc

    def write_events(self) -> None:
        """Write the events recorded so far to the outbox now, in the order recorded; those
        recorded later are written at commit, after them."""
        self.outbox.write(chain(self.orders.touched, self.supply.touched, self.stock.touched))

    def commit(self) -> None:
        """Write the events the touched aggregates recorded to the outbox, then commit."""
        try:
            self.write_events()
            self.totals.flush()
            self.plans.note_changes()
            self.connection.commit()
        except DBAPIError as error:
            clash = unique_clash(error)
            if clash is not None:
                raise clash from error
            if is_transient(error):
                raise TransientConflict(str(error.orig)) from error
            if refused := broken_rule(error):
                raise refused from error
            raise


def unique_clash(error: DBAPIError) -> UniqueClash | None:
    """A unique key already taken, naming the column and (on PostgreSQL) the value; else None."""
    if not isinstance(error, IntegrityError):
        return None
    orig = error.orig
    if getattr(orig, "sqlstate", None) == "23505":
        detail = getattr(getattr(orig, "diag", None), "message_detail", None) or ""
        found = _PG_KEY.search(detail)
        if found is None:
            return UniqueClash(str(orig))
        return UniqueClash(str(orig), field=found["field"], value=found["value"])
    text = str(orig)
    if text.startswith("UNIQUE constraint failed: "):  # SQLite: "table.column, table.column"
        columns = [part.rsplit(".", 1)[-1] for part in text.split(": ", 1)[1].split(", ")]
        return UniqueClash(text, field=", ".join(columns))
    return None


def is_transient(error: DBAPIError) -> bool:
    """A deadlock, serialization failure, or SQLite's busy database."""
    state = getattr(error.orig, "sqlstate", None)
    if state in _RETRYABLE_STATES:
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)
