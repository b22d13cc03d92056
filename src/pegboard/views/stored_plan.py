"""The plan the supply pages show: the last one stored by a plan run, read as it was kept.

`/production`, `/purchasing` and `/plan` read the stored queue and suggestions instead of
planning on every visit; the page says when the stored plan is out of date (something planning
reads changed since) and offers "Run plan". Before any plan is stored, the caller plans for the
page (`PlanState.planned_now`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from pegboard.adapters.db import stored_plan as kept
from pegboard.adapters.db import tables as t
from pegboard.planning.result import PlanResult, Promise


@dataclass(frozen=True)
class PlanState:
    """Where the plan on a page comes from, for the notice above it."""

    #: The day the stored plan was made; None: no plan is stored, this one was planned for the page.
    planned_on: date | None
    #: Orders, stock, supply, items or BOMs changed after the stored plan was made.
    out_of_date: bool

    @property
    def planned_now(self) -> bool:
        """No plan is stored: what the page shows was planned for it and is not kept."""
        return self.planned_on is None


#: What a page shows before any plan is stored (planned for the page, so never out of date).
PLANNED_NOW = PlanState(None, False)


def plan_state(conn: Connection) -> PlanState:
    """Where a stored-plan read comes from: the stored plan (out of date or not), else planned now."""
    stamp = kept.plan_stamp(conn)
    return PLANNED_NOW if stamp is None else PlanState(stamp.planned_on, stamp.out_of_date)


def read_stored_plan(
    conn: Connection, *, queue_offset: int = 0, queue_limit: int | None = None
) -> tuple[PlanState, PlanResult] | None:
    """The stored plan's state, queue (from entry `queue_offset` on, at most `queue_limit`) and
    suggestions; None when no plan is stored. Its promises are not in the result: see
    `stored_promises`."""
    found = kept.stored_plan(conn, queue_offset=queue_offset, queue_limit=queue_limit)
    if found is None:
        return None
    return PlanState(found.stamp.planned_on, found.stamp.out_of_date), found.result


def stored_promises(conn: Connection, *, limit: int) -> list[Promise]:
    """The promises kept for waiting lines, the first orders by rank (priority, then oldest) first,
    one per part of a line (at most `limit`)."""
    so, ol, lp, it, pp = t.sales_orders.c, t.order_lines.c, t.line_promises.c, t.items.c, t.promise_parts.c
    rows = conn.execute(
        select(so.order_ref, ol.line_no, it.sku, pp.parts)
        .select_from(t.sales_orders)
        .join(t.order_lines, ol.order_id == so.id)
        .join(t.line_promises, lp.line_id == ol.id)
        .join(t.promise_parts, pp.parts_key == lp.parts_key)
        .join(t.items, it.id == ol.item_id)
        .where(ol.quantity > ol.allocated + ol.shipped + ol.cancelled)
        .order_by(so.priority.desc(), so.ordered_at, so.id, ol.line_no)
        .limit(limit)
    )
    found: list[Promise] = []
    for r in rows:
        for part in json.loads(r.parts):
            found.append(_promise(r.order_ref, r.line_no, r.sku, part))
            if len(found) == limit:
                return found
    return found


def _promise(order_ref: str, line_no: int, sku: str, part: dict[str, Any]) -> Promise:
    day = part.get("date")
    # A part stored before stated dates were kept has none: its date stands for it.
    stated = part.get("stated_date", day)
    return Promise(
        order_ref,
        line_no,
        sku,
        Decimal(str(part["quantity"])),
        None if day is None else date.fromisoformat(day),
        str(part.get("reason", "")),
        str(part.get("basis", "")),
        None if stated is None else date.fromisoformat(stated),
    )
