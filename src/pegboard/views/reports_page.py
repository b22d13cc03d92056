"""The Reports page (`/reports`) and `pegboard report`: the KPIs with their charts' data.

No database here: the page is built from a `Kpis` already read, so the page, its charts, the
HTML report and the PNG charts all show the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pegboard.domain.kpis import share
from pegboard.views.json import number
from pegboard.views.kpis import Kpis

#: The charts, by key: (accessible name, x axis, y axis).
CHARTS = {
    "trend": ("Open backorders by day", "Date", "Lines on backorder"),
    "ages": ("Backorders by age", "Age in days", "Lines on backorder"),
    "promises": ("Promise accuracy by week", "Week starting", "Promises kept (%)"),
    "suppliers": ("Supplier reliability", "Supplier", "Received on time (%)"),
}


@dataclass(frozen=True)
class Week:
    """Promises judged and kept among lines completed in one week (Monday first)."""

    start: date
    judged: int
    kept: int

    @property
    def accuracy(self) -> Decimal | None:
        """Kept as a fraction of judged; None in a week with nothing judged."""
        return share(self.kept, self.judged)


def weeks(report: Kpis) -> tuple[Week, ...]:
    """The period's daily promise figures summed per week (a part week at either end counts)."""
    found: dict[date, tuple[int, int]] = {}
    for d in report.daily:
        monday = d.day - timedelta(days=d.day.weekday())
        judged, kept = found.get(monday, (0, 0))
        found[monday] = (judged + d.promises_judged, kept + d.promises_kept)
    return tuple(Week(start, judged, kept) for start, (judged, kept) in sorted(found.items()))


def _percent(rate: Decimal | None) -> float | None:
    return None if rate is None else float(round(rate * 100, 1))


def chart_data(report: Kpis) -> dict[str, dict[str, Any]]:
    """Each chart's labels and values (with its title and axes), ready for Chart.js or matplotlib."""
    found: dict[str, dict[str, Any]] = {}
    series: dict[str, tuple[str, list[str], list[Any]]] = {
        "trend": (
            "line",
            [d.day.isoformat() for d in report.daily],
            [d.open_backorder_lines for d in report.daily],
        ),
        "ages": ("bar", [b.label for b in report.backorder_ages], [b.lines for b in report.backorder_ages]),
        "promises": (
            "line",
            [w.start.isoformat() for w in weeks(report)],
            [_percent(w.accuracy) for w in weeks(report)],
        ),
        "suppliers": (
            "bar",
            [s.supplier for s in report.suppliers],
            [_percent(s.on_time_rate) for s in report.suppliers],
        ),
    }
    for key, (kind, labels, values) in series.items():
        title, x, y = CHARTS[key]
        found[key] = {
            "type": kind,
            "title": title,
            "x": x,
            "y": y,
            "labels": labels,
            "values": values,
            "unit": "percent" if "%" in y else "count",
            "empty": all(v is None for v in values),
        }
    return found


@dataclass(frozen=True)
class ReportsPage:
    """The /reports page: the filter form, the figures and four charts with their tables."""

    #: The business date.
    today: date
    #: The figures for the period and scope asked for; None when the form was refused.
    kpis: Kpis | None
    #: What was typed in the filter form, by field name, shown again.
    values: dict[str, str] = field(default_factory=dict)

    @property
    def charts(self) -> dict[str, dict[str, Any]]:
        """Each chart's data (empty when there are no figures)."""
        return {} if self.kpis is None else chart_data(self.kpis)

    @property
    def weeks(self) -> tuple[Week, ...]:
        """Promise accuracy per week, for the chart's table."""
        return () if self.kpis is None else weeks(self.kpis)

    @staticmethod
    def rate(rate: Decimal | None) -> str:
        """A rate in words for the page."""
        return rate_words(rate)

    @staticmethod
    def days(days: int | Decimal | None) -> str:
        """Days in words for the page."""
        return days_words(days)


def rate_words(rate: Decimal | None) -> str:
    """A rate as a whole percentage ("57 %"), or a dash when nothing could be judged."""
    return "–" if rate is None else f"{round(rate * 100)} %"


def days_words(days: int | Decimal | None) -> str:
    """Days as a number, or a dash when there were none to measure."""
    if days is None:
        return "–"
    return str(number(Decimal(days)))
