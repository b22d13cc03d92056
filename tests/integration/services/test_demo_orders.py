"""The demo's orders come before whatever a user places after the demo, whatever the hour."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from pegboard.adapters.clock import SystemClock
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.engine import make_engine
from pegboard.bootstrap import Pegboard
from pegboard.config import Settings
from pegboard.entrypoints import demo
from tests.builders import make_order


@pytest.fixture
def early_board(db_url: str) -> Iterator[Pegboard]:
    """A Pegboard on the real clock's rules (no fixed date), at 07:30 UTC on 23 November."""
    clock = SystemClock(UTC, source=lambda: datetime(2026, 11, 23, 7, 30, tzinfo=UTC))
    board = Pegboard(settings=Settings(database_url=db_url), engine=make_engine(db_url), clock=clock)
    try:
        yield board
    finally:
        board.close()


def test_demo_orders_placed_before_nine_are_stamped_before_now_in_their_order(early_board: Pegboard) -> None:
    demo.load_catalogue(early_board)
    demo.place_orders(early_board)
    make_order(early_board, "SO-4", ("SABER-BLUE", 5))

    with early_board.engine.connect() as conn:
        so = t.sales_orders.c
        stamped = dict(conn.execute(select(so.order_ref, so.ordered_at)).all())

    assert stamped["SO-1"] < stamped["SO-2"] < stamped["SO-3"] < stamped["SO-4"]
    assert {s.date() for s in stamped.values()} == {date(2026, 11, 23)}
    assert stamped["SO-4"] == datetime(2026, 11, 23, 7, 30)


def test_demo_orders_keep_their_morning_hours_when_the_day_is_further_on() -> None:
    later = demo.orders_csv(date(2026, 11, 23), datetime(2026, 11, 23, 15, 0))
    early = demo.orders_csv(date(2026, 11, 23), datetime(2026, 11, 23, 8, 0))

    assert "2026-11-23T09:00:00,SABER-GREEN" in later and "2026-11-23T11:00:00,SABER-BLUE" in later
    assert "2026-11-23T02:00:00,SABER-GREEN" in early and "2026-11-23T06:00:00,SABER-BLUE" in early
    assert demo.orders_csv(date(2026, 11, 23)) == later
