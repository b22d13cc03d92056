"""The quote from the plan's leftover (`planning.leftover`) is the quote of a full re-plan
(`planning.quoting.quote_order`) whenever it answers, on random workshops; and a leftover kept
through placed orders (`Leftover.with_placed`) answers as one built again after them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegboard.planning.leftover import Leftover
from pegboard.planning.quoting import QuoteLine, quote_order
from pegboard.planning.snapshot import BackorderDemand, HeldLine, PlanInput
from tests.unit.planning.builders import FIRST_ORDER_AT, lightsaber_workshop
from tests.unit.planning.workshops import quantities, workshops

LATER = FIRST_ORDER_AT + timedelta(days=1)
#: After every order the tests place.
QUOTED_AT = LATER + timedelta(hours=1)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops(), st.data())
def test_the_leftover_quote_is_the_full_quote_whenever_it_answers(
    snapshot: PlanInput, data: st.DataObject
) -> None:
    skus = sorted(item.sku for item in snapshot.items if item.procurement != "dropship")
    if not skus:
        return
    lines = data.draw(
        st.lists(st.builds(QuoteLine, st.sampled_from(skus), quantities), min_size=1, max_size=3)
    )
    priority = data.draw(st.sampled_from([0, 0, 1, 5]))

    leftover = Leftover(snapshot)
    fast = leftover.quote(lines, ordered_at=LATER, priority=priority)

    if fast is not None:
        assert fast == quote_order(snapshot, lines, ordered_at=LATER, priority=priority)
    # A quote changes nothing kept: the next one is answered from the same leftover.
    assert leftover.quote(lines, ordered_at=LATER, priority=priority) == fast


def test_the_lightsaber_workshop_is_answered_from_the_leftover() -> None:
    snapshot = lightsaber_workshop()
    lines = [QuoteLine("SABER-GREEN", Decimal(1)), QuoteLine("SABER-BLUE", Decimal(3))]

    fast = Leftover(snapshot).quote(lines, ordered_at=LATER)

    assert fast is not None
    assert fast == quote_order(snapshot, lines, ordered_at=LATER)
    # A higher priority than the orders waiting would come ahead of them: the full plan answers.
    assert Leftover(snapshot).quote(lines, ordered_at=LATER, priority=5) is None


def _placed(
    snapshot: PlanInput,
    ref: str,
    lines: list[tuple[str, Decimal]],
    *,
    priority: int,
    ordered_at: datetime,
    sequence: int,
    ship_complete: bool,
) -> tuple[PlanInput, dict[str, Decimal], list[BackorderDemand]]:
    """The snapshot once an order is placed (each line takes free stock at once, the rest waits),
    what it took from stock and what it waits for: what placing does in the store."""
    available = dict(snapshot.available)
    taken: dict[str, Decimal] = {}
    demands: list[BackorderDemand] = []
    held: list[HeldLine] = []
    for line_no, (sku, quantity) in enumerate(lines, start=1):
        now = min(quantity, available.get(sku, Decimal(0)))
        if now > 0:
            taken[sku] = taken.get(sku, Decimal(0)) + now
            available[sku] -= now
            if available[sku] == 0:
                del available[sku]
        if quantity > now:
            demands.append(BackorderDemand(ref, line_no, sku, quantity - now, priority, ordered_at, sequence))
        else:
            held.append(HeldLine(ref, line_no, sku, now))
    after = replace(snapshot, available=available, demands=[*snapshot.demands, *demands])
    if ship_complete:
        after = replace(after, ship_complete=after.ship_complete | {ref}, held=[*after.held, *held])
    return after, taken, demands


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops(), st.data())
def test_a_leftover_kept_through_placed_orders_answers_as_one_built_again(
    snapshot: PlanInput, data: st.DataObject
) -> None:
    skus = sorted(item.sku for item in snapshot.items if item.procurement != "dropship")
    if not skus:
        return
    orders = st.lists(st.tuples(st.sampled_from(skus), quantities), min_size=1, max_size=3)
    leftover = Leftover(snapshot)

    for n in range(data.draw(st.integers(1, 4))):
        at = LATER + timedelta(minutes=data.draw(st.integers(0, 2)) + 2 * n)
        snapshot, taken, demands = _placed(
            snapshot,
            f"SO-{90 + n}",
            data.draw(orders),
            priority=data.draw(st.sampled_from([0, 0, 1, 5])),
            ordered_at=at,
            sequence=100 + n,
            ship_complete=data.draw(st.booleans()),
        )
        kept = leftover.with_placed(taken, demands)
        # As the server does: where the change cannot be followed exactly, build it again.
        leftover = Leftover(snapshot) if kept is None else kept

    rebuilt = Leftover(snapshot)
    for _ in range(2):
        lines = [QuoteLine(sku, quantity) for sku, quantity in data.draw(orders)]
        priority = data.draw(st.sampled_from([0, 0, 1]))
        fast = leftover.quote(lines, ordered_at=QUOTED_AT, priority=priority)
        assert fast == rebuilt.quote(lines, ordered_at=QUOTED_AT, priority=priority)
        if fast is not None:
            assert fast == quote_order(snapshot, lines, ordered_at=QUOTED_AT, priority=priority)
