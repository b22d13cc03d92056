"""One item: its figures, movement ledger, BOM both ways, and projected available stock by date.

The projection starts from what is available today, takes off what is owed now (the item's
backorders), adds each open PO line and MO on its expected day and takes off what open MOs
need of the item on their start day; anything due before today counts today. Supply without
a date (open term) is not in the series: it is reported beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection, func, select

from pegboard.adapters.db import tables as t
from pegboard.planning.forecasting import Forecast
from pegboard.services.users import Action
from pegboard.views.items import ZERO, ItemRow, item_rows
from pegboard.views.options import OptionView, item_options, option_views
from pegboard.views.sql import units
from pegboard.views.wording import short_day_and_month


@dataclass(frozen=True)
class Movement:
    """One ledger entry: positive in, negative out."""

    day: date
    kind: str
    quantity: Decimal
    reference: str
    reason: str


@dataclass(frozen=True)
class BomRow:
    """A component of this item, or a parent this item goes into, and the quantity per parent unit."""

    sku: str
    name: str
    quantity: Decimal


@dataclass(frozen=True)
class HoldRow:
    """A quote's hold on this item: how much, since and until when (shop time)."""

    quote_id: str
    quantity: Decimal
    created_at: datetime
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        """Past its time, though no write has ended it yet (it still holds its stock)."""
        return self.expires_at <= now


@dataclass(frozen=True)
class ProjectionPoint:
    """Projected available stock after a day's supply and demand."""

    day: date
    supply: Decimal
    demand: Decimal
    available: Decimal


@dataclass(frozen=True)
class ItemDetail:
    """An item's page: figures, planning parameters, ledger, BOM, where used and projection."""

    row: ItemRow
    supplier: str | None
    lead_time_days: int | None
    reorder_qty: Decimal | None
    movements: tuple[Movement, ...]
    components: tuple[BomRow, ...]
    used_in: tuple[BomRow, ...]
    projection: tuple[ProjectionPoint, ...]
    #: Incoming supply with no expected date (open term): not in the projection.
    undated_supply: Decimal
    #: Its options (build to order), each with its default and values' BOM changes.
    options: tuple[OptionView, ...] = ()
    #: Quotes' holds still in force on it, soonest to end first.
    holds: tuple[HoldRow, ...] = ()

    @property
    def lowest_projected(self) -> Decimal:
        """The lowest projected available stock (a negative value is a shortage)."""
        return min((p.available for p in self.projection), default=self.row.available)


def item_detail(
    conn: Connection, sku: str, *, today: date, movements: int = 50, projection_only: bool = False
) -> ItemDetail | None:
    """The item by SKU for its page; None when no item carries the SKU. `projection_only` leaves
    out the ledger, BOM, options and holds (the forecast fragment shows only the projection)."""
    it = t.items
    head = conn.execute(
        select(it.c.id, it.c.lead_time_days, it.c.reorder_qty, t.suppliers.c.name.label("supplier"))
        .outerjoin(t.suppliers, t.suppliers.c.id == it.c.supplier_id)
        .where(it.c.sku == sku)
    ).first()
    if head is None:
        return None
    (row,) = item_rows(conn, sku=sku)
    points, undated = _projection(conn, head.id, row, today)
    if projection_only:
        bare = ((), (), ())  # movements, components, used in
        return ItemDetail(row, head.supplier, head.lead_time_days, head.reorder_qty, *bare, points, undated)
    sm = t.stock_moves
    ledger = tuple(
        Movement(r.moved_on, r.kind, r.quantity, r.reference, r.reason)
        for r in conn.execute(
            select(sm.c.moved_on, sm.c.kind, sm.c.quantity, sm.c.reference, sm.c.reason)
            .where(sm.c.item_id == head.id)
            .order_by(sm.c.id.desc())
            .limit(movements)
        )
    )
    return ItemDetail(
        row=row,
        supplier=head.supplier,
        lead_time_days=head.lead_time_days,
        reorder_qty=head.reorder_qty,
        movements=ledger,
        components=_bom(conn, head.id, down=True),
        used_in=_bom(conn, head.id, down=False),
        projection=points,
        undated_supply=undated,
        options=option_views(item_options(conn, sku)),
        holds=_holds(conn, head.id),
    )


def _holds(conn: Connection, item_id: int) -> tuple[HoldRow, ...]:
    """The holds in force on the item, soonest to end first."""
    h, hl = t.quote_holds.c, t.quote_hold_lines.c
    return tuple(
        HoldRow(r.quote_id, r.quantity, r.created_at, r.expires_at)
        for r in conn.execute(
            select(h.quote_id, hl.quantity, h.created_at, h.expires_at)
            .join(t.quote_hold_lines, hl.hold_id == h.id)
            .where(hl.item_id == item_id, h.status == "held")
            .order_by(h.expires_at, h.id)
        )
    )


def _bom(conn: Connection, item_id: int, *, down: bool) -> tuple[BomRow, ...]:
    """Components of the item (`down`), or the parents it is a component of."""
    bl, other = t.bom_lines, t.items.alias("other")
    mine, theirs = (bl.c.parent_id, bl.c.component_id) if down else (bl.c.component_id, bl.c.parent_id)
    return tuple(
        BomRow(r.sku, r.name, r.quantity)
        for r in conn.execute(
            select(other.c.sku, other.c.name, bl.c.quantity)
            .join(bl, theirs == other.c.id)
            .where(mine == item_id)
            .order_by(other.c.sku)
        )
    )


