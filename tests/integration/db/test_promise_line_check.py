"""Many new line promises in one statement (a first plan's) are checked against their order lines
as a few are (migration 0037: on PostgreSQL by one ordered pass over the lines' key, above
10,000 new promises): one promise naming no line refuses them all, and the check leaves the
transaction's settings as they were."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, insert, select, text
from sqlalchemy.exc import IntegrityError

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.migrate import alembic_config
from pegboard.bootstrap import Pegboard
from pegboard.planning.promises import LinePromise
from tests.builders import make_items, make_order

#: More new promises than 0037's ordered check starts at.
MANY = 10_001
MISSING_LINE = 99_999_999
SETTINGS = ("enable_hashjoin", "enable_nestloop", "work_mem")


def many_lines(conn: Connection, count: int) -> list[int]:
    """`count` order lines (one order's: its first line and cancelled copies of it, which keep the
    stock's totals as they are), their ids in order."""
    first = conn.execute(select(t.order_lines).order_by(t.order_lines.c.id).limit(1)).mappings().one()
    cancelled = {"allocated": 0, "shipped": 0, "cancelled": first["quantity"]}
    rows = [{**first, **cancelled, "line_no": first["line_no"] + k} for k in range(1, count)]
    for row in rows:
        del row["id"]
    conn.execute(insert(t.order_lines), rows)
    return list(conn.execute(select(t.order_lines.c.id).order_by(t.order_lines.c.id)).scalars())


def promise(line_id: int) -> LinePromise:
    return LinePromise("SO-1", 1, "AXE", date(2026, 12, 9), "in stock", "stock", [], line_id)


def settings(conn: Connection) -> list[str]:
    if conn.dialect.name != "postgresql":
        return []
    return [conn.execute(text(f"SELECT current_setting('{name}')")).scalar_one() for name in SETTINGS]


@pytest.fixture
def line_ids(pb: Pegboard) -> list[int]:
    make_items(pb, "AXE")
    make_order(pb, "SO-1", ("AXE", 1))
    with pb.engine.begin() as conn:
        return many_lines(conn, MANY)


def stored_lines(pb: Pegboard) -> list[int]:
    with pb.engine.connect() as conn:
        return list(
            conn.execute(select(t.line_promises.c.line_id).order_by(t.line_promises.c.line_id)).scalars()
        )


def test_many_new_promises_one_naming_no_order_line_are_refused_and_none_is_written(
    pb: Pegboard, line_ids: list[int]
) -> None:
    batch = [promise(i) for i in line_ids] + [promise(MISSING_LINE)]

    # COPY runs on the driver's own cursor: its error comes unwrapped.
    with (
        pytest.raises((IntegrityError, psycopg.IntegrityError), match="names no order line"),
        pb.uow() as uow,
    ):
        uow.planning.save_promises(batch, on=date(2026, 12, 1), whole_plan=True)
        uow.commit()

    assert stored_lines(pb) == []


def test_many_new_promises_of_existing_lines_are_written_and_the_settings_stay_as_they_were(
    pb: Pegboard, line_ids: list[int]
) -> None:
    with pb.uow() as uow:
        before = settings(uow.planning.conn)
        uow.planning.save_promises([promise(i) for i in line_ids], on=date(2026, 12, 1), whole_plan=True)
        assert settings(uow.planning.conn) == before
        uow.commit()

    assert stored_lines(pb) == line_ids


def test_the_check_goes_down_to_0036s_and_up_again_refusing_a_promise_of_no_line_each_time(
    migrated_url: str, tmp_path: Path
) -> None:
    config = alembic_config(migrated_url)
    engine = create_engine(migrated_url)
    try:
        for revision in ("0036", "head"):
            if revision == "head":
                command.upgrade(config, "head")
            else:
                command.downgrade(config, revision)
            with pytest.raises(IntegrityError, match="names no order line"), engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO line_promises (line_id, promised_date, reason, basis, parts, "
                        "promised_on, first_date, first_promised_on, item_id, parts_key) VALUES "
                        f"({MISSING_LINE}, '2026-12-09', 'r', 'b', '[]', '2026-12-01', NULL, "
                        "'2026-12-01', 1, 0)"
                    )
                )
            if engine.dialect.name == "postgresql":
                with engine.connect() as conn:
                    source = conn.execute(
                        text("SELECT prosrc FROM pg_proc WHERE proname = 'line_promises_line_exists'")
                    ).scalar_one()
                assert ("OFFSET" in source) == (revision == "head")
    finally:
        engine.dispose()
