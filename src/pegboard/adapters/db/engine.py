"""Engines for SQLite and PostgreSQL, and the locking scheme each one uses.

Isolation and locking: PostgreSQL runs at READ COMMITTED; every write that touches stock
first locks the rows of the items involved (``SELECT ... FOR UPDATE``, in SKU order so two
transactions never wait on each other in a circle). Reserved and on-hand quantities are then
read inside the lock, so two orders for the last unit cannot both get it. Deadlocks and
serialization failures that slip through (e.g. two first orders with the same ref) are
retried by the service runner. SQLite allows one writer at a time: write transactions begin
with ``BEGIN IMMEDIATE`` so a reader never has to upgrade its lock halfway (which would fail).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from pegboard.adapters.db.plan_inputs import watch_plan_inputs


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    """True for the embedded SQLite backend."""
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine configured for Pegboard's transactions on either backend."""
    url = normalise_url(url)
    if is_sqlite(url):
        # Keep connections open between transactions: opening one per transaction re-runs the
        # PRAGMAs, and closing the last one checkpoints and deletes the WAL file, which made each
        # SQLite transaction pay two file syncs. check_same_thread=False lets a pooled connection
        # serve whichever thread checks it out next (never two at once).
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=QueuePool,
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        _configure_sqlite(engine)
        watch_plan_inputs(engine)
        return engine
    # psycopg prepares a statement run five times, and PostgreSQL then may keep one generic plan
    # for it. A plan made while a table was small (a new shop, a flash sale's first minute) is
    # a sequential scan that stays chosen as the table grows: looking up 48 order refs scanned
    # 50k orders per batch. Custom plans are made for each execution from the parameters and the
    # tables' current sizes; planning these short statements costs far less than one bad plan.
    # No column is an `hstore`: SQLAlchemy need not look the type up on the first connection (a
    # catalog query every command paid).
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        use_native_hstore=False,
        connect_args={"options": "-c plan_cache_mode=force_custom_plan"},
    )
    watch_plan_inputs(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN IMMEDIATE is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        readonly = connection.get_execution_options().get("pegboard_readonly", False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
