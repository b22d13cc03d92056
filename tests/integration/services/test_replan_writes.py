"""A re-plan writes only what changed: no promise row, event or stored-plan row when nothing did,
exactly the moved promises after one change (both databases)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Connection, func, select, text

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.stored_plan import stored_plan
from pegboard.bootstrap import Pegboard
from pegboard.services import planning
from tests.builders import make_order
from tests.integration.services.test_planning import lightsaber_after_first_shipments, order_green_crystals

#: Tables whose rows a plan run may write.
WATCHED = ("line_promises", "stored_plan_queue", "stored_plan_suggestions", "stored_plans")


def rows_written(pb: Pegboard, action: Callable[[], object]) -> dict[str, set[str]]:
    """Per watched table, the rows `action` inserted, updated or deleted (PostgreSQL: each row's
    version, `xmin`, which any write changes; SQLite: triggers that log every write)."""
    postgres = pb.engine.dialect.name == "postgresql"
    if not postgres:
        with pb.engine.begin() as conn:
            _log_writes_on_sqlite(conn)
    before = _versions(pb) if postgres else {}
    action()
    if postgres:
        after = _versions(pb)
        return {
            name: {
                key
                for key in before[name].keys() | after[name].keys()
                if before[name].get(key) != after[name].get(key)
            }
            for name in WATCHED
        }
    with pb.engine.begin() as conn:
        logged = conn.execute(text("SELECT tbl, row_key FROM written_rows")).all()
        conn.execute(text("DELETE FROM written_rows"))
    return {name: {key for tbl, key in logged if tbl == name} for name in WATCHED}


_KEYS = {
    "line_promises": "line_id",
    "stored_plan_queue": "plan_id || '/' || rank",
    "stored_plan_suggestions": "plan_id || '/' || seq",
    "stored_plans": "id",
}


def _versions(pb: Pegboard) -> dict[str, dict[str, str]]:
    with pb.engine.connect() as conn:
        return {
            name: dict(conn.execute(text(f"SELECT ({_KEYS[name]})::text, xmin::text FROM {name}")).all())  # noqa: S608
            for name in WATCHED
        }


def _log_writes_on_sqlite(conn: Connection) -> None:
    conn.execute(text("CREATE TABLE IF NOT EXISTS written_rows (tbl TEXT, row_key TEXT)"))
    for name in WATCHED:
        for verb, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            key = re.sub(r"\b(plan_id|rank|seq|line_id|id)\b", rf"{row}.\1", _KEYS[name])
            conn.execute(
                text(
                    f"CREATE TRIGGER IF NOT EXISTS log_{verb.lower()}_{name} AFTER {verb} ON {name} "
                    f"BEGIN INSERT INTO written_rows VALUES ('{name}', CAST({key} AS TEXT)); END"
                )
            )


def outbox_size(pb: Pegboard) -> int:
    with pb.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.outbox)).scalar_one())


def line_ids(pb: Pegboard, *refs: str) -> set[str]:
    so, ol = t.sales_orders.c, t.order_lines.c
    with pb.engine.connect() as conn:
        found = conn.execute(
            select(ol.id).join(t.sales_orders, so.id == ol.order_id).where(so.order_ref.in_(refs))
        ).scalars()
        return {str(i) for i in found}


def test_a_re_plan_with_nothing_changed_writes_no_promise_no_event_and_no_stored_plan_row(
    pb: Pegboard,
) -> None:
    lightsaber_after_first_shipments(pb)
    order_green_crystals(pb, pb.clock.today() + timedelta(days=14))
    first = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    events = outbox_size(pb)

    second: list[planning.PlanRun] = []
    written = rows_written(pb, lambda: second.append(planning.run_plan(uow=pb.uow(), clock=pb.clock)))

    assert len(first.changed) == 2 and first.result.production_queue  # there was something to keep
    assert second[0].changed == [] and second[0].new_dates == 0
    assert second[0].result == first.result
    assert written == {name: set() for name in WATCHED}
    assert outbox_size(pb) == events


def test_a_re_plan_after_one_change_writes_exactly_the_moved_promises(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)  # SO-2 is open term: no crystal on order
    order_green_crystals(pb, pb.clock.today() + timedelta(days=14))
    events = outbox_size(pb)

    runs: list[planning.PlanRun] = []
    written = rows_written(pb, lambda: runs.append(planning.run_plan(uow=pb.uow(), clock=pb.clock)))

    assert [(p.order_ref, p.line_no) for p in runs[0].changed] == [("SO-2", 1)]
    assert written["line_promises"] == line_ids(pb, "SO-2")
    assert outbox_size(pb) == events + 1  # SO-2's new date, and nothing else


def test_a_re_plan_after_a_new_order_writes_its_promise_and_the_plan_rows_that_moved(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    make_order(pb, "SO-9", ("SABER-GREEN", 1))
    events = outbox_size(pb)

    runs: list[planning.PlanRun] = []
    written = rows_written(pb, lambda: runs.append(planning.run_plan(uow=pb.uow(), clock=pb.clock)))

    assert [p.order_ref for p in runs[0].changed] == ["SO-9"]
    assert written["line_promises"] == line_ids(pb, "SO-9")
    assert outbox_size(pb) == events  # a first promise is no change to announce
    with pb.engine.connect() as conn:
        kept = stored_plan(conn)
        total = sum(
            conn.execute(select(func.count()).select_from(t.metadata.tables[n])).scalar_one()
            for n in ("stored_plan_queue", "stored_plan_suggestions")
        )
    assert kept is not None
    result = runs[0].result
    assert kept.result.production_queue == result.production_queue
    assert kept.result.purchase_suggestions == result.purchase_suggestions
    assert kept.result.production_suggestions == result.production_suggestions
    # Some of the stored plan moved, not all of it.
    assert 0 < len(written["stored_plan_queue"]) + len(written["stored_plan_suggestions"]) < total


def _plan_rows(pb: Pegboard) -> dict[str, list[tuple[object, ...]]]:
    """The stored plan's queue, suggestion and MO rows, in key order, without the plan id."""
    keys = {"stored_plan_queue": "rank", "stored_plan_suggestions": "seq", "stored_plan_mos": "ref"}
    with pb.engine.connect() as conn:
        return {
            name: [
                tuple(v for c, v in row._mapping.items() if c != "plan_id")
                for row in conn.execute(select(t.metadata.tables[name]).order_by(text(key)))
            ]
            for name, key in keys.items()
        }


