"""Today's strip of figures: open backorders and their ages, lines shipped complete, promises kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection, func, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.kpis import open_backorders_by_day

#: The window for lines shipped complete and promises kept.
RECENT_DAYS = 30
#: Backorder ages by bucket: (label, first day, last day or None).
AGE_BUCKETS = (
    ("0 to 7 days", 0, 7),
    ("8 to 14 days", 8, 14),
    ("15 to 30 days", 15, 30),
    ("over 30 days", 31, None),
)


@dataclass(frozen=True)
class AgeBucket:
    """Open backorder lines whose age falls in one range of days."""

    label: str
    lines: int
    units: Decimal
    old: bool

    @property
    def short(self) -> str:
        """The range alone, for a chart's axis: "0-7", "over 30"."""
        return self.label.removesuffix(" days").replace(" to ", "–")


@dataclass(frozen=True)
class Figures:
    """The strip of figures at the top of Today."""

    open_backorder_lines: int
    open_backorder_units: Decimal
    oldest_backorder_days: int | None
    shipped_complete_lines: int
    promises_judged: int
    promises_kept: int
    ages: tuple[AgeBucket, ...]

    @property
    def promises_kept_share(self) -> Decimal | None:
        """Promises kept as a fraction 0..1; None when no promised line shipped complete lately."""
        if not self.promises_judged:
            return None
        return Decimal(self.promises_kept) / Decimal(self.promises_judged)

    @property
    def promises_kept_percent(self) -> str:
        """The share as a whole percentage ("92 %"), or a dash when no promise could be judged yet."""
        share = self.promises_kept_share
        return "–" if share is None else f"{round(share * 100)} %"


def figures(conn: Connection, *, today: date) -> Figures:
    """Open backorders (lines, units, age buckets, oldest) and the last 30 days' shipped lines.

    Backorders are summed per opening day in the database (a few hundred rows, however many
    lines wait); a line without an opening day counts from its order's date.
    """
    # The same grouping as the KPIs' open backorders (one query for both, in adapters/db/kpis/backorders.py).
    per_day = [(r.day, r.lines, r.units) for r in open_backorders_by_day(conn)]
    lines, total, oldest = 0, Decimal(0), None
    counts = dict.fromkeys((label for label, _, _ in AGE_BUCKETS), 0)
    sums: dict[str, Decimal] = dict.fromkeys(counts, Decimal(0))
    for day, count, open_units in per_day:
        age = max((today - day).days, 0)
        lines, total = lines + count, total + open_units
        oldest = age if oldest is None else max(oldest, age)
        for label, first, last in AGE_BUCKETS:
            if age >= first and (last is None or age <= last):
                counts[label] += count
                sums[label] += open_units
    shipped, judged, kept = _recently_complete(conn, since=today - timedelta(days=RECENT_DAYS))
    return Figures(
        open_backorder_lines=lines,
        open_backorder_units=total,
        oldest_backorder_days=oldest,
        shipped_complete_lines=shipped,
        promises_judged=judged,
        promises_kept=kept,
        ages=tuple(
            AgeBucket(label, counts[label], sums[label], old=first > RECENT_DAYS)
            for label, first, _ in AGE_BUCKETS
        ),
    )


def _recently_complete(conn: Connection, *, since: date) -> tuple[int, int, int]:
    """Lines made complete by a shipment since `since`; how many had a promise; how many kept it."""
    sh, sl, ol, lp = t.shipments.c, t.shipment_lines.c, t.order_lines.c, t.line_promises.c
    last = func.max(sh.shipped_on).label("last_shipped")
    rows = conn.execute(
        select(ol.id, last, lp.first_date)
        .select_from(t.shipment_lines)
        .join(t.shipments, sh.id == sl.shipment_id)
        .join(t.order_lines, (ol.order_id == sh.order_id) & (ol.line_no == sl.line_no))
        .outerjoin(t.line_promises, lp.line_id == ol.id)
        .where(sh.shipped_on >= since, ol.shipped > 0, ol.shipped + ol.cancelled == ol.quantity)
        .group_by(ol.id, lp.first_date)
    ).all()
    judged = [r for r in rows if r.first_date is not None]
    kept = sum(1 for r in judged if r.last_shipped <= r.first_date)
    return len(rows), len(judged), kept
