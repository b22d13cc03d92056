"""A first plan's promises into an empty `line_promises` on PostgreSQL: the table's item index is
built once after the rows (dropped and made again from its own definition in the plan's
transaction), unless another transaction holds the table, when the plan neither waits for it nor
drops anything. The promises stored are the same either way."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Connection, create_engine, event, text

from pegboard.adapters.db import stored_plan as stored_plan_module
from pegboard.adapters.db import stored_plan_rows
from pegboard.adapters.db.planning import promises as promise_store
from pegboard.adapters.db.stored_plan import stored_plan
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.planning.engine import plan
from pegboard.planning.kept_plan import pack
from pegboard.planning.promises import Lines
from pegboard.planning.result import PlanResult
from pegboard.services import planning
from tests.integration.services.test_planning import lightsaber_after_first_shipments, order_green_crystals


@pytest.fixture
def first_plan(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pegboard]:
    """The lightsaber workshop with no promise stored, every new promise going by COPY and loaded
    as a first plan's (however few)."""
    monkeypatch.setattr(promise_store, "BULK", 0)
    monkeypatch.setattr(promise_store, "LOAD", 0)
    pb = bootstrap(Settings(database_url=postgres_url), today=date(2026, 12, 1))

    @event.listens_for(pb.engine, "begin")
    def no_waiting(conn: Connection) -> None:
        # A transaction gives up on a lock after 3 s: a plan that waited for a reader fails.
        conn.exec_driver_sql("SET LOCAL lock_timeout = 3000")

    try:
        lightsaber_after_first_shipments(pb)
        order_green_crystals(pb, date(2026, 12, 15))
        with pb.engine.begin() as conn:
            conn.execute(text("DELETE FROM line_promises"))
        yield pb
    finally:
        pb.close()


def indexes(conn: Connection) -> dict[str, tuple[int, str]]:
    """Each index of `line_promises`: its object id and definition."""
    rows = conn.execute(
        text(
            "SELECT c.relname, c.oid, pg_get_indexdef(c.oid) FROM pg_index AS i "
            "JOIN pg_class AS c ON c.oid = i.indexrelid WHERE i.indrelid = 'line_promises'::regclass"
        )
    ).all()
    return {name: (oid, definition) for name, oid, definition in rows}


def stored(pb: Pegboard) -> list[tuple[object, ...]]:
    with pb.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT * FROM line_promises ORDER BY line_id"))]


def plan_promises(pb: Pegboard) -> list[tuple[object, ...]]:
    changed = planning.run_plan(uow=pb.uow(), clock=pb.clock).changed
    assert changed
    return stored(pb)


def test_a_first_plan_builds_the_item_index_after_its_promises(first_plan: Pegboard) -> None:
    with first_plan.engine.connect() as conn:
        before = indexes(conn)

    rows = plan_promises(first_plan)

    with first_plan.engine.connect() as conn:
        after = indexes(conn)
        valid = conn.execute(
            text(
                "SELECT bool_and(indisvalid AND indisready) FROM pg_index "
                "WHERE indrelid = 'line_promises'::regclass"
            )
        ).scalar()
        by_item = conn.execute(
            text("SELECT count(*) FROM line_promises WHERE item_id IN (SELECT item_id FROM line_promises)")
        ).scalar()
    assert {name: d for name, (_, d) in after.items()} == {name: d for name, (_, d) in before.items()}
    # Made again: a new object, with the same definition; the others as they were.
    assert after["ix_line_promises_item_id"][0] != before["ix_line_promises_item_id"][0]
    assert after["pk_line_promises"] == before["pk_line_promises"]
    assert after["ix_line_promises_since_plan"] == before["ix_line_promises_since_plan"]
    assert valid is True
    assert by_item == len(rows)


def test_a_first_plan_beside_a_reader_inserts_without_waiting_or_dropping(first_plan: Pegboard) -> None:
    reader = create_engine(first_plan.settings.database_url)
    try:
        with reader.connect() as conn:
            before = indexes(conn)
            conn.execute(text("SELECT count(*) FROM line_promises")).scalar()  # holds the table to its end
            with ThreadPoolExecutor(max_workers=1) as beside:
                planned = beside.submit(plan_promises, first_plan)
                waits: set[str] = set()
                while not planned.done():  # any lock the plan waits for is seen here
                    waits.update(
                        conn.execute(
                            text(
                                "SELECT mode FROM pg_locks "
                                "WHERE NOT granted AND relation = 'line_promises'::regclass"
                            )
                        ).scalars()
                    )
                rows = planned.result()
            conn.rollback()
            assert indexes(conn) == before
    finally:
        reader.dispose()
    assert waits == set()
    assert rows


