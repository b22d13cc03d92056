"""A deliverer's claim keeps one order's events in order: an older event of the order that is
claimed elsewhere (committed or not yet), or backing off, holds the younger ones back; and
migration 0039, which gave those checks their indexes."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from alembic import command
from sqlalchemy import Connection, create_engine, inspect, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.delivery import SqlDeliveries
from pegboard.adapters.db.migrate import alembic_config
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain.events import Event, OrderCancelled, OrderShipped, StockAdjusted
from pegboard.services.ports import DeliveryFailure
from tests.conftest import MONDAY

NOW = datetime.combine(MONDAY, datetime.min.time()) + timedelta(hours=9)
LEASE = timedelta(minutes=15)


def shipped(order_ref: str) -> OrderShipped:
    return OrderShipped(order_ref, f"SH-{order_ref}", None, [])


def write(pb: Pegboard, *events: Event) -> list[str]:
    """Append the events in one transaction, oldest first; their ids in that order."""
    with pb.uow() as uow:
        uow.outbox.append(events)
        uow.commit()
    with pb.engine.connect() as conn:
        query = select(t.outbox.c.id).order_by(t.outbox.c.created_at, t.outbox.c.id)
        return [str(event_id) for event_id in conn.execute(query).scalars()]


def claim(conn: Connection, *, limit: int = 100, now: datetime = NOW) -> list[str]:
    return [event.id for event in SqlDeliveries(conn).claim(now=now, until=now + LEASE, limit=limit)]


def claim_and_commit(pb: Pegboard, *, limit: int = 100, now: datetime = NOW) -> list[str]:
    with pb.engine.begin() as conn:
        return claim(conn, limit=limit, now=now)


def test_a_claimed_older_event_holds_back_its_orders_younger_one_but_not_other_orders(pb: Pegboard) -> None:
    first, other, second, stock = write(
        pb,
        shipped("SO-1"),
        shipped("SO-2"),
        OrderCancelled("SO-1", None, []),
        StockAdjusted("KETTLE", Decimal("1"), "count"),
    )

    taken_first = claim_and_commit(pb, limit=1)
    taken_next = claim_and_commit(pb)

    assert taken_first == [first]
    assert taken_next == [other, stock]


def test_when_the_older_events_lease_runs_out_both_are_claimed_oldest_first(pb: Pegboard) -> None:
    first, second = write(pb, shipped("SO-1"), OrderCancelled("SO-1", None, []))
    claim_and_commit(pb, limit=1)

    within_lease = claim_and_commit(pb, now=NOW + LEASE - timedelta(seconds=1))
    after_lease = claim_and_commit(pb, now=NOW + LEASE)

    assert within_lease == []
    assert after_lease == [first, second]


def test_a_backing_off_older_event_holds_back_its_orders_younger_one_until_it_is_due(pb: Pegboard) -> None:
    first, other, second = write(pb, shipped("SO-1"), shipped("SO-2"), OrderCancelled("SO-1", None, []))
    retry_at = NOW + timedelta(minutes=1)
    with pb.engine.begin() as conn:
        SqlDeliveries(conn).mark_failed([DeliveryFailure(first, 1, "451", retry_at)], now=NOW)

    backing_off = claim_and_commit(pb)
    due_again = claim_and_commit(pb, now=retry_at)

    assert backing_off == [other]
    assert due_again == [first, second]


def test_a_younger_pending_event_outside_the_claim_holds_nothing_back(pb: Pegboard) -> None:
    first, second, third = write(
        pb, shipped("SO-1"), OrderCancelled("SO-1", None, []), OrderCancelled("SO-1", "x", [])
    )

    taken = claim_and_commit(pb, limit=2)

    assert taken == [first, second]


def test_an_older_event_another_deliverer_is_claiming_holds_back_its_orders_younger_one_on_postgresql(
    postgres_url: str,
) -> None:
    pb = bootstrap(Settings(database_url=postgres_url), today=MONDAY)
    try:
        first, other, second, third = write(
            pb, shipped("SO-1"), shipped("SO-2"), OrderCancelled("SO-1", None, []), shipped("SO-3")
        )
        with pb.engine.connect() as elsewhere, pb.engine.connect() as here:
            # Another deliverer has locked and claimed the two oldest, not yet committed: this
            # claim skips them (SKIP LOCKED) and still sees SO-1's first event as due.
            elsewhere.begin()
            taken_elsewhere = claim(elsewhere, limit=2)
            here.begin()
            taken_here = claim(here)
            here.commit()
            elsewhere.commit()
        after_both = claim_and_commit(pb)
    finally:
        pb.close()

    assert taken_elsewhere == [first, other]
    assert taken_here == [third]
    assert after_both == []


def _outbox_indexes(url: str) -> dict[str, list[str | None]]:
    engine = create_engine(url)
    try:
        return {str(ix["name"]): list(ix["column_names"]) for ix in inspect(engine).get_indexes("outbox")}
    finally:
        engine.dispose()


def test_the_migration_trades_the_index_of_every_pending_event_by_order_for_the_deferred_ones_and_back(
    migrated_url: str,
) -> None:
    config = alembic_config(migrated_url)

    at_head = _outbox_indexes(migrated_url)
    command.downgrade(config, "0038")
    down = _outbox_indexes(migrated_url)
    command.upgrade(config, "head")
    up = _outbox_indexes(migrated_url)

    assert at_head == up
    assert at_head["ix_outbox_deferred_order"] == ["order_ref"] and "ix_outbox_pending_order" not in at_head
    assert down["ix_outbox_pending_order"] == ["order_ref", "created_at"]
    assert "ix_outbox_deferred_order" not in down
