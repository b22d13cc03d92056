"""The KPIs' arithmetic: nearest-rank percentiles, rates, means, the backorder trend, supplier reliability."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from pegboard.domain.errors import InvalidValue
from pegboard.domain.kpis import (
    Period,
    days_mean,
    mean,
    open_trend,
    percentile,
    rate,
    share,
)
from pegboard.planning.reliability import Delivery, reliability_of, supplier_reliability
from pegboard.views.kpis import supplier_figures

MONDAY = date(2026, 11, 2)


def test_percentiles_take_the_nearest_rank_so_they_are_always_an_observed_value() -> None:
    # Ten observations 1..10: p50 is the 5th (5), p90 the 9th (9), p100 the 10th.
    days = dict.fromkeys(range(1, 11), 1)

    assert (percentile(days, 50), percentile(days, 90), percentile(days, 100)) == (5, 9, 10)


def test_percentiles_weigh_each_value_by_its_count() -> None:
    # {0: 3, 4: 1, 20: 1}: five lines; p50 is the 3rd (0), p90 the ceil(4.5) = 5th (20).
    assert (percentile({4: 1, 0: 3, 20: 1}, 50), percentile({4: 1, 0: 3, 20: 1}, 90)) == (0, 20)


def test_an_empty_histogram_has_no_percentile_mean_or_rate() -> None:
    assert (percentile({}, 50), mean({}), share(0, 0)) == (None, None, None)


def test_rates_are_fractions_to_four_places_and_means_days_to_two() -> None:
    assert share(2, 3) == Decimal("0.6667")
    assert share(3, 3) == Decimal(1)
    # (-3 * 1 + 1 * 2) / 3 = -1/3
    assert mean({-3: 1, 1: 2}) == Decimal("-0.33")


def test_a_percentile_outside_1_to_100_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        percentile({1: 1}, 0)


def test_the_default_period_is_the_30_days_to_today() -> None:
    period = Period.of(today=MONDAY)

    assert (period.start, period.end, len(period.days)) == (MONDAY - timedelta(days=29), MONDAY, 30)


def test_a_period_starting_after_it_ends_is_refused_naming_from() -> None:
    with pytest.raises(InvalidValue) as refused:
        Period.of(today=MONDAY, start=MONDAY, end=MONDAY - timedelta(days=1))

    assert refused.value.field == "from"


def test_a_period_longer_than_ten_years_or_ending_far_ahead_is_refused() -> None:
    with pytest.raises(InvalidValue) as too_long:
        Period.of(today=MONDAY, start=date(2000, 1, 1))
    with pytest.raises(InvalidValue) as too_far:
        Period.of(today=MONDAY, end=date(9999, 12, 31))

    assert (too_long.value.field, too_far.value.field) == ("from", "to")


def test_the_trend_counts_what_opened_minus_what_ended_by_each_day() -> None:
    days = [MONDAY + timedelta(days=n) for n in range(4)]
    opened = {MONDAY - timedelta(days=5): 2, days[1]: 1}
    ended = {days[2]: 2}

    assert open_trend(opened=opened, ended=ended, days=days) == [2, 3, 1, 1]


def _received(supplier: str, first_expected: date | None, late: int, quantity: int) -> Delivery:
    return Delivery(
        supplier,
        "SKU",
        "PO",
        MONDAY - timedelta(days=10),
        first_expected,
        (first_expected or MONDAY) + timedelta(days=late),
        Decimal(quantity),
    )


def test_suppliers_are_judged_by_planning_s_definition_weighted_by_the_units_received() -> None:
    receipts = [
        _received("Acme", MONDAY, 0, 1),
        _received("Acme", MONDAY, 4, 3),
        _received("Acme", None, 0, 5),
        _received("Bolt", MONDAY, -1, 2),
    ]

    acme, bolt = (supplier_figures(r) for r in supplier_reliability(receipts))

    # Acme: two receipts judged (1 unit on time, 3 units 4 days late), one without a date. On time
    # 1 of 4 units = 0.25; mean slip (1 x 0 + 3 x 4) / 4 = 3 (unweighted per line it was 0.5 and 2).
    assert (acme.lines_received, acme.lines_judged, acme.on_time_rate, acme.mean_slip_days) == (
        3,
        2,
        Decimal("0.25"),
        Decimal("3.00"),
    )
    assert (bolt.on_time_rate, bolt.mean_slip_days) == (Decimal(1), Decimal("-1.00"))
    # No dated receipt: nothing to judge.
    undated = supplier_figures(reliability_of("Acme", None, receipts[2:3]))
    assert (undated.lines_judged, undated.on_time_rate, undated.mean_slip_days) == (0, None, None)


def test_figures_worked_out_elsewhere_are_rounded_half_up_to_the_kpis_places() -> None:
    assert (rate(4 / 9), days_mean(15 / 9), days_mean(-0.125)) == (
        Decimal("0.4444"),
        Decimal("1.67"),
        Decimal("-0.13"),
    )
    assert (rate(None), days_mean(None)) == (None, None)
