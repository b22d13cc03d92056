"""Today's page: the figures and every list, read at one moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from pegboard.views.today.figures import Figures, figures
from pegboard.views.today.lists import (
    AgedBackorder,
    Counted,
    DueSupply,
    HeldShopOrder,
    MoToStart,
    ParkedEvent,
    ReadyOrder,
    held_shop_orders,
    mos_to_start,
    oldest_backorders,
    parked_events,
    ready_to_ship,
    supply_due,
)


@dataclass(frozen=True)
class TodayPage:
    """Everything Today shows, read at one moment."""

    today: date
    figures: Figures
    ready: Counted[ReadyOrder]
    backorders: Counted[AgedBackorder]
    supply_due: Counted[DueSupply]
    mos_to_start: Counted[MoToStart]
    held: Counted[HeldShopOrder]
    parked: Counted[ParkedEvent]


def today_page(conn: Connection, *, today: date) -> TodayPage:
    """Today's page for the business date `today`."""
    strip = figures(conn, today=today)
    return TodayPage(
        today=today,
        figures=strip,
        ready=ready_to_ship(conn),
        backorders=oldest_backorders(conn, today=today, total=strip.open_backorder_lines),
        supply_due=supply_due(conn, today=today),
        mos_to_start=mos_to_start(conn, today=today),
        held=held_shop_orders(conn),
        parked=parked_events(conn),
    )
