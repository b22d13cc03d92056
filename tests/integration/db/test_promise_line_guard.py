"""A line promise always names an existing order line, kept by triggers (migration 0032) where a
foreign key kept it before, on both databases, whichever way the promise is written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.migrate import alembic_config
from pegboard.adapters.db.planning import promises as promise_store
from pegboard.bootstrap import Pegboard
from pegboard.planning.promises import LinePromise
from pegboard.services import planning
from tests.integration.db.raw_rows import add_anns_order, add_kettle
from tests.integration.services.test_planning import lightsaber_after_first_shipments

MISSING_LINE = 999_999


def promised_lines(pb: Pegboard) -> list[int]:
    with pb.engine.connect() as conn:
        return list(
            conn.execute(select(t.line_promises.c.line_id).order_by(t.line_promises.c.line_id)).scalars()
        )


def promise_of_no_line(line_id: int = MISSING_LINE) -> LinePromise:
    return LinePromise("SO-404", 1, "SABER-GREEN", date(2026, 12, 9), "in stock", "stock", [], line_id)


@pytest.mark.parametrize("bulk", [promise_store.BULK, 0], ids=["statements", "copy"])
def test_a_promise_of_no_order_line_is_refused_and_none_of_its_batch_is_written(
    pb: Pegboard, monkeypatch: pytest.MonkeyPatch, bulk: int
) -> None:
    """A batch of new promises with one naming no order line writes nothing (COPY included)."""
    lightsaber_after_first_shipments(pb)
    monkeypatch.setattr(promise_store, "BULK", bulk)
    with pb.engine.connect() as conn:
        line_ids = list(conn.execute(select(t.order_lines.c.id).order_by(t.order_lines.c.id)).scalars())
    batch = [promise_of_no_line(i) for i in line_ids] + [promise_of_no_line()]

    # COPY runs on the driver's own cursor: its error comes unwrapped.
    with (
        pytest.raises((IntegrityError, psycopg.IntegrityError), match="names no order line"),
        pb.uow() as uow,
    ):
        uow.planning.save_promises(batch, on=date(2026, 12, 1), whole_plan=True)
        uow.commit()

    assert promised_lines(pb) == []


def test_an_order_line_with_a_promise_cannot_be_deleted_or_renumbered(pb: Pegboard) -> None:
    """Deleting or renumbering a promised line is refused; an unpromised line is not held."""
    lightsaber_after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    promised = promised_lines(pb)
    assert promised

    for statement in (
        f"DELETE FROM order_lines WHERE id = {promised[0]}",
        f"UPDATE order_lines SET id = {MISSING_LINE} WHERE id = {promised[0]}",
    ):
        with (
            pytest.raises(IntegrityError, match="cannot be deleted or renumbered"),
            pb.engine.begin() as conn,
        ):
            conn.execute(text(statement))
    with pytest.raises(IntegrityError, match="names no order line"), pb.engine.begin() as conn:
        conn.execute(text(f"UPDATE line_promises SET line_id = {MISSING_LINE} WHERE line_id = {promised[0]}"))

    assert promised_lines(pb) == promised
    with pb.engine.begin() as conn:  # a line's other columns still change freely
        conn.execute(text(f"UPDATE order_lines SET options = '' WHERE id = {promised[0]}"))
        conn.execute(text(f"UPDATE line_promises SET reason = 'checked' WHERE line_id = {promised[0]}"))


def test_upgrading_keeps_every_promise_and_the_triggers_that_read_them_on_sqlite(tmp_path: Path) -> None:
    """SQLite rebuilds the table to drop its foreign key: the promises and the roll-up's
    triggers on it and on order lines are all there after."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0030")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            add_kettle(conn)
            add_anns_order(conn)
            conn.execute(
                text(
                    "INSERT INTO order_lines (id, order_id, line_no, item_id, quantity) "
                    "VALUES (7, 1, 1, 1, 3000000)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO line_promises (line_id, promised_date, reason, basis, parts, promised_on, "
                    "first_date, first_promised_on, item_id, parts_key) VALUES (7, '2026-12-09', 'PO-1 due', "
                    "'PO-1', '[]', '2026-12-01', '2026-12-09', '2026-12-01', 1, 5)"
                )
            )
            triggers_before = set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
            )
        command.upgrade(config, "head")
        with engine.begin() as conn:
            assert list(conn.execute(text("SELECT line_id, reason, parts_key FROM line_promises"))) == [
                (7, "PO-1 due", 5)
            ]
            triggers = set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
            )
            assert triggers_before < triggers
            assert conn.execute(text("PRAGMA foreign_key_list(line_promises)")).all() == []
            assert conn.execute(select(func.count()).select_from(t.shipped_days)).scalar_one() == 0
        with pytest.raises(IntegrityError, match="cannot be deleted"), engine.begin() as conn:
            conn.execute(text("DELETE FROM order_lines WHERE id = 7"))
    finally:
        engine.dispose()
