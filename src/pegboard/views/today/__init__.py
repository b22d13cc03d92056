"""Today: what needs attention now, and a strip of figures about backorders and promises.

Read in one transaction (`page.today_page`). `figures` is the read model the KPI work extends: open
backorder lines and units, the oldest backorder's age, lines shipped complete in the last 30 days,
and the share of those promised a date that shipped on or before the first date promised. The
lists (ready to ship, oldest backorders, supply due, MOs to start, held shop orders, parked events)
are in `lists`.
"""

from __future__ import annotations

from pegboard.views.today.figures import AGE_BUCKETS, RECENT_DAYS, AgeBucket, Figures, figures
from pegboard.views.today.lists import (
    ACTIVE,
    COUNT_CAP,
    DUE_WITHIN_DAYS,
    OPEN_SUPPLY,
    SHOWN,
    AgedBackorder,
    Counted,
    DueSupply,
    HeldShopOrder,
    MoToStart,
    ParkedEvent,
    ReadyOrder,
    T,
    held_shop_orders,
    mos_to_start,
    oldest_backorders,
    parked_events,
    ready_to_ship,
    supply_due,
)
from pegboard.views.today.page import TodayPage, today_page

__all__ = [
    "ACTIVE",
    "AGE_BUCKETS",
    "COUNT_CAP",
    "DUE_WITHIN_DAYS",
    "OPEN_SUPPLY",
    "RECENT_DAYS",
    "SHOWN",
    "AgeBucket",
    "AgedBackorder",
    "Counted",
    "DueSupply",
    "Figures",
    "HeldShopOrder",
    "MoToStart",
    "ParkedEvent",
    "ReadyOrder",
    "T",
    "TodayPage",
    "figures",
    "held_shop_orders",
    "mos_to_start",
    "oldest_backorders",
    "parked_events",
    "ready_to_ship",
    "supply_due",
    "today_page",
]
