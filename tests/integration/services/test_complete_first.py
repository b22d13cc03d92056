"""complete-first through the services: the fair set is made whole, and every allocation says why."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.quantities import to_quantity
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine
from pegboard.entrypoints.cli import main
from pegboard.services import purchasing
from tests.builders import line_state, make_items, make_order
from tests.conftest import MONDAY
from tests.integration.services.test_preorders import three_preorders_and_three_lamps
from tests.invariants import assert_invariants

COMPLETE_FIRST = AllocationPolicy.COMPLETE_FIRST


def kettle_orders(pb: Pegboard, *needs: int) -> None:
    """SO-1 .. SO-n, oldest first, each waiting for its need of kettles; a PO of 20 kettles."""
    make_items(pb, "KETTLE")
    for i, need in enumerate(needs):
        make_order(pb, f"SO-{i + 1}", ("KETTLE", need), ordered_at=datetime(2026, 11, 20, 8 + i))
    po = PurchaseOrder("PO-1", "Acme", [PurchaseOrderLine("KETTLE", to_quantity(20), MONDAY)])
    purchasing.add_purchase_orders([po], uow=pb.uow())


def receive_four(pb: Pegboard) -> None:
    purchasing.receive("PO-1", "KETTLE", Decimal(4), uow=pb.uow(), clock=pb.clock, policy=COMPLETE_FIRST)


def allocated(pb: Pegboard) -> list[dict[str, Any]]:
    with pb.engine.connect() as conn:
        rows = conn.execute(
            select(t.outbox.c.payload).where(t.outbox.c.event_type == "LineAllocated").order_by(t.outbox.c.id)
        ).scalars()
        return [json.loads(r) for r in rows]


def test_four_kettles_complete_the_oldest_order_and_the_youngest_that_fits_and_say_why(pb: Pegboard) -> None:
    kettle_orders(pb, 3, 2, 2, 9, 1)

    receive_four(pb)

    assert line_state(pb, "SO-1") == [("KETTLE", 3, 0, 0, 0)]
    assert line_state(pb, "SO-5") == [("KETTLE", 1, 0, 0, 0)]
    assert sorted((a["order_ref"], a["reason"]) for a in allocated(pb)) == [
        ("SO-1", "complete-first: makes the order whole"),
        ("SO-5", "complete-first: makes the order whole"),
    ]


@pytest.fixture
def hurried(db_url: str) -> Iterator[Pegboard]:
    """A shop that gives complete-first no time at all to search."""
    board = bootstrap(Settings(database_url=db_url, complete_first_seconds=0), today=MONDAY)
    try:
        yield board
        assert_invariants(board.engine)
    finally:
        board.close()


def test_when_the_search_runs_out_of_time_the_allocations_say_the_set_is_not_proven_best(
    hurried: Pegboard,
) -> None:
    # The best set is SO-2, SO-3 and SO-4 (three orders); with no time only the first guess stands.
    kettle_orders(hurried, 3, 1, 1, 1, 2)

    receive_four(hurried)

    reasons = {a["order_ref"]: a["reason"] for a in allocated(hurried)}
    unproven = "complete-first: makes the order whole (best set found in the 0 s limit, not proven the best)"
    assert reasons == {"SO-1": unproven, "SO-2": unproven}


def test_a_plan_run_shows_why_complete_first_released_preorders_and_its_json_stays_clean(
    pb: Pegboard, capfd: pytest.CaptureFixture[str]
) -> None:
    released_day = three_preorders_and_three_lamps(pb)
    url = released_day.settings.database_url
    today = released_day.clock.today().isoformat()

    code = main(["--db", url, "--today", today, "plan", "--json", "--policy", "complete-first"])

    assert code == 0
    out, err = capfd.readouterr()
    assert "promises" in json.loads(out)  # nothing else on stdout, HiGHS's banner included
    assert "SO-1 line 1: 2 GALAXY-LAMP allocated (complete-first: makes the order whole)" in err
