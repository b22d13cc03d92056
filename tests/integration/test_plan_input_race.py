"""On PostgreSQL, a plan run cannot count as seen a change whose writer was still committing
when the plan began: either the plan reads that change or the stored plan is out of date."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, create_engine, text

from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.services import planning
from pegboard.views.stored_plan import read_stored_plan
from tests.builders import make_items, make_order
from tests.conftest import MONDAY

#: How long to wait for the plan run to reach its lock or finish: a bound, not a timing.
SETTLE_SECONDS = 120


@pytest.fixture
def board(postgres_url: str) -> Iterator[Pegboard]:
    pb = bootstrap(Settings(database_url=postgres_url), today=MONDAY)
    try:
        yield pb
    finally:
        pb.close()


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