def test_re_plans_that_write_only_what_moved_leave_the_rows_a_plan_written_afresh_has(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    make_order(pb, "SO-9", ("SABER-GREEN", 1))
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    order_green_crystals(pb, pb.clock.today() + timedelta(days=14))
    make_order(pb, "SO-10", ("SABER-BLUE", 7))
    last = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    kept_rows = _plan_rows(pb)

    # The same plan written again with no kept result to compare with: every row from scratch.
    with pb.engine.begin() as conn:
        for name in ("stored_plan_queue", "stored_plan_suggestions", "stored_plan_mos"):
            conn.execute(t.metadata.tables[name].delete())
        conn.execute(t.stored_plans.update().values(kept_result=None))
    with pb.uow() as uow:
        uow.plans.save(last.result, planned_on=pb.clock.today(), inputs_seen=uow.plans.inputs_seen())
        uow.commit()

    assert last.result.production_queue and last.result.purchase_suggestions
    assert _plan_rows(pb) == kept_rows


def test_the_stored_plans_promises_read_back_are_those_the_plan_gave(pb: Pegboard) -> None:
    """A whole re-plan compares its promises with the stored plan's: read back (as bytes, in the
    driver's binary format on PostgreSQL) they are the plan's own."""
    lightsaber_after_first_shipments(pb)
    order_green_crystals(pb, pb.clock.today() + timedelta(days=14))
    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    with pb.uow() as uow:
        kept = uow.plans.last_promises()

    assert kept is not None and len(kept) > 0
    assert list(kept) == list(run.result.promises)
