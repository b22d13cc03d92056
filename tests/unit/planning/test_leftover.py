"""The quote from the plan's leftover (`planning.leftover`) is the quote of a full re-plan
(`planning.quoting.quote_order`) whenever it answers, on random workshops."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegboard.planning.leftover import Leftover
from pegboard.planning.quoting import QuoteLine, quote_order
from pegboard.planning.snapshot import PlanInput
from tests.unit.planning.builders import FIRST_ORDER_AT, lightsaber_workshop
from tests.unit.planning.workshops import quantities, workshops

LATER = FIRST_ORDER_AT + timedelta(days=1)


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
