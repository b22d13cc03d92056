"""The KPIs on a small seeded history, checked against figures worked out by hand (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pegboard.adapters.clock import FixedClock
from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import InvalidValue, UnknownSku, UnknownSupplier
from pegboard.domain.items import Item, Procurement
from pegboard.entrypoints.report import draw
from pegboard.services import books, catalogue
from pegboard.views.kpis import Kpis, kpis, kpis_json
from pegboard.views.reports_page import chart_data
from tests.builders import make_order
from tests.integration.views.kpi_story import TODAY, day, seed

#: The keys DESIGN.md names for `pegboard kpis --json`.
CONTRACT = (
    "open_backorder_lines",
    "open_backorder_units",
    "open_backorder_value",
    "backorder_age_p50_days",
    "backorder_age_p90_days",
    "oldest_backorder_days",
    "backorder_rate",
    "fill_rate",
    "on_time_in_full",
    "cycle_time_p50_days",
    "cycle_time_p90_days",
    "promise_accuracy",
    "promise_slack_days",
    "deposits_held",
    "revenue_shipped",
)


def _report(pb: Pegboard, **narrow: str) -> Kpis:
    with pb.reader() as uow:
        return kpis(uow.connection, today=TODAY, start=day(0), end=day(10), **narrow)


def test_open_backorders_are_counted_valued_and_aged_at_today(pb: Pegboard) -> None:
    seed(pb)

    report = _report(pb)

    # Only SO-4 waits: 2 KETTLE at 50 = 100, on backorder since day 7, so 3 days old.
    assert (report.open_backorder_lines, report.open_backorder_units, report.open_backorder_value) == (
        1,
        Decimal(2),
        Decimal(100),
    )
    assert (report.backorder_age_p50_days, report.backorder_age_p90_days, report.oldest_backorder_days) == (
        3,
        3,
        3,
    )
    assert [b.lines for b in report.backorder_ages] == [1, 0, 0, 0, 0]


def test_period_figures_match_the_hand_counted_history(pb: Pegboard) -> None:
    seed(pb)

    report = _report(pb)

    # Stock lines placed: SO-1 (2), SO-2, SO-3, SO-4, SO-5, SO-6 = 7; not fully allocated when
    # placed: SO-2, SO-3, SO-4, SO-6 = 4. 4/7 = 0.5714.
    assert (report.lines_placed, report.backordered_at_order, report.backorder_rate) == (
        7,
        4,
        Decimal("0.5714"),
    )
    # First shipped in the period: SO-1's two lines, SO-2, SO-3, SO-6; whole at once: all but SO-2. 4/5.
    assert (report.lines_first_shipped, report.fill_rate) == (5, Decimal("0.8"))
    # Completed: the same 5. SO-6 was only ever open term: counted apart. Due dates: SO-1's lines
    # day 0 + 2 (never promised), shipped day 1 whole: on time in full; SO-2 came in two parts: not;
    # SO-3 promised day 3, shipped whole on day 3: yes. 3 of 4.
    assert (report.lines_completed, report.lines_judged_on_time, report.on_time_in_full) == (
        5,
        4,
        Decimal("0.75"),
    )
    # Promises: SO-2 first promised day 4, shipped day 7 (slack -3, missed); SO-3 promised day 3,
    # shipped day 3 (slack 0, kept). 1 of 2; mean slack (-3 + 0) / 2 = -1.50.
    assert (report.promises_judged, report.promise_accuracy, report.promise_slack_days) == (
        2,
        Decimal("0.5"),
        Decimal("-1.50"),
    )
    assert report.promise_open_term_lines == 1
    # Orders shipped complete: SO-1 (day 0 to 1: 1 day), SO-2 (0 to 7: 7), SO-3 (2 to 3: 1),
    # SO-6 (8 to 9: 1). Days {1, 1, 1, 7}: p50 is the 2nd = 1, p90 the 4th = 7.
    assert (report.orders_completed, report.cycle_time_p50_days, report.cycle_time_p90_days) == (4, 1, 7)
    # Backorders served: SO-2 (day 0 to 7: 7), SO-3 (2 to 3: 1), SO-6 (8 to 9: 1): p50 1, p90 7.
    assert (
        report.backorders_served,
        report.days_on_backorder_p50_days,
        report.days_on_backorder_p90_days,
    ) == (
        3,
        1,
        7,
    )


def test_suppliers_stockouts_and_money_match_the_hand_counted_history(pb: Pegboard) -> None:
    seed(pb)

    report = _report(pb)

    # PO-2's 4 MUG arrived on the day first expected (slip 0); PO-1's 5 KETTLE were first due day 4
    # and came day 7 (slip 3). Planning's definition weighs each receipt by the units received: on
    # time 4 of 9 units = 0.4444; mean slip (4 x 0 + 5 x 3) / 9 = 1.67 (one line each: 0.5 and 1.50).
    assert (report.all_suppliers.on_time_rate, report.all_suppliers.mean_slip_days) == (
        Decimal("0.4444"),
        Decimal("1.67"),
    )
    assert [(s.supplier, s.on_time_rate, s.mean_slip_days) for s in report.suppliers] == [
        ("Kettle Co", Decimal(0), Decimal(3)),
        ("Mug Works", Decimal(1), Decimal(0)),
    ]
    # KETTLE is out from day 1 to day 6 (6 days); CRYSTAL from its first movement on day 9 (in and
    # out the same day) to day 10 (2 days). MUG never runs out.
    assert report.stockout_days == {"KETTLE": 6, "CRYSTAL": 2}
    # Deposits: SO-2 paid 150 and shipped it all; SO-4 paid 250 and nothing shipped: 250 held.
    # Revenue: SO-1 50 + 20, SO-2 50 + 100, SO-3 100, SO-6 30 = 350.
    assert (report.deposits_held, report.revenue_shipped) == (Decimal(250), Decimal(350))


def test_the_daily_trend_counts_lines_on_backorder_at_the_end_of_each_day(pb: Pegboard) -> None:
    seed(pb)

    report = _report(pb)
    found = kpis_json(report)

    # Opened: SO-2 day 0, SO-3 day 2, SO-4 day 7, SO-6 day 8; ended: SO-3 day 3, SO-2 day 7, SO-6 day 9.
    assert [d.open_backorder_lines for d in report.daily] == [1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1]
    assert [d.lines_placed for d in report.daily] == [3, 0, 1, 0, 0, 0, 0, 1, 2, 0, 0]
    assert [(d.day, d.promises_judged, d.promises_kept) for d in report.daily if d.promises_judged] == [
        (day(3), 1, 1),
        (day(7), 1, 0),
    ]
    assert report.daily[-1].open_backorder_lines == report.open_backorder_lines
    # The JSON has the contract's keys; rates are fractions, money and days numbers.
    assert set(CONTRACT) <= set(found)
    assert (found["backorder_rate"], found["promise_slack_days"], found["deposits_held"]) == (
        0.5714,
        -1.5,
        250,
    )


def test_a_sku_or_a_supplier_narrows_every_line_figure_and_leaves_the_journal_out(pb: Pegboard) -> None:
    seed(pb)

    report = _report(pb, sku="KETTLE")
    mugs = _report(pb, supplier="Mug Works")

    # KETTLE lines: SO-1 (in stock), SO-2 and SO-4 (backordered when placed): 2 of 3.
    assert (report.lines_placed, report.backorder_rate) == (3, Decimal("0.6667"))
    # First shipments: SO-1 whole, SO-2 in part: 1 of 2.
    assert report.fill_rate == Decimal("0.5")
    # Orders with a KETTLE line shipped complete: SO-1 (1 day), SO-2 (7): p50 1, p90 7.
    assert (report.cycle_time_p50_days, report.cycle_time_p90_days) == (1, 7)
    assert report.stockout_days == {"KETTLE": 6}
    assert [s.supplier for s in report.suppliers] == ["Kettle Co"]
    assert (report.deposits_held, report.revenue_shipped) == (None, None)
    # Mug Works' MUG lines: SO-1, SO-3, SO-5; backordered when placed: SO-3. 1/3. Its one PO was on time.
    assert (mugs.lines_placed, mugs.backorder_rate) == (3, Decimal("0.3333"))
    assert (mugs.all_suppliers.lines_received, mugs.all_suppliers.on_time_rate) == (1, Decimal(1))
    assert mugs.open_backorder_lines == 0


def test_bad_input_is_refused_naming_the_field(pb: Pegboard) -> None:
    with pb.reader() as uow, pytest.raises(InvalidValue) as after:
        kpis(uow.connection, today=TODAY, start=day(5), end=day(4))
    with pb.reader() as uow, pytest.raises(UnknownSku) as sku:
        kpis(uow.connection, today=TODAY, sku="TEAPOT")
    with pb.reader() as uow, pytest.raises(UnknownSupplier) as supplier:
        kpis(uow.connection, today=TODAY, supplier="Nobody")

    assert (after.value.field, sku.value.field, supplier.value.field) == ("from", "sku", "supplier")


def test_money_is_given_per_day_deposits_at_each_days_end_and_revenue_booked_on_it(pb: Pegboard) -> None:
    seed(pb)

    report = _report(pb)
    found = kpis_json(report)

    # Deposits: SO-2 pays 150 on day 0, ships 1 KETTLE (50) on day 1 and its last 2 (100) on day 7,
    # when SO-4 pays 250. Revenue: day 1 SO-1 70 + SO-2 50; day 3 SO-3 100; day 7 SO-2 100; day 9 SO-6 30.
    assert [d.deposits_held for d in report.daily] == [150, 100, 100, 100, 100, 100, 100, 250, 250, 250, 250]
    assert [d.revenue_shipped for d in report.daily] == [0, 120, 0, 100, 0, 0, 0, 100, 0, 30, 0]
    assert sum(d.revenue_shipped or 0 for d in report.daily) == report.revenue_shipped
    assert report.daily[-1].deposits_held == report.deposits_held
    assert [d["deposits_held"] for d in found["daily"]][:2] == [150, 100]
    assert (found["preorder_deposits_held"], found["daily"][0]["preorder_deposits_held"]) == (0, 0)
    # A period starting later carries the deposits held before it: day 5 starts with 100.
    with pb.reader() as uow:
        later = kpis(uow.connection, today=TODAY, start=day(5), end=day(8))
    assert [d.deposits_held for d in later.daily] == [100, 100, 250, 250]
    assert later.revenue_shipped == 100
    # Narrowed to a SKU, the journal (kept per order) is left out day by day too.
    narrowed = kpis_json(_report(pb, sku="KETTLE"))
    assert {d["revenue_shipped"] for d in narrowed["daily"]} == {None}
    assert narrowed["preorder_deposits_held"] is None


def test_preorder_deposits_are_held_apart_from_backorder_deposits(pb: Pegboard) -> None:
    seed(pb)
    pb.clock = FixedClock(day(10))
    lamp = Item("LAMP", "Lamp", Procurement.BUY, supplier="Kettle Co", release_date=date(2027, 3, 1))
    catalogue.save_items([lamp], uow=pb.uow())
    make_order(pb, "SO-7", ("LAMP", 2))
    books.pay("SO-7", Decimal(40), uow=pb.uow(), clock=pb.clock)

    report = _report(pb)

    # SO-4's 250 is a backorder's deposit; SO-7 is a preorder: its 40 is counted apart.
    assert (report.deposits_held, report.preorder_deposits_held) == (250, 40)
    assert (report.daily[-1].deposits_held, report.daily[-1].preorder_deposits_held) == (250, 40)
    assert (report.daily[-2].preorder_deposits_held, report.revenue_shipped) == (0, 350)


def test_the_charts_say_whether_they_count_lines_or_a_percentage_and_when_nothing_was_judged(
    pb: Pegboard,
) -> None:
    seed(pb)

    charts = chart_data(_report(pb))
    with pb.reader() as uow:
        quiet = chart_data(kpis(uow.connection, today=TODAY, start=day(4), end=day(6)))

    assert {key: c["unit"] for key, c in charts.items()} == {
        "trend": "count",
        "ages": "count",
        "promises": "percent",
        "suppliers": "percent",
    }
    # Promises were judged on days 3 and 7; none between days 4 and 6, nor any receipt.
    assert (charts["promises"]["empty"], quiet["promises"]["empty"], quiet["suppliers"]["empty"]) == (
        False,
        True,
        True,
    )
    assert draw(quiet["promises"]).startswith(b"\x89PNG") and draw(charts["trend"]).startswith(b"\x89PNG")