def _projection(
    conn: Connection, item_id: int, row: ItemRow, today: date
) -> tuple[tuple[ProjectionPoint, ...], Decimal]:
    """Projected available stock by day, and the incoming supply that has no date."""
    po, pol, mo, bl = t.purchase_orders, t.purchase_order_lines, t.manufacturing_orders, t.bom_lines
    open_mo = mo.c.status.not_in(["completed", "cancelled"])
    supply: list[tuple[date | None, Decimal]] = [
        (r.expected_date, r.open)
        for r in conn.execute(
            select(pol.c.expected_date, units(pol.c.quantity - pol.c.received).label("open"))
            .join(po, po.c.id == pol.c.po_id)
            .where(
                pol.c.item_id == item_id,
                pol.c.received < pol.c.quantity,
                po.c.order_id.is_(None),
                po.c.status.not_in(["received", "cancelled"]),
            )
        )
    ]
    supply += [
        (r.finish_date, r.open)
        for r in conn.execute(
            select(mo.c.finish_date, units(mo.c.quantity - mo.c.completed).label("open")).where(
                mo.c.item_id == item_id, open_mo
            )
        )
    ]
    # What each open MO still needs of the item beyond its reservation (counted in `allocated`).
    reserved = t.mo_reservations
    demand = [
        (r.start_date, r.per * r.open - r.reserved)
        for r in conn.execute(
            select(
                mo.c.start_date,
                bl.c.quantity.label("per"),
                units(mo.c.quantity - mo.c.completed).label("open"),
                func.coalesce(reserved.c.quantity, 0).label("reserved"),
            )
            .join(bl, bl.c.parent_id == mo.c.item_id)
            .outerjoin(reserved, (reserved.c.mo_id == mo.c.id) & (reserved.c.item_id == item_id))
            .where(bl.c.component_id == item_id, open_mo)
        )
    ]
    owed_now = row.required - sum((q for _, q in demand), ZERO)
    days: dict[date, list[Decimal]] = {today: [ZERO, owed_now]}
    for day, quantity in supply:
        if day is not None:
            days.setdefault(max(day, today), [ZERO, ZERO])[0] += quantity
    for day, quantity in demand:
        days.setdefault(max(day, today), [ZERO, ZERO])[1] += quantity
    level = row.available
    points = []
    for day in sorted(days):
        came, went = days[day]
        level += came - went
        points.append(ProjectionPoint(day, came, went, level))
    undated = sum((q for day, q in supply if day is None), ZERO)
    return tuple(points), undated


@dataclass(frozen=True)
class ItemPage:
    """The /items/{sku} page: the item, its chart data, and the count form."""

    #: The business date: where the projection starts.
    today: date
    #: The item with its figures, ledger, BOM and projection.
    item: ItemDetail
    #: Show the count form (operators and admins).
    can_write: bool
    #: Values typed into a refused count, by field name.
    values: dict[str, str]
    #: What people did to it through the web app, newest first.
    history: tuple[Action, ...] = ()
    #: Its weekly demand history and forecast (None: not forecast).
    forecast: Forecast | None = None
    #: The shop's wall-clock time: a hold past it has expired (None: not known).
    now: datetime | None = None

    @property
    def chart(self) -> dict[str, object]:
        """The projection day by day for the chart (a week past its last change, at most 120 days):
        labels, projected available, reorder point and safety stock."""
        points = self.item.projection
        first = points[0].day if points else self.today
        last = min(points[-1].day if points else first, first + timedelta(days=113)) + timedelta(days=7)
        labels, levels = [], []
        level, k = self.item.row.available, 0
        day = first
        while day <= last:
            while k < len(points) and points[k].day <= day:
                level, k = points[k].available, k + 1
            labels.append(short_day_and_month(day))
            levels.append(float(level))
            day += timedelta(days=1)
        row = self.item.row
        return {
            "days": labels,
            "available": levels,
            "reorder_point": None if row.reorder_point is None else float(row.reorder_point),
            "safety_stock": float(row.safety_stock),
            "with_forecast": self._less_forecast(levels, first),
        }

    def _less_forecast(self, levels: list[float], first: date) -> list[float] | None:
        """Projected available less the forecast demand to each day (None: no forecast demand)."""
        found = self.forecast
        if found is None or found.mean_per_day == 0:
            return None
        rate = {start + timedelta(days=i): q / 7 for start, q in found.values for i in range(7)}
        taken, out = 0.0, []
        for i, level in enumerate(levels):
            taken += rate.get(first + timedelta(days=i), found.mean_per_day)
            out.append(round(level - taken, 2))
        return out

    @property
    def forecast_weeks(self) -> list[tuple[date, float | None, float | None]]:
        """Weekly demand, for the second chart and its table alike: each of the last 26 weeks with
        units ordered, then each week forecast (week start, ordered, forecast)."""
        found = self.forecast
        if found is None:
            return []
        past = [(start, round(q, 2), None) for start, q in found.history[-26:]]
        return [*past, *((start, None, round(q, 2)) for start, q in found.values)]

    @property
    def forecast_chart(self) -> dict[str, object] | None:
        """The weekly demand ordered and forecast (`forecast_weeks`), as the second chart draws it."""
        found = self.forecast
        if found is None:
            return None
        weeks = self.forecast_weeks
        return {
            "weeks": [short_day_and_month(start) for start, _, _ in weeks],
            "ordered": [ordered for _, ordered, _ in weeks],
            "forecast": [forecast for _, _, forecast in weeks],
            "model": found.model,
        }
