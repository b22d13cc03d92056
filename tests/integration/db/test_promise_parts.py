"""Each distinct parts of the stored promises is kept once in `promise_parts`, by the key its
promises carry (migration 0040): written by the store, read by joining on the key, forgotten by
housekeeping once no promise names it, and put back into `line_promises.parts` by a downgrade."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import cast

import pytest
from alembic import command
from pytest import MonkeyPatch
from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, text
from sqlalchemy.exc import OperationalError

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.housekeeping import SqlHousekeeping
from pegboard.adapters.db.migrate import alembic_config
from pegboard.adapters.db.planning import SqlPlanning
from pegboard.adapters.db.planning import promises as promise_store
from pegboard.adapters.db.repositories.item_cache import TransactionItemCache
from pegboard.adapters.db.stock_totals import StockTotals
from pegboard.adapters.db.stored_plan import SqlStoredPlan
from pegboard.bootstrap import Pegboard
from pegboard.planning.promises import by_line
from pegboard.services import planning, purchasing
from pegboard.services.ports import Clock
from pegboard.views.stored_plan import stored_promises
from tests.builders import make_items, make_order
from tests.integration.db.raw_rows import add_anns_order
from tests.integration.services.test_planning import lightsaber_after_first_shipments, order_green_crystals


def kettles_waiting(pb: Pegboard) -> None:
    """Five orders wait for kettles (none in stock): four of one kettle, one of two."""
    make_items(pb, "KETTLE")
    for k in range(4):
        make_order(pb, f"SO-{k}", ("KETTLE", 1))
    make_order(pb, "SO-BIG", ("KETTLE", 2))


def stored(conn: Connection) -> tuple[list[tuple[int, str | None]], dict[int, str]]:
    """Each promise's key and own `parts` column, by line; and every stored part by key."""
    lp, pp = t.line_promises.c, t.promise_parts.c
    promises = [tuple(r) for r in conn.execute(select(lp.parts_key, lp.parts).order_by(lp.line_id))]
    return promises, dict(conn.execute(select(pp.parts_key, pp.parts)).all())


@pytest.mark.parametrize(
    ("bulk", "load"),
    [(promise_store.BULK, promise_store.LOAD), (0, promise_store.LOAD), (0, 0)],
    ids=["by-statement", "by-copy", "by-copy-into-an-empty-table"],
)
def test_a_plan_stores_each_distinct_parts_once_by_the_key_its_promises_carry(
    pb: Pegboard, monkeypatch: MonkeyPatch, bulk: int, load: int
) -> None:
    monkeypatch.setattr(promise_store, "BULK", bulk)
    monkeypatch.setattr(promise_store, "LOAD", load)
    monkeypatch.setattr(promise_store, "CHUNK", 2)
    locked: list[bool] = []
    lock = promise_store._locked_alone

    def locked_alone(conn: Connection, table: str, mode: str) -> bool:
        locked.append(lock(conn, table, mode))
        return locked[-1]

    monkeypatch.setattr(promise_store, "_locked_alone", locked_alone)
    beside = _sides(monkeypatch)
    kettles_waiting(pb)

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    with pb.engine.connect() as conn:
        promises, parts = stored(conn)
    assert len(promises) == 5 and len(parts) == 2
    assert {key for key, _ in promises} == set(parts)
    assert all(own is None for _, own in promises), "the promise row holds no text of its own"
    assert all(promise_store.parts_key(text) == key for key, text in parts.items())
    expected = {json.dumps(line.parts, sort_keys=True) for line in by_line(run.result.promises)}
    assert set(parts.values()) == expected
    # New promises' parts are written by the plan's own connection (SQLite has no other).
    assert beside == []
    if pb.engine.dialect.name == "postgresql":  # copied straight in when loaded into an empty table
        assert locked == ([True] if load == 0 else [])


