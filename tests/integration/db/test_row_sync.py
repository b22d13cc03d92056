"""Known rows synced to wanted ones: only the rows of the `where` change, whatever share of them moved."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.row_sync import Columns, insert_columns, known_changes, write_changes
from pegboard.bootstrap import Pegboard

DAY = date(2026, 12, 1)


def _row(plan_id: int, seq: int, days: int) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "seq": seq,
        "kind": "buy",
        "sku": "BLUE-KETTLE",
        "quantity": 1,
        "start_date": date.fromordinal(DAY.toordinal() + days),
    }


def _columns(plan_id: int, seqs: list[int], days: list[int]) -> Columns:
    rows = [_row(plan_id, seq, d) for seq, d in zip(seqs, days, strict=True)]
    return {name: [r[name] for r in rows] for name in _row(plan_id, 0, 0)}


def _plan(conn: Connection, plan_id: int) -> None:
    conn.execute(
        insert(t.stored_plans).values(
            id=plan_id, planned_on=DAY, planned_at=datetime(2026, 12, 1), inputs_seen=0
        )
    )


def _rows(conn: Connection, plan_id: int) -> list[tuple[int, date]]:
    s = t.stored_plan_suggestions.c
    query = select(s.seq, s.start_date).where(s.plan_id == plan_id).order_by(s.seq)
    return [(r.seq, r.start_date) for r in conn.execute(query)]


def test_when_every_known_row_moved_they_are_replaced_and_other_plans_rows_stay(pb: Pegboard) -> None:
    s = t.stored_plan_suggestions
    with pb.engine.begin() as conn:
        _plan(conn, 1)
        _plan(conn, 2)
        conn.execute(insert(s), [_row(1, 1, 0), _row(1, 2, 0), _row(2, 1, 0)])

        write_changes(
            conn,
            known_changes(
                s,
                key="seq",
                where=s.c.plan_id == 1,
                stored={1: 0, 2: 0},
                wanted={1: 1, 2: 1, 3: 1},
                columns=lambda seqs, days: _columns(1, seqs, days),
            ),
        )

        assert _rows(conn, 1) == [(1, date(2026, 12, 2)), (2, date(2026, 12, 2)), (3, date(2026, 12, 2))]
        assert _rows(conn, 2) == [(1, DAY)]


def test_when_some_known_rows_moved_only_those_are_replaced(pb: Pegboard) -> None:
    s = t.stored_plan_suggestions
    with pb.engine.begin() as conn:
        _plan(conn, 1)
        conn.execute(insert(s), [_row(1, 1, 0), _row(1, 2, 0), _row(1, 3, 0)])

        write_changes(
            conn,
            known_changes(
                s,
                key="seq",
                where=s.c.plan_id == 1,
                stored={1: 0, 2: 0, 3: 0},
                wanted={1: 0, 2: 5},
                columns=lambda seqs, days: _columns(1, seqs, days),
            ),
        )

        assert _rows(conn, 1) == [(1, DAY), (2, date(2026, 12, 6))]


@pytest.mark.parametrize(
    ("count", "kept", "other"),
    [
        pytest.param(2500, {1, 1500, 2500}, 1, id="many-moved-among-some-that-stay"),
        pytest.param(2500, set(range(1, 2501)) - {2, 1200, 2400}, 2, id="a-few-moved-among-many-that-stay"),
        # 1,251 stay: more than one statement names on SQLite
        pytest.param(2600, set(range(1, 2501, 2)) | {2500}, 2, id="more-moved-than-stay-and-many-stay"),
    ],
)
def test_moved_rows_among_rows_that_stay_are_replaced_and_only_those(
    pb: Pegboard, count: int, kept: set[int], other: int
) -> None:
    s = t.stored_plan_suggestions
    with pb.engine.begin() as conn:
        _plan(conn, 1)
        _plan(conn, 2)
        conn.execute(insert(s), [_row(1, seq, 0) for seq in range(1, count + 1)] + [_row(2, other, 0)])

        write_changes(
            conn,
            known_changes(
                s,
                key="seq",
                where=s.c.plan_id == 1,
                stored=dict.fromkeys(range(1, count + 1), 0),
                wanted={seq: 0 if seq in kept else 1 for seq in range(1, count + 1)},
                columns=lambda seqs, days: _columns(1, seqs, days),
            ),
        )

        assert _rows(conn, 1) == [
            (seq, DAY if seq in kept else date(2026, 12, 2)) for seq in range(1, count + 1)
        ]
        assert _rows(conn, 2) == [(other, DAY)]


def test_rows_inserted_as_columns_read_back_as_they_were_given(pb: Pegboard) -> None:
    """Texts with tabs, line breaks, backslashes and other scripts, exact quantities and missing
    dates come back as given (binary COPY on PostgreSQL, an executemany on SQLite)."""
    s = t.stored_plan_suggestions
    wanted = [
        (1, "buy", None, "Kyber\tCo\\\nNorth", "BLUE-KETTLE", Decimal("0.000001"), DAY, None, ""),
        (2, "make", "MO-\u00e9\u6f22", None, "RED\tKETTLE", Decimal("123456789.5"), None, DAY, "r\u00f8d"),
    ]
    names = ["seq", "kind", "ref", "supplier", "sku", "quantity", "start_date", "end_date", "options"]
    with pb.engine.begin() as conn:
        _plan(conn, 1)
        columns: Columns = {"plan_id": [1, 1], **{n: [w[i] for w in wanted] for i, n in enumerate(names)}}

        insert_columns(conn, s, columns)

        query = select(*(s.c[n] for n in names)).where(s.c.plan_id == 1).order_by(s.c.seq)
        assert [tuple(r) for r in conn.execute(query)] == wanted