def test_a_first_plan_stores_the_same_promises_loaded_or_inserted(
    first_plan: Pegboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = plan_promises(first_plan)
    with first_plan.engine.begin() as conn:
        conn.execute(text("DELETE FROM line_promises"))
        conn.execute(text("DELETE FROM stored_plans"))
    monkeypatch.setattr(promise_store, "LOAD", 10**9)

    assert plan_promises(first_plan) == loaded


def kept_bytes(pb: Pegboard) -> bytes:
    with pb.engine.connect() as conn:
        return bytes(conn.execute(text("SELECT kept_result FROM stored_plans")).scalar_one())


def test_a_first_plan_packed_while_its_promises_load_keeps_the_bytes_of_its_plan(
    first_plan: Pegboard,
) -> None:
    """The plan is packed while the server takes its promises (`pack_beside`): the kept bytes
    are those of the plan the run gave, as when packed by the save."""
    done = planning.run_plan(uow=first_plan.uow(), clock=first_plan.clock)

    assert done.changed
    assert kept_bytes(first_plan) == pack(done.result)


def test_a_plan_saved_after_another_was_packed_ahead_keeps_its_own_bytes(first_plan: Pegboard) -> None:
    with first_plan.uow() as uow:
        first = plan(uow.planning.snapshot(first_plan.clock.today()))
    other = replace(first, production_queue=list(first.production_queue)[1:])
    assert pack(other) != pack(first)

    with first_plan.uow() as uow:
        uow.plans.pack_beside(first)
        uow.plans.save(other, planned_on=first_plan.clock.today(), inputs_seen=uow.plans.inputs_seen())
        uow.commit()

    assert kept_bytes(first_plan) == pack(other)


def test_a_first_plans_rows_are_made_once_beside_its_promises_and_read_back_as_its_plan(
    first_plan: Pegboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first plan's queue and suggestion rows are made while the server takes its promises
    (`pack_beside`), not again by the save, and are the plan's."""
    making: list[str] = []
    made = stored_plan_rows.plan_rows

    def noted(result: PlanResult) -> stored_plan_rows.PlanRows:
        making.append(threading.current_thread().name)
        return made(result)

    monkeypatch.setattr(stored_plan_module, "plan_rows", noted)
    monkeypatch.setattr(stored_plan_rows, "plan_rows", noted)

    done = planning.run_plan(uow=first_plan.uow(), clock=first_plan.clock)

    assert [name.startswith("pack-plan-ahead") for name in making] == [True]
    with first_plan.engine.connect() as conn:
        kept = stored_plan(conn)
    assert kept is not None
    assert done.result.production_queue
    assert [*done.result.purchase_suggestions, *done.result.production_suggestions]
    assert list(kept.result.production_queue) == list(done.result.production_queue)
    assert list(kept.result.purchase_suggestions) == list(done.result.purchase_suggestions)
    assert list(kept.result.production_suggestions) == list(done.result.production_suggestions)


def test_a_plan_saved_after_another_had_its_rows_made_ahead_stores_its_own_rows(
    first_plan: Pegboard,
) -> None:
    with first_plan.uow() as uow:
        first = plan(uow.planning.snapshot(first_plan.clock.today()))
    other = replace(first, production_queue=list(first.production_queue)[1:])

    with first_plan.uow() as uow:
        uow.plans.pack_beside(first)
        uow.plans.save(other, planned_on=first_plan.clock.today(), inputs_seen=uow.plans.inputs_seen())
        uow.commit()

    with first_plan.engine.connect() as conn:
        kept = stored_plan(conn)
    assert kept is not None
    assert list(kept.result.production_queue) == list(other.production_queue)


def test_begun_comes_once_after_the_first_block_is_handed_over_and_before_the_last(
    first_plan: Pegboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a plan run starts at `begun` (its digest) runs while the server inserts the first
    block, not while this process makes it."""
    monkeypatch.setattr(promise_store, "CHUNK", 1)
    events: list[str] = []
    cut = promise_store._cut

    def block_made(texts: Sequence[str], length: int) -> Sequence[str]:
        if length == 500:  # once per block: its reasons
            events.append("block")
        return cut(texts, length)

    monkeypatch.setattr(promise_store, "_cut", block_made)
    with first_plan.uow() as uow:
        lines = Lines(plan(uow.planning.snapshot(first_plan.clock.today())).promises)
        uow.planning.save_promises(
            lines.promises(range(len(lines))),
            on=first_plan.clock.today(),
            whole_plan=True,
            sent=lambda: events.append("sent"),
            begun=lambda: events.append("begun"),
        )
        uow.commit()

    assert len(lines) >= 2
    assert events == ["block", "begun", *["block"] * (len(lines) - 1), "sent"]


def test_begun_comes_once_when_promises_go_by_one_statement_and_never_without_promises(
    first_plan: Pegboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(promise_store, "BULK", 10**9)
    events: list[str] = []
    with first_plan.uow() as uow:
        lines = Lines(plan(uow.planning.snapshot(first_plan.clock.today())).promises)
        uow.planning.save_promises(
            lines.promises([]), on=first_plan.clock.today(), begun=lambda: events.append("none")
        )
        uow.planning.save_promises(
            lines.promises(range(len(lines))), on=first_plan.clock.today(), begun=lambda: events.append("all")
        )
        uow.commit()

    assert events == ["all"]
    assert len(stored(first_plan)) == len(lines)
