"""Quote holds (`pegboard quote --hold`): held stock counts as allocated until the hold expires
or the order is placed with its quote id (SQLite and PostgreSQL; invariants checked after each)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from pegboard.adapters.clock import FixedClock
from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import ActionRefused, InvalidValue
from pegboard.domain.quantities import to_quantity
from pegboard.services import orders, planning
from pegboard.services.holds import release_hold
from pegboard.services.housekeeping import forget_old_records
from pegboard.services.quoting import Quote, QuoteRequest, quote_and_hold
from tests.builders import line_state, make_items, make_order, set_stock
from tests.conftest import MONDAY
from tests.invariants import assert_invariants


def hold(pb: Pegboard, *lines: tuple[str, int], minutes: int = 30) -> Quote:
    request = QuoteRequest(tuple((sku, Decimal(q)) for sku, q in lines))
    return quote_and_hold(request, minutes, uow=pb.uow(), clock=pb.clock)


def available(pb: Pegboard, sku: str) -> Decimal:
    with pb.reader() as uow:
        return uow.stock.levels([sku])[sku].available


def held(pb: Pegboard, quote_id: str) -> str:
    with pb.reader() as uow:
        found = uow.holds.get(quote_id)
    assert found is not None
    return found.status


def place(pb: Pegboard, ref: str, sku: str, quantity: int, quote_id: str | None = None) -> orders.Placed:
    draft = orders.OrderDraft(
        order_ref=ref,
        customer="Ada",
        lines=(orders.LineDraft(sku, to_quantity(quantity)),),
        quote_id=quote_id,
    )
    return orders.place_order(draft, uow=pb.uow(), clock=pb.clock)


def next_day(pb: Pegboard) -> None:
    pb.clock = FixedClock(MONDAY + timedelta(days=1))


def test_a_hold_keeps_its_stock_from_other_orders_and_goes_to_the_order_placed_with_its_id(
    pb: Pegboard,
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=3)

    found = hold(pb, ("KETTLE", 2))

    assert found.quote_id is not None and found.hold_until is not None
    assert found.lines[0].now == 2
    assert available(pb, "KETTLE") == 1
    other = make_order(pb, "SO-1", ("KETTLE", 3))
    assert (other.lines[0].allocated_quantity, other.lines[0].backordered_quantity) == (1, 2)

    placed = place(pb, "SO-2", "KETTLE", 2, quote_id=found.quote_id)

    assert placed.order.lines[0].allocated_quantity == 2
    assert held(pb, found.quote_id) == "converted"
    assert available(pb, "KETTLE") == 0
    # The same order sent again with the same quote id is the same order, not a refusal.
    again = place(pb, "SO-2", "KETTLE", 2, quote_id=found.quote_id)
    assert not again.created


def test_an_expired_hold_frees_its_stock_for_the_next_order(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=3)
    found = hold(pb, ("KETTLE", 3), minutes=60)
    assert available(pb, "KETTLE") == 0
    assert found.quote_id is not None

    next_day(pb)
    placed = place(pb, "SO-1", "KETTLE", 3)

    assert placed.order.lines[0].allocated_quantity == 3
    assert held(pb, found.quote_id) == "expired"
    # The quote's own order, placed late, is placed as any other: nothing is held for it any more.
    late = place(pb, "SO-2", "KETTLE", 1, quote_id=found.quote_id)
    assert late.order.lines[0].backordered_quantity == 1


def test_stock_an_expired_hold_frees_goes_to_the_lines_waiting_at_the_next_plan(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=3)
    found = hold(pb, ("KETTLE", 3))
    make_order(pb, "SO-1", ("KETTLE", 2))
    assert line_state(pb, "SO-1")[0][1] == 0  # nothing allocated: the hold has it all

    next_day(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert line_state(pb, "SO-1")[0][1] == 2
    assert found.quote_id is not None and held(pb, found.quote_id) == "expired"
    assert available(pb, "KETTLE") == 1


@pytest.mark.parametrize(
    ("policy", "gets"),
    [
        (AllocationPolicy.FIFO, "SO-1"),
        (AllocationPolicy.PRIORITY, "SO-2"),
        (AllocationPolicy.COMPLETE_FIRST, "SO-2"),
    ],
)
def test_stock_an_expired_hold_frees_goes_to_the_waiting_lines_by_the_shops_allocation_policy(
    pb: Pegboard, policy: AllocationPolicy, gets: str
) -> None:
    """The stateful test's seed 3232381368811813372035552364463303807, shrunk: the shop's
    setting decides (no `--policy` reaches an expiry); complete-first makes SO-2 whole, priority
    serves it first, fifo serves the older SO-1."""
    pb.settings = pb.settings.model_copy(update={"allocation_policy": policy})
    make_items(pb, "NUT")
    set_stock(pb, policy, NUT="0.5")
    found = hold(pb, ("NUT", 1))
    assert found.lines[0].now == Decimal("0.5")
    make_order(pb, "SO-1", ("NUT", 1), ordered_at=datetime.combine(MONDAY, time(9)))
    make_order(pb, "SO-2", ("NUT", "0.5"), priority=3, ordered_at=datetime.combine(MONDAY, time(9, 1)))

    next_day(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    allocated = {ref: line_state(pb, ref)[0][1] for ref in ("SO-1", "SO-2")}
    assert allocated == {ref: Decimal("0.5") if ref == gets else 0 for ref in ("SO-1", "SO-2")}
    assert found.quote_id is not None and held(pb, found.quote_id) == "expired"


def allocated_events(pb: Pegboard, order_ref: str) -> int:
    """How many LineAllocated events the outbox holds for the order."""
    with pb.reader() as uow:
        query = select(func.count()).where(
            t.outbox.c.event_type == "LineAllocated", t.outbox.c.order_ref == order_ref
        )
        return int(uow.connection.execute(query).scalar_one())


@pytest.mark.parametrize("ends_it", ["plan", "housekeeping", "quote", "order"])
def test_stock_an_expired_hold_frees_reaches_the_outbox_once_whoever_ends_the_hold(
    pb: Pegboard, ends_it: str
) -> None:
    make_items(pb, "KETTLE", "LAMP")
    set_stock(pb, KETTLE=3, LAMP=5)
    hold(pb, ("KETTLE", 3))
    make_order(pb, "SO-1", ("KETTLE", 2))
    assert allocated_events(pb, "SO-1") == 0

    next_day(pb)
    if ends_it == "plan":
        planning.run_plan(uow=pb.uow(), clock=pb.clock)
    elif ends_it == "housekeeping":
        forget_old_records(30, uow=pb.uow(), clock=pb.clock)
    elif ends_it == "quote":
        hold(pb, ("LAMP", 1))
    else:
        place(pb, "SO-2", "LAMP", 1)

    assert line_state(pb, "SO-1")[0][1] == 2
    assert allocated_events(pb, "SO-1") == 1


def test_housekeeping_ends_expired_holds(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=2)
    found = hold(pb, ("KETTLE", 2), minutes=5)
    assert found.quote_id is not None

    next_day(pb)
    forget_old_records(30, uow=pb.uow(), clock=pb.clock)

    assert held(pb, found.quote_id) == "expired"
    assert available(pb, "KETTLE") == 2


def test_a_hold_that_has_not_expired_stays(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=2)
    found = hold(pb, ("KETTLE", 1), minutes=24 * 60 * 2)
    assert found.quote_id is not None

    next_day(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert held(pb, found.quote_id) == "held"
    assert available(pb, "KETTLE") == 1


def test_a_count_below_what_is_held_ends_the_hold_before_any_order_loses_stock(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)
    make_order(pb, "SO-1", ("KETTLE", 2))
    found = hold(pb, ("KETTLE", 2))
    assert found.quote_id is not None

    set_stock(pb, KETTLE=3)

    assert held(pb, found.quote_id) == "released"
    assert line_state(pb, "SO-1")[0][1] == 2
    assert available(pb, "KETTLE") == 1


def test_a_hold_takes_only_what_stock_gives_now(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "LID")
    set_stock(pb, KETTLE=1)

    found = hold(pb, ("KETTLE", 3), ("LID", 1))

    assert [line.now for line in found.lines] == [1, 0]
    assert found.quote_id is not None
    with pb.reader() as uow:
        stored = uow.holds.get(found.quote_id)
    assert stored is not None and stored.quantities == {"KETTLE": Decimal(1)}


@pytest.mark.parametrize("minutes", [0, -5, 7 * 24 * 60 + 1])
def test_a_hold_of_no_time_or_more_than_a_week_is_bad_input(pb: Pegboard, minutes: int) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=1)

    with pytest.raises(InvalidValue, match="hold_minutes"):
        hold(pb, ("KETTLE", 1), minutes=minutes)

    assert available(pb, "KETTLE") == 1


def test_an_unknown_quote_id_or_one_placed_as_another_order_is_refused(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=2)
    found = hold(pb, ("KETTLE", 1))
    assert found.quote_id is not None
    place(pb, "SO-1", "KETTLE", 1, quote_id=found.quote_id)

    with pytest.raises(InvalidValue, match="quote_id"):
        place(pb, "SO-2", "KETTLE", 1, quote_id="Q-NOTHING")
    with pytest.raises(InvalidValue, match="placed already as order SO-1"):
        place(pb, "SO-3", "KETTLE", 1, quote_id=found.quote_id)

    assert available(pb, "KETTLE") == 1


def test_releasing_a_hold_early_gives_its_stock_to_the_line_waiting_then_back_to_available(
    pb: Pegboard,
) -> None:
    make_items(pb, "KETTLE", "LID")
    set_stock(pb, KETTLE=3, LID=2)
    found = hold(pb, ("KETTLE", 3), ("LID", 1))
    make_order(pb, "SO-1", ("KETTLE", 2))
    assert found.quote_id is not None and line_state(pb, "SO-1")[0][1] == 0

    freed = release_hold(found.quote_id, uow=pb.uow(), clock=pb.clock)

    assert freed == {"KETTLE": 3, "LID": 1}
    assert held(pb, found.quote_id) == "released"
    assert line_state(pb, "SO-1")[0][1] == 2
    assert allocated_events(pb, "SO-1") == 1
    assert (available(pb, "KETTLE"), available(pb, "LID")) == (1, 2)
    assert_invariants(pb.engine)


def test_a_hold_past_its_time_that_nothing_ended_yet_can_be_released(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=2)
    found = hold(pb, ("KETTLE", 2), minutes=5)
    assert found.quote_id is not None

    next_day(pb)
    release_hold(found.quote_id, uow=pb.uow(), clock=pb.clock)

    assert held(pb, found.quote_id) == "released"
    assert available(pb, "KETTLE") == 2


def test_releasing_an_unknown_or_ended_hold_is_refused_and_changes_nothing(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=3)
    placed = hold(pb, ("KETTLE", 1))
    kept = hold(pb, ("KETTLE", 1))
    assert placed.quote_id is not None and kept.quote_id is not None
    place(pb, "SO-1", "KETTLE", 1, quote_id=placed.quote_id)

    with pytest.raises(InvalidValue, match="quote_id"):
        release_hold("Q-NOTHING", uow=pb.uow(), clock=pb.clock)
    with pytest.raises(ActionRefused, match=r"ended already \(converted\)"):
        release_hold(placed.quote_id, uow=pb.uow(), clock=pb.clock)

    assert held(pb, kept.quote_id) == "held"
    assert available(pb, "KETTLE") == 1


def test_what_a_converted_hold_frees_and_its_order_does_not_take_goes_to_the_line_waiting(
    pb: Pegboard,
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=2)
    found = hold(pb, ("KETTLE", 2))
    make_order(pb, "SO-1", ("KETTLE", 2))
    assert found.quote_id is not None and line_state(pb, "SO-1")[0][1] == 0

    placed = place(pb, "SO-2", "KETTLE", 1, quote_id=found.quote_id)

    assert placed.order.lines[0].allocated_quantity == 1
    assert line_state(pb, "SO-1")[0][1] == 1
    assert allocated_events(pb, "SO-1") == 1
    assert available(pb, "KETTLE") == 0
    assert_invariants(pb.engine)


def test_a_count_that_ends_a_hold_gives_its_other_skus_to_the_lines_waiting_for_them(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "LID", "CUP")
    set_stock(pb, KETTLE=2, LID=1, CUP=1)
    found = hold(pb, ("KETTLE", 2), ("LID", 1), ("CUP", 1))
    make_order(pb, "SO-1", ("LID", 1))
    make_order(pb, "SO-2", ("CUP", 1))
    assert found.quote_id is not None

    set_stock(pb, KETTLE=1, CUP=1)  # CUP counted as it was: its hold ends with the KETTLE's

    assert held(pb, found.quote_id) == "released"
    assert line_state(pb, "SO-1")[0][1] == 1
    assert line_state(pb, "SO-2")[0][1] == 1
    assert (available(pb, "KETTLE"), available(pb, "LID"), available(pb, "CUP")) == (1, 0, 0)
    assert_invariants(pb.engine)
