"""The SQL unit of work: one connection, one transaction, and the repositories on it."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from pegboard.adapters.db.delivery import SqlDeliveries
from pegboard.adapters.db.housekeeping import SqlHousekeeping
from pegboard.adapters.db.notices import SqlNotices
from pegboard.adapters.db.order_terms import SqlOrderTerms
from pegboard.adapters.db.planning import SqlPlanning
from pegboard.adapters.db.repositories import (
    ItemIds,
    SqlCatalogue,
    SqlOrders,
    SqlOutbox,
    SqlRequests,
    SqlStatusLinks,
    SqlStock,
    SqlSupply,
    SqlTokens,
)
from pegboard.adapters.db.shopify import SqlShopify
from pegboard.adapters.db.stock_totals import StockTotals
from pegboard.adapters.db.users import SqlUsers
from pegboard.services.ports import Clock, TransientConflict

#: PostgreSQL states worth running the transaction again for: serialization failure,
#: deadlock, and a unique key taken by a concurrent transaction that committed first.
_RETRYABLE_STATES = {"40001", "40P01", "23505"}


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
    status_links: SqlStatusLinks
    housekeeping: SqlHousekeeping
    shopify: SqlShopify
    notices: SqlNotices
    deliveries: SqlDeliveries
    users: SqlUsers
    order_terms: SqlOrderTerms
    totals: StockTotals

    def __init__(self, engine: Engine, clock: Clock, *, readonly: bool = False) -> None:
        self.engine, self.clock, self.readonly = engine, clock, readonly
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
        ids = ItemIds(conn)
        self.totals = totals = StockTotals(conn)
        self.catalogue = SqlCatalogue(conn, ids)
        self.stock = SqlStock(conn, ids, now, totals)
        self.orders = SqlOrders(conn, ids, now, totals)
        self.supply = SqlSupply(conn, ids, self.catalogue, now)
        self.outbox = SqlOutbox(conn, now)
        self.tokens = SqlTokens(conn, now)
        self.requests = SqlRequests(conn, now)
        self.planning = SqlPlanning(conn, totals)
        self.status_links = SqlStatusLinks(conn, now)
        self.housekeeping = SqlHousekeeping(conn)
        self.shopify = SqlShopify(conn, ids, now, totals)
        self.notices = SqlNotices(conn, now)
        self.deliveries = SqlDeliveries(conn)
        self.users = SqlUsers(conn, now)
        self.order_terms = SqlOrderTerms(conn)
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
        if isinstance(exc, DBAPIError) and is_transient(exc):
            raise TransientConflict(str(exc.orig)) from exc

    def commit(self) -> None:
        try:
            self.totals.flush()
            self.connection.commit()
        except DBAPIError as error:
            if is_transient(error):
                raise TransientConflict(str(error.orig)) from error
            raise


def is_transient(error: DBAPIError) -> bool:
    """A deadlock, serialization failure, late unique clash, or SQLite's busy database."""
    state = getattr(error.orig, "sqlstate", None)
    if state in _RETRYABLE_STATES:
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)
