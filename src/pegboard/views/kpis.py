"""The KPIs read model: open backorders now, and how orders, promises and suppliers fared in a period.

One object feeds the CLI table, the JSON of `pegboard kpis --json` and `GET /api/v1/kpis`, the
Reports page and `pegboard report`. The facts come from `adapters/db/kpis/`, the arithmetic
from `domain/kpis.py`; the JSON keys are a contract (README, "KPIs").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from pegboard.adapters.db import kpis as facts
from pegboard.domain import kpis as k
from pegboard.planning.reliability import Reliability, reliability_of, supplier_reliability
from pegboard.views.json import number

#: Backorder ages by bucket, for the histogram: (label, first day, last day or None).
AGE_BUCKETS = (
    ("0 to 7 days", 0, 7),
    ("8 to 14 days", 8, 14),
    ("15 to 30 days", 15, 30),
    ("31 to 60 days", 31, 60),
    ("over 60 days", 61, None),
)


@dataclass(frozen=True)
class AgeBucket:
    """Open backorder lines whose age falls in one range of days."""

    label: str
    lines: int
    units: Decimal


@dataclass(frozen=True)
class Day:
    """One day of the period: backorders open at its end, lines placed, lines completed, promises judged."""

    day: date
    open_backorder_lines: int
    lines_placed: int
    backordered_at_order: int
    lines_completed: int
    promises_judged: int
    promises_kept: int
    #: From the journal, for the whole business only (None when narrowed to a SKU or supplier):
    #: deposits held at the day's end (backorders', then preorders') and revenue booked on the day.
    deposits_held: Decimal | None = None
    preorder_deposits_held: Decimal | None = None
    revenue_shipped: Decimal | None = None

    @property
    def promise_accuracy(self) -> Decimal | None:
        """The day's share of promises kept, None when no promised line completed that day."""
        return k.share(self.promises_kept, self.promises_judged)


@dataclass(frozen=True)
class Kpis:
    """Every figure of the KPIs for one period and scope (all items, one SKU, one supplier's)."""

    today: date
    period: k.Period
    sku: str | None
    supplier: str | None
    open_backorder_lines: int
    open_backorder_units: Decimal
    open_backorder_value: Decimal
    backorder_age_p50_days: int | None
    backorder_age_p90_days: int | None
    oldest_backorder_days: int | None
    backorder_ages: tuple[AgeBucket, ...]
    lines_placed: int
    backordered_at_order: int
    lines_first_shipped: int
    lines_whole_at_once: int
    lines_completed: int
    lines_on_time_in_full: int
    lines_judged_on_time: int
    orders_completed: int
    cycle_time_p50_days: int | None
    cycle_time_p90_days: int | None
    backorders_served: int
    days_on_backorder_p50_days: int | None
    days_on_backorder_p90_days: int | None
    promises_judged: int
    promises_kept: int
    promise_slack_days: Decimal | None
    promise_open_term_lines: int
    suppliers: tuple[k.SupplierReliability, ...]
    all_suppliers: k.SupplierReliability
    stockout_days: dict[str, int]
    #: From the journal, kept per order: only for the whole business (None when narrowed).
    deposits_held: Decimal | None
    revenue_shipped: Decimal | None
    daily: tuple[Day, ...]
    #: Preorders' deposits, counted apart from `deposits_held` (None when narrowed).
    preorder_deposits_held: Decimal | None = None

    @property
    def backorder_rate(self) -> Decimal | None:
        """Share of stock lines placed in the period that were not fully allocated when placed."""
        return k.share(self.backordered_at_order, self.lines_placed)

    @property
    def fill_rate(self) -> Decimal | None:
        """Share of lines first shipped in the period whose first shipment carried the whole line."""
        return k.share(self.lines_whole_at_once, self.lines_first_shipped)

    @property
    def on_time_in_full(self) -> Decimal | None:
        """Share of lines completed in the period that shipped whole at once by their due date."""
        return k.share(self.lines_on_time_in_full, self.lines_judged_on_time)

    @property
    def promise_accuracy(self) -> Decimal | None:
        """Share of lines completed in the period, promised a date, that shipped by the first date."""
        return k.share(self.promises_kept, self.promises_judged)


