"""On PostgreSQL, a plan run cannot count as seen a change whose writer was still committing
when the plan began: either the plan reads that change or the stored plan is out of date."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine, create_engine, text

from pegboard.bootstrap import Pegboard
from pegboard.services import planning
from pegboard.views.stored_plan import read_stored_plan
from tests.builders import make_items, make_order
from tests.conftest import MONDAY


@pytest.fixture
def board(postgres_pb: Pegboard) -> Pegboard:
    """The run's PostgreSQL database, wired: these races need its row locks."""
    return postgres_pb


#: How long to wait for the plan run to reach its lock or finish: a bound, not a timing.
SETTLE_SECONDS = 120


def waiting_on_a_lock(watcher: Engine) -> bool:
    with watcher.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
        )


def test_a_change_committed_after_a_higher_one_is_never_counted_as_seen_by_a_plan(
    board: Pegboard, postgres_url: str
) -> None:
    make_items(board, "BLUE-KETTLE")  # bought from Acme, 3 days' lead time
    make_order(board, "SO-1", ("BLUE-KETTLE", 2))
    watcher = create_engine(postgres_url)
    slow = watcher.connect()
    try:
        # A writer lengthens Acme's lead time and draws its change id, but has not committed yet.
        slow.begin()
        slow.execute(text("UPDATE suppliers SET lead_time_days = 30 WHERE name = 'Acme'"))
        slow.execute(text("INSERT INTO plan_input_changes (changed_at) VALUES (now())"))
        # Another writer draws a higher id and commits first.
        with watcher.begin() as fast:
            fast.execute(text("INSERT INTO plan_input_changes (changed_at) VALUES (now())"))

        # A plan runs meanwhile; the slow writer commits while it runs (or once it waits).
        run = threading.Thread(target=lambda: planning.run_plan(uow=board.uow(), clock=board.clock))
        run.start()
        deadline = time.monotonic() + SETTLE_SECONDS
        while run.is_alive() and not waiting_on_a_lock(watcher) and time.monotonic() < deadline:
            time.sleep(0.05)
        slow.commit()
        run.join(SETTLE_SECONDS)
        assert not run.is_alive()
    finally:
        slow.close()
        watcher.dispose()

    with board.reader() as uow:
        found = read_stored_plan(uow.connection)
    assert found is not None
    state, kept = found
    (suggestion,) = kept.purchase_suggestions
    planned_with_the_slow_write = suggestion.expected_date == MONDAY + timedelta(days=30)
    assert planned_with_the_slow_write or state.out_of_date


def _seen_after(board: Pegboard, after: int) -> int:
    with board.reader() as uow:
        return uow.plans.inputs_seen(after=after)


def _last_change(engine: Engine) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                text("INSERT INTO plan_input_changes (changed_at) VALUES (now()) RETURNING id")
            ).scalar_one()
        )


def test_a_quote_reads_past_its_kept_leftover_without_waiting_for_an_order_still_committing(
    board: Pegboard, postgres_url: str
) -> None:
    watcher = create_engine(postgres_url)
    slow = watcher.connect()
    try:
        kept = _last_change(watcher)
        committed = _last_change(watcher)
        # A writer draws the next change id and has not committed yet: it holds the table's lock.
        slow.begin()
        slow.execute(text("INSERT INTO plan_input_changes (changed_at) VALUES (now())"))

        found: list[int] = []
        read = threading.Thread(target=lambda: found.append(_seen_after(board, kept)))
        read.start()
        read.join(SETTLE_SECONDS)  # a bound, not a timing: behind the lock it would wait for ever

        assert found == [committed]  # up to what is committed; the writer's change comes later
    finally:
        slow.rollback()
        slow.close()
        watcher.dispose()


def test_a_gap_in_the_changes_after_the_kept_leftover_is_read_behind_the_lock(
    board: Pegboard, postgres_url: str
) -> None:
    watcher = create_engine(postgres_url)
    try:
        kept = _last_change(watcher)
        with watcher.connect() as rolled_back:  # draws an id and never commits it
            rolled_back.execute(text("INSERT INTO plan_input_changes (changed_at) VALUES (now())"))
            rolled_back.rollback()
        after_the_gap = _last_change(watcher)

        seen = _seen_after(board, kept)

        assert seen == after_the_gap  # the lock tells that nobody still holds the missing id
    finally:
        watcher.dispose()
