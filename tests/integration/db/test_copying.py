"""Rows written by COPY read back exactly as given: texts with tabs, line breaks and
backslashes, empty texts, None, dates and exact quantities, on both databases."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.copying import column_text, copy_binary, copy_rows
from pegboard.adapters.db.stored_plan_rows import json_texts
from pegboard.bootstrap import Pegboard


def test_rows_copied_read_back_as_given_whatever_their_texts_hold(pb: Pegboard) -> None:
    """Every column's value comes back equal, escapes and NULLs included."""
    s = t.stored_plan_suggestions
    rows = [
        {
            "plan_id": 1,
            "seq": n,
            "kind": "make",
            "ref": ref,
            "supplier": supplier,
            "sku": sku,
            "quantity": quantity,
            "start_date": start,
            "end_date": None,
            "options": options,
        }
        for n, (ref, supplier, sku, quantity, start, options) in enumerate(
            [
                ("MO-1", None, "SABER\tGREEN", 2_500_000, date(2026, 12, 4), ""),
                (None, "Crystal\\Broker", "LINE\nBREAK", Decimal(3), None, "COLOUR=green;HILT=x\r"),
                ("\\N", "", "PLAIN", Decimal("0.000001"), date(2027, 1, 16), "\\t"),
            ],
            start=1,
        )
    ]
    with pb.engine.begin() as conn:
        conn.execute(
            insert(t.stored_plans).values(
                id=1, planned_on=date(2026, 12, 1), planned_at=datetime(2026, 12, 1, 12), inputs_seen=0
            )
        )
        copy_rows(conn, s, rows)
    with pb.engine.connect() as conn:
        read = [dict(r._mapping) for r in conn.execute(select(s).order_by(s.c.seq))]

    assert read == rows


def test_rows_copied_in_binary_blocks_read_back_as_given(postgres_pb: Pegboard) -> None:
    """Binary COPY (PostgreSQL), a block at a time, empty blocks too: texts with anything in them,
    NULLs, dates and numbers (values as stored: a quantity in millionths) come back as given."""
    pb = postgres_pb
    s = t.stored_plan_suggestions
    names = (
        "plan_id",
        "seq",
        "kind",
        "ref",
        "supplier",
        "sku",
        "quantity",
        "start_date",
        "end_date",
        "options",
    )
    rows = [
        (1, 1, "make", "MO-1", None, "SABER\tGREEN", 2_500_000, date(2026, 12, 4), None, ""),
        (1, 2, "buy", None, "Crystal\\Broker", "LINE\nBREAK", -(2**63), None, date(1, 1, 1), "\\N"),
        (1, 3, "make", "\\N", "", "é ☃", 2**63 - 1, date(9999, 12, 31), None, "x" * 500),
    ]
    blocks: list[list[Sequence[Any]]] = [list(zip(*rows[:2], strict=True)), [[] for _ in names]]
    blocks.append(list(zip(*rows[2:], strict=True)))
    with pb.engine.begin() as conn:
        conn.execute(
            insert(t.stored_plans).values(
                id=1, planned_on=date(2026, 12, 1), planned_at=datetime(2026, 12, 1, 12), inputs_seen=0
            )
        )
        copy_binary(conn, s, names, blocks)
    with pb.engine.connect() as conn:
        read = conn.exec_driver_sql(f"SELECT {', '.join(names)} FROM {s.name} ORDER BY seq").all()

    assert [tuple(r) for r in read] == rows


def test_a_column_of_plain_texts_or_ids_is_written_as_it_is_and_any_other_value_escaped() -> None:
    """Texts with nothing to escape pass unchanged; specials, None and dates are converted."""
    assert column_text(["a", "b c"]) == ["a", "b c"]
    assert column_text([3, 12]) == ["3", "12"]
    assert column_text(["a\tb", "c\\d", None, "e\nf\rg"]) == ["a\\tb", "c\\\\d", "\\N", "e\\nf\\rg"]
    assert column_text([date(2026, 12, 1), None, True]) == ["2026-12-01", "\\N", "True"]
    assert column_text([1, 1.0, None, 1]) == ["1", "1.0", "\\N", "1"]


@given(
    st.lists(st.one_of(st.text(), st.sampled_from(["SO-1", "SO-000123", "", 'say "x"', "a\\b", "é", "\x7f"])))
)
def test_a_queue_entrys_completed_orders_are_written_as_json_dumps_writes_them(refs: list[str]) -> None:
    """The joined form is taken only where it is exactly `json.dumps`'s."""
    assert json_texts(refs) == json.dumps(refs)
    assert json_texts(tuple(refs)) == json.dumps(refs)