def kpis(
    conn: Connection,
    *,
    today: date,
    start: date | None = None,
    end: date | None = None,
    sku: str | None = None,
    supplier: str | None = None,
) -> Kpis:
    """The KPIs over `start`..`end` (default: the 30 days to today), for a SKU or a supplier's items."""
    period = k.Period.of(today=today, start=start, end=end)
    where = facts.scope(conn, sku=sku, supplier=supplier)
    waiting = facts.open_backorders_by_day(conn, where)
    ages, units, value = _open_now(waiting, today)
    shipped = _shipped(facts.shipped_lines(conn, period, where), period)
    placed = facts.placed_by_day(conn, period, where)
    cycles: dict[int, int] = {}
    for (ordered, last), n in facts.orders_completed(conn, period, where).items():
        cycles[(last - ordered).days] = cycles.get((last - ordered).days, 0) + n
    history = facts.backorder_history(conn, period, where)
    waits: dict[int, int] = {}
    for (went, left), n in history.served.items():
        waits[(left - went).days] = waits.get((left - went).days, 0) + n
    trend = k.open_trend(opened=history.opened, ended=history.ended, days=period.days)
    received = facts.deliveries(conn, period, where)
    money = facts.journal_money(conn, period) if where.everything else None
    return Kpis(
        today=today,
        period=period,
        sku=sku,
        supplier=supplier,
        open_backorder_lines=k.count(ages),
        open_backorder_units=units,
        open_backorder_value=value,
        backorder_age_p50_days=k.percentile(ages, 50),
        backorder_age_p90_days=k.percentile(ages, 90),
        oldest_backorder_days=max(ages) if ages else None,
        backorder_ages=_buckets(waiting, today),
        lines_placed=sum(n for n, _ in placed.values()),
        backordered_at_order=sum(b for _, b in placed.values()),
        lines_first_shipped=shipped.first,
        lines_whole_at_once=shipped.whole,
        lines_completed=shipped.completed,
        lines_on_time_in_full=shipped.otif,
        lines_judged_on_time=shipped.otif_judged,
        orders_completed=k.count(cycles),
        cycle_time_p50_days=k.percentile(cycles, 50),
        cycle_time_p90_days=k.percentile(cycles, 90),
        backorders_served=k.count(waits),
        days_on_backorder_p50_days=k.percentile(waits, 50),
        days_on_backorder_p90_days=k.percentile(waits, 90),
        promises_judged=k.count(shipped.slack),
        promises_kept=k.at_least(shipped.slack, 0),
        promise_slack_days=k.mean(shipped.slack),
        promise_open_term_lines=shipped.open_term,
        suppliers=tuple(supplier_figures(r) for r in supplier_reliability(received)),
        all_suppliers=supplier_figures(reliability_of(supplier or "all", None, received)),
        stockout_days=facts.stockout_days(conn, period, where),
        deposits_held=money.deposits_held if money else None,
        revenue_shipped=money.revenue_shipped if money else None,
        preorder_deposits_held=money.preorder_deposits_held if money else None,
        daily=tuple(
            Day(
                day,
                open_lines,
                placed.get(day, (0, 0))[0],
                placed.get(day, (0, 0))[1],
                shipped.completed_on.get(day, 0),
                shipped.judged_on.get(day, 0),
                shipped.kept_on.get(day, 0),
                *(
                    (
                        money.daily[day].deposits_held,
                        money.daily[day].preorder_deposits_held,
                        money.daily[day].revenue_shipped,
                    )
                    if money
                    else ()
                ),
            )
            for day, open_lines in zip(period.days, trend, strict=True)
        ),
    )


def supplier_figures(found: Reliability) -> k.SupplierReliability:
    """A supplier's reliability as planning learns it (`planning/reliability.py`), in the KPIs' places:
    on-time share of units received, and mean days late (negative: early), both weighted by quantity."""
    lateness = found.lateness
    return k.SupplierReliability(
        found.supplier,
        found.count,
        lateness.count if lateness is not None else 0,
        k.rate(found.on_time_rate),
        k.days_mean(lateness.mean if lateness is not None else None),
    )


def _open_now(rows: list[facts.OpenDay], today: date) -> tuple[dict[int, int], Decimal, Decimal]:
    """Open backorder lines by age in days, and their units and value."""
    ages: dict[int, int] = {}
    units, value = Decimal(0), Decimal(0)
    for row in rows:
        age = max((today - row.day).days, 0)
        ages[age] = ages.get(age, 0) + row.lines
        units, value = units + row.units, value + row.value
    return ages, units, value


def _buckets(rows: list[facts.OpenDay], today: date) -> tuple[AgeBucket, ...]:
    found = []
    for label, first, last in AGE_BUCKETS:
        inside = [
            r for r in rows if first <= max((today - r.day).days, 0) <= (last if last is not None else 10**9)
        ]
        found.append(
            AgeBucket(label, sum(r.lines for r in inside), sum((r.units for r in inside), Decimal(0)))
        )
    return tuple(found)


@dataclass
class _Shipped:
    first: int = 0
    whole: int = 0
    completed: int = 0
    otif: int = 0
    otif_judged: int = 0
    open_term: int = 0

    def __post_init__(self) -> None:
        self.slack: dict[int, int] = {}
        self.completed_on: dict[date, int] = {}
        self.judged_on: dict[date, int] = {}
        self.kept_on: dict[date, int] = {}


