"""A quote planned on what the order's own lines rest on equals the quote planned on everything."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegboard.planning.quoting import QuoteLine, quote_order
from pegboard.planning.scope import narrowed_for_new_lines
from pegboard.planning.snapshot import PlanInput
from tests.unit.planning.builders import FIRST_ORDER_AT, TODAY, lightsaber_workshop
from tests.unit.planning.workshops import quantities, workshops

LATER = FIRST_ORDER_AT + timedelta(days=1)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops(), st.data())
def test_a_quote_on_the_narrowed_snapshot_is_the_quote_on_the_whole_one(
    snapshot: PlanInput, data: st.DataObject
) -> None:
    skus = sorted(item.sku for item in snapshot.items)
    kinds = st.sampled_from(["stock", "stock", "stock", "preorder", "dropship"])
    lines = data.draw(
        st.lists(
            st.builds(
                QuoteLine,
                st.sampled_from(skus),
                quantities,
                kinds,
                st.one_of(st.none(), st.just(TODAY + timedelta(days=4))),
            ),
            min_size=1,
            max_size=3,
        )
    )
    priority = data.draw(st.sampled_from([0, 1, 2, 3]))

    narrow = quote_order(
        narrowed_for_new_lines(snapshot, [line.sku for line in lines]),
        lines,
        ordered_at=LATER,
        priority=priority,
    )

    assert narrow == quote_order(snapshot, lines, ordered_at=LATER, priority=priority)


def test_a_line_from_stock_takes_it_now_and_the_rest_waits_for_the_plan() -> None:
    snapshot = lightsaber_workshop()

    found = quote_order(snapshot, [QuoteLine("SABER-BLUE", Decimal(2))], ordered_at=LATER)

    assert found.lines[0].now == min(Decimal(2), snapshot.available.get("SABER-BLUE", Decimal(0)))
    assert sum((p.quantity for p in found.lines[0].parts), found.lines[0].now) == 2
