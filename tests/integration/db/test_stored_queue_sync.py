"""A re-plan's queue rows, compared with the kept plan's queue read from its columns, are the rows
a plan written afresh has, and only the entries that changed are written (both databases)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select, text

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.planning.result import MissingMaterial, PlanResult, PurchaseSuggestion, QueueEntry
from tests.integration.services.test_replan_writes import rows_written

DAY = date(2026, 12, 1)


def _entry(ref: str, missing: str = "1", *, completes: tuple[str, ...] = ("SO-1",)) -> QueueEntry:
    material = MissingMaterial("BOLT", Decimal(missing), date(2026, 12, 9))
    return QueueEntry(ref, "KETTLE", Decimal(2), DAY, date(2026, 12, 10), completes, (material,))


def _save(pb: Pegboard, queue: list[QueueEntry], *, afresh: bool = False) -> None:
    """Store a plan of this queue as a whole re-plan does: the kept plan read back first."""
    if afresh:  # no kept result to compare with: every row written from scratch
        with pb.engine.begin() as conn:
            conn.execute(t.stored_plan_queue.delete())
            conn.execute(t.stored_plans.update().values(kept_result=None))
    with pb.uow() as uow:
        uow.plans.last_promises()
        uow.plans.save(PlanResult([], [], [], queue), planned_on=DAY, inputs_seen=uow.plans.inputs_seen())
        uow.commit()


def _queue_rows(pb: Pegboard) -> list[tuple[object, ...]]:
    """The stored queue's rows in rank order, without their plan and rank."""
    q = t.stored_plan_queue
    with pb.engine.connect() as conn:
        rows = conn.execute(select(q).order_by(q.c.rank))
        return [tuple(v for c, v in r._mapping.items() if c not in ("plan_id", "rank")) for r in rows]


def test_a_re_plan_writes_the_queue_rows_that_changed_and_leaves_the_rows_a_fresh_plan_has(
    pb: Pegboard,
) -> None:
    a, b, c, d = (_entry(f"MO-{n}") for n in range(1, 5))
    _save(pb, [a, b, c, d])
    # A new entry near the top, one moved down, and one whose missing quantity reads otherwise
    # (an equal Decimal: the entry compares equal, its row does not).
    relabelled = c._replace(missing=(c.missing[0]._replace(quantity=Decimal("1.0")),))
    assert relabelled == c
    queue = [a, _entry("MO-9", completes=("SO-2", "SO-3")), relabelled, d, b]

    written = rows_written(pb, lambda: _save(pb, queue))
    kept_rows = _queue_rows(pb)
    _save(pb, queue, afresh=True)

    # b's and c's old rows go, and MO-9, b and c come in new rows; a and d keep theirs.
    assert len(written["stored_plan_queue"]) == 5
    assert kept_rows == _queue_rows(pb)
    with pb.engine.connect() as conn:
        texts = conn.execute(text("SELECT missing FROM stored_plan_queue WHERE ref = 'MO-3'")).scalar_one()
    assert '"quantity": "1.0"' in texts


def test_a_re_plan_saved_beside_other_writes_runs_them_once_before_its_rows_and_stores_the_same_rows(
    pb: Pegboard,
) -> None:
    """`beside` (the outbox's events, on a next day) runs once on the save's own transaction
    before any row of the re-plan is written, while its rows are worked out; the rows stored are
    those a save without it stores."""
    a, b, c, d = (_entry(f"MO-{n}") for n in range(1, 5))
    buy = PurchaseSuggestion("Passing Traders", "BOLT", Decimal(5), DAY, date(2026, 12, 4))
    plan = PlanResult([], [buy, buy._replace(quantity=Decimal(6))], [], [a, _entry("MO-9"), d, b])
    seen: list[list[str]] = []

    def saved(*, beside: bool) -> list[tuple[object, ...]]:
        _save(pb, [a, b, c, d])  # no suggestion
        with pb.uow() as uow:
            uow.plans.last_promises()
            q = t.stored_plan_queue.c

            def read_queue() -> None:
                seen.append(list(uow.connection.execute(select(q.ref).order_by(q.rank)).scalars()))

            seen_at = uow.plans.inputs_seen()
            uow.plans.save(plan, planned_on=DAY, inputs_seen=seen_at, beside=read_queue if beside else None)
            uow.commit()
        s = t.stored_plan_suggestions
        with pb.engine.connect() as conn:
            suggestions = conn.execute(select(s.c.seq, s.c.sku, s.c.quantity).order_by(s.c.seq)).all()
        return [*_queue_rows(pb), *map(tuple, suggestions)]

    with_beside = saved(beside=True)
    alone = saved(beside=False)

    assert seen == [["MO-1", "MO-2", "MO-3", "MO-4"]]
    assert with_beside == alone
    assert [row[0] for row in with_beside] == ["MO-1", "MO-9", "MO-4", "MO-2", 1, 2]