def _shipped(groups: list[facts.ShippedGroup], period: k.Period) -> _Shipped:
    """Fill rate from first shipments in the period; promises and OTIF from lines completed in it.

    A line's due date is its first promised date; a line never promised a date (it was in stock)
    is due within `HANDLING_DAYS` of its order; a line only ever promised an open term has no
    due date and is counted apart.
    """
    found = _Shipped()
    for g in groups:
        if period.start <= g.first_shipped <= period.end:
            found.first += g.lines
            found.whole += g.lines if g.whole_at_once else 0
        if not (g.complete and period.start <= g.last_shipped <= period.end):
            continue
        day = g.last_shipped
        found.completed += g.lines
        found.completed_on[day] = found.completed_on.get(day, 0) + g.lines
        if g.first_promise is not None:
            slack = (g.first_promise - g.last_shipped).days
            found.slack[slack] = found.slack.get(slack, 0) + g.lines
            found.judged_on[day] = found.judged_on.get(day, 0) + g.lines
            found.kept_on[day] = found.kept_on.get(day, 0) + (g.lines if slack >= 0 else 0)
        elif g.promised:
            found.open_term += g.lines
            continue
        due = g.first_promise or g.ordered_on + timedelta(days=k.HANDLING_DAYS)
        found.otif_judged += g.lines
        found.otif += g.lines if g.whole_at_once and g.last_shipped <= due else 0
    return found


#: The JSON keys of `pegboard kpis --json` and `GET /api/v1/kpis`, in order (README contract).
KEYS = (
    "today",
    "from",
    "to",
    "sku",
    "supplier",
    "open_backorder_lines",
    "open_backorder_units",
    "open_backorder_value",
    "backorder_age_p50_days",
    "backorder_age_p90_days",
    "oldest_backorder_days",
    "backorder_age_buckets",
    "lines_placed",
    "backorder_rate",
    "lines_first_shipped",
    "fill_rate",
    "lines_completed",
    "on_time_in_full",
    "orders_completed",
    "cycle_time_p50_days",
    "cycle_time_p90_days",
    "backorders_served",
    "days_on_backorder_p50_days",
    "days_on_backorder_p90_days",
    "promises_judged",
    "promise_accuracy",
    "promise_slack_days",
    "promise_open_term_lines",
    "supplier_lines_received",
    "supplier_on_time_rate",
    "supplier_mean_slip_days",
    "suppliers",
    "stockout_days",
    "deposits_held",
    "revenue_shipped",
    "preorder_deposits_held",
    "daily",
)


def _supplier(r: k.SupplierReliability) -> dict[str, Any]:
    return {
        "supplier": r.supplier,
        "lines_received": r.lines_received,
        "lines_judged": r.lines_judged,
        "on_time_rate": number(r.on_time_rate),
        "mean_slip_days": number(r.mean_slip_days),
    }


def kpis_json(report: Kpis) -> dict[str, Any]:
    """The KPIs as JSON: counts and days as numbers, rates as fractions 0..1, money in the shop's currency."""
    found: dict[str, Any] = {
        "today": report.today.isoformat(),
        "from": report.period.start.isoformat(),
        "to": report.period.end.isoformat(),
        "sku": report.sku,
        "supplier": report.supplier,
        "open_backorder_lines": report.open_backorder_lines,
        "open_backorder_units": number(report.open_backorder_units),
        "open_backorder_value": number(report.open_backorder_value),
        "backorder_age_p50_days": report.backorder_age_p50_days,
        "backorder_age_p90_days": report.backorder_age_p90_days,
        "oldest_backorder_days": report.oldest_backorder_days,
        "backorder_age_buckets": [
            {"label": b.label, "lines": b.lines, "units": number(b.units)} for b in report.backorder_ages
        ],
        "lines_placed": report.lines_placed,
        "backorder_rate": number(report.backorder_rate),
        "lines_first_shipped": report.lines_first_shipped,
        "fill_rate": number(report.fill_rate),
        "lines_completed": report.lines_completed,
        "on_time_in_full": number(report.on_time_in_full),
        "orders_completed": report.orders_completed,
        "cycle_time_p50_days": report.cycle_time_p50_days,
        "cycle_time_p90_days": report.cycle_time_p90_days,
        "backorders_served": report.backorders_served,
        "days_on_backorder_p50_days": report.days_on_backorder_p50_days,
        "days_on_backorder_p90_days": report.days_on_backorder_p90_days,
        "promises_judged": report.promises_judged,
        "promise_accuracy": number(report.promise_accuracy),
        "promise_slack_days": number(report.promise_slack_days),
        "promise_open_term_lines": report.promise_open_term_lines,
        "supplier_lines_received": report.all_suppliers.lines_received,
        "supplier_on_time_rate": number(report.all_suppliers.on_time_rate),
        "supplier_mean_slip_days": number(report.all_suppliers.mean_slip_days),
        "suppliers": [_supplier(r) for r in report.suppliers],
        "stockout_days": [{"sku": sku, "days": days} for sku, days in sorted(report.stockout_days.items())],
        "deposits_held": number(report.deposits_held),
        "revenue_shipped": number(report.revenue_shipped),
        "preorder_deposits_held": number(report.preorder_deposits_held),
        "daily": [
            {
                "date": d.day.isoformat(),
                "open_backorder_lines": d.open_backorder_lines,
                "lines_placed": d.lines_placed,
                "backordered_at_order": d.backordered_at_order,
                "lines_completed": d.lines_completed,
                "promises_judged": d.promises_judged,
                "promises_kept": d.promises_kept,
                "deposits_held": number(d.deposits_held),
                "preorder_deposits_held": number(d.preorder_deposits_held),
                "revenue_shipped": number(d.revenue_shipped),
            }
            for d in report.daily
        ],
    }
    assert tuple(found) == KEYS
    return found