def test_a_re_plan_adds_only_the_parts_not_stored_yet_and_reads_show_the_plans_parts(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    with pb.engine.connect() as conn:
        _, before = stored(conn)
    due = pb.clock.today() + timedelta(days=14)
    order_green_crystals(pb, due)

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    with pb.engine.connect() as conn:
        promises, after = stored(conn)
        shown = stored_promises(conn, limit=100)
    assert before.items() <= after.items(), "a stored part is kept as it was"
    assert {key for key, _ in promises} <= set(after)
    assert len(after) > len(before)
    planned = sorted((p.order_ref, p.sku, p.quantity, p.date, p.reason) for p in run.result.promises)
    assert sorted((p.order_ref, p.sku, p.quantity, p.date, p.reason) for p in shown) == planned


def test_housekeeping_forgets_the_parts_no_promise_names_and_keeps_the_others(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    due = pb.clock.today() + timedelta(days=14)
    order_green_crystals(pb, due)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    purchasing.reschedule("PO-1", due + timedelta(days=7), uow=pb.uow(), clock=pb.clock)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    with pb.engine.connect() as conn:
        promises, before = stored(conn)
    named = {key for key, _ in promises}
    assert set(before) > named, "the moved promise's old parts are no longer named"

    with pb.engine.begin() as conn:
        forgotten = SqlHousekeeping(conn).forget_unused_parts()

    with pb.engine.connect() as conn:
        _, after = stored(conn)
    assert forgotten == len(before) - len(named)
    assert after == {key: before[key] for key in named}


def test_the_migration_goes_down_and_up_keeping_every_promises_parts(migrated_url: str) -> None:
    config = alembic_config(migrated_url)
    engine = create_engine(migrated_url)
    shared, alone = '[{"quantity": 1}]', '[{"quantity": 2}]'
    try:
        with engine.begin() as conn:
            _three_promises(conn)
            conn.execute(
                t.promise_parts.insert(),
                [{"parts_key": promise_store.parts_key(p), "parts": p} for p in (shared, alone)],
            )
        command.downgrade(config, "0039")
        with engine.connect() as conn:
            down = conn.execute(text("SELECT line_id, parts FROM line_promises ORDER BY line_id")).all()
            tables = _tables(conn)
        command.upgrade(config, "head")
        with engine.connect() as conn:
            promises, parts = stored(conn)
    finally:
        engine.dispose()

    assert [tuple(r) for r in down] == [(1, shared), (2, shared), (3, alone)]
    assert "promise_parts" not in tables
    assert promises == [(promise_store.parts_key(p), None) for p in (shared, shared, alone)]
    assert parts == {promise_store.parts_key(p): p for p in (shared, alone)}


def _three_promises(conn: Connection) -> None:
    """Lines 1 to 3 of an order of kettles, each promised; 1 and 2 share their parts."""
    conn.execute(text("INSERT INTO items (id, sku, name, procurement) VALUES (1, 'KETTLE', 'Kettle', 'buy')"))
    add_anns_order(conn)
    for line, quantity in ((1, 1), (2, 1), (3, 2)):
        conn.execute(
            text(
                "INSERT INTO order_lines (id, order_id, line_no, item_id, quantity, allocated, shipped, "
                f"cancelled, kind) VALUES ({line}, 1, {line}, 1, {quantity}000000, 0, 0, 0, 'stock')"
            )
        )
        parts = json.dumps([{"quantity": quantity}])
        conn.execute(
            text(
                "INSERT INTO line_promises (line_id, promised_date, reason, basis, promised_on, first_date, "
                "first_promised_on, item_id, parts_key) VALUES "
                f"({line}, NULL, 'open term', 'open term', '2026-11-23', NULL, '2026-11-23', 1, :key)"
            ),
            {"key": promise_store.parts_key(parts)},
        )


def _tables(conn: Connection) -> set[str]:
    """The tables the database holds."""
    return set(inspect(conn).get_table_names())


def test_every_stored_promise_names_a_stored_part(pb: Pegboard) -> None:
    kettles_waiting(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    make_order(pb, "SO-LATE", ("KETTLE", 3))
    planning.run_plan(uow=pb.uow(), clock=pb.clock)  # the new line's promise alone is written

    with pb.engine.connect() as conn:
        lp, pp = t.line_promises.c, t.promise_parts.c
        orphans = conn.execute(
            select(func.count())
            .select_from(t.line_promises)
            .outerjoin(t.promise_parts, pp.parts_key == lp.parts_key)
            .where(pp.parts_key.is_(None))
        ).scalar_one()
        promised = conn.execute(select(func.count()).select_from(t.line_promises)).scalar_one()
    assert promised == 6 and orphans == 0


def test_housekeeping_waits_for_a_store_that_looked_for_its_parts_until_it_commits(
    postgres_pb: Pegboard,
) -> None:
    pb = postgres_pb
    kettles_waiting(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    with pb.engine.connect() as conn:
        _, parts = stored(conn)

    with pb.engine.connect() as storing, storing.begin():
        # A store found these parts stored (and names them in promises it has yet to commit).
        SqlPlanning(storing, cast(StockTotals, None), cast(TransactionItemCache, None))._save_parts(parts)
        with pb.engine.connect() as housekeeping, housekeeping.begin():
            housekeeping.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
            with pytest.raises(OperationalError, match="lock timeout"):
                SqlHousekeeping(housekeeping).forget_unused_parts()


def _sides(monkeypatch: MonkeyPatch) -> list[bool]:
    """Whether each side write of promise parts wrote them (False: the plan's connection must)."""
    results: list[bool] = []
    written = promise_store._written_beside

    def recorded(engine: Engine, parts: Callable[[], Mapping[int, str]]) -> bool:
        results.append(written(engine, parts))
        return results[-1]

    monkeypatch.setattr(promise_store, "_written_beside", recorded)
    return results


class DaysLater:
    """A clock some days after another (`Clock`): a later morning."""

    def __init__(self, clock: Clock, days: int) -> None:
        self.clock, self.days = clock, days

    def today(self) -> date:
        return self.clock.today() + timedelta(days=self.days)

    def now(self) -> datetime:
        return self.clock.now() + timedelta(days=self.days)


def _planned_the_day_before(pb: Pegboard, monkeypatch: MonkeyPatch) -> tuple[dict[int, str], Clock]:
    """A plan stored the day before: today's plan changes the promises that moved with the day by
    COPY (as a later morning's at L), whose new parts a side connection writes. The parts stored
    before, and today's clock."""
    lightsaber_after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    monkeypatch.setattr(promise_store, "BULK", 0)
    monkeypatch.setattr(promise_store, "CHUNK", 2)
    with pb.engine.connect() as conn:
        return stored(conn)[1], DaysLater(pb.clock, 1)


class PlanRefused(Exception):
    """The plan's transaction fails after its promises are stored."""


def test_a_plan_rolled_back_after_the_side_wrote_its_parts_leaves_only_parts_no_promise_names(
    postgres_pb: Pegboard, monkeypatch: MonkeyPatch
) -> None:
    pb = postgres_pb
    before, today = _planned_the_day_before(pb, monkeypatch)
    with pb.engine.connect() as conn:
        promised = stored(conn)[0]
    beside = _sides(monkeypatch)

    def refused(*_args: object, **_kwargs: object) -> None:
        raise PlanRefused

    monkeypatch.setattr(SqlStoredPlan, "save", refused)

    with pytest.raises(PlanRefused):
        planning.run_plan(uow=pb.uow(), clock=today)

    with pb.engine.connect() as conn:
        promises, after = stored(conn)
    assert beside == [True], "the side connection committed the moved promises' parts"
    assert promises == promised, "the promises are as before the plan"
    assert before.items() < after.items(), "the new parts stay, named by no promise"
    with pb.engine.begin() as conn:
        assert SqlHousekeeping(conn).forget_unused_parts() == len(after) - len(before)


def _parts_waited_for(pb: Pegboard) -> bool:
    """Whether a transaction waits for a lock on `promise_parts`."""
    with pb.engine.connect() as conn:
        waiting = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_locks WHERE relation = 'promise_parts'::regclass AND NOT granted"
        ).scalar_one()
    return bool(waiting)


def _housekeeping(pb: Pegboard) -> tuple[threading.Thread, list[int]]:
    """A housekeeping run forgetting unused parts in a thread of its own, started once it waits
    for its lock (or has done), and what it forgot."""
    forgotten: list[int] = []

    def run() -> None:
        with pb.engine.begin() as conn:
            forgotten.append(SqlHousekeeping(conn).forget_unused_parts())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not forgotten and not _parts_waited_for(pb) and time.monotonic() < deadline:
        time.sleep(0.01)
    return thread, forgotten


@pytest.mark.parametrize("when", ["before-the-side-writes", "after-the-side-committed"])
def test_housekeeping_started_while_a_plan_stores_its_promises_keeps_every_part_they_name(
    postgres_pb: Pegboard, monkeypatch: MonkeyPatch, when: str
) -> None:
    pb = postgres_pb
    before, today = _planned_the_day_before(pb, monkeypatch)
    beside = _sides(monkeypatch)
    started: list[tuple[threading.Thread, list[int]]] = []
    hand, done = promise_store._PartsBeside.hand, promise_store._PartsBeside.done

    def hand_after_housekeeping(self: promise_store._PartsBeside) -> None:
        if when == "before-the-side-writes":
            started.append(_housekeeping(pb))  # it waits for the plan's lock, so the side cannot lock
        hand(self)

    def done_then_housekeeping(self: promise_store._PartsBeside) -> bool:
        written = done(self)
        if when == "after-the-side-committed":
            started.append(_housekeeping(pb))  # the side's parts are committed, no promise commits them yet
        return written

    monkeypatch.setattr(promise_store._PartsBeside, "hand", hand_after_housekeeping)
    monkeypatch.setattr(promise_store._PartsBeside, "done", done_then_housekeeping)

    planning.run_plan(uow=pb.uow(), clock=today)

    [(thread, forgotten)] = started
    thread.join(timeout=10)
    assert not thread.is_alive(), "housekeeping ran once the plan committed"
    with pb.engine.connect() as conn:
        promises, after = stored(conn)
    named = {key for key, _ in promises}
    assert named <= set(after), "every part a promise names is kept"
    assert set(after) == named, "housekeeping forgot the parts no promise names"
    assert forgotten == [len(before.keys() - named)]
    # Housekeeping waiting before the side looked for its lock: the side did not wait, the plan
    # wrote the parts itself; waiting after: the side had written them.
    assert beside == ([False] if when == "before-the-side-writes" else [True])


def test_the_plan_writes_its_parts_itself_when_the_side_cannot_have_a_key_another_is_adding(
    postgres_pb: Pegboard, monkeypatch: MonkeyPatch
) -> None:
    pb = postgres_pb
    before, today = _planned_the_day_before(pb, monkeypatch)
    beside = _sides(monkeypatch)
    preview = planning.run_plan(uow=pb.uow(), clock=today, store=False)
    texts = {json.dumps(line.parts, sort_keys=True) for line in by_line(preview.result.promises)}
    moved = sorted(texts - set(before.values()))[0]
    key = promise_store.parts_key(moved)
    with pb.engine.connect() as other:
        other.begin()
        # Another transaction adds one of the plan's new parts and has not committed: the side
        # connection would wait for it, and does not (`lock_timeout`); the plan does.
        other.execute(t.promise_parts.insert(), {"parts_key": key, "parts": moved})
        finished = threading.Timer(1.0, other.commit)
        finished.start()
        run = planning.run_plan(uow=pb.uow(), clock=today)
        finished.join()

    with pb.engine.connect() as conn:
        promises, parts = stored(conn)
    assert beside == [False], "the side gave up waiting and wrote nothing"
    planned = {json.dumps(line.parts, sort_keys=True) for line in by_line(run.result.promises)}
    assert {parts[named] for named, _ in promises} == planned and parts[key] == moved
