"""A what-if's answer as JSON (`pegboard whatif --json`, `POST /api/v1/whatif`) and as rows for the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pegboard.planning.collector import collector_paused
from pegboard.planning.whatif import LateLine
from pegboard.services.whatif import WhatIf
from pegboard.views.json import day, indented_json, number


def whatif_json(found: WhatIf) -> dict[str, Any]:
    """`scenario` (as given), `late_orders` (`order_ref, from, to, lines`), `open_term` lines (each
    line `order_ref, line_no, sku, from, to, stated_from, stated_to`, the last two the dates before
    suppliers' history moved them),
    `extra` (`kind` buy or make, `sku, supplier, quantity, by_date, ready_date, unit_cost, cost`),
    `added_demand` (`label, sku, quantity, date`), `cost` and `uncosted` SKUs; dates null: open term."""
    # A late supplier at L names some 60,000 lines: with the collector on, building them walked
    # every object the what-if left alive, again and again (5.3 s against 0.5 s, BENCHMARKS.md).
    with collector_paused():
        return _whatif_json(found)


def _whatif_json(found: WhatIf) -> dict[str, Any]:
    scenario = found.scenario
    return {
        "today": day(found.today),
        "scenario": {
            "demand": [d.text for d in scenario.demand],
            "late": [late.text for late in scenario.late],
            "order": [o.text for o in scenario.orders],
        },
        "late_orders": [
            {
                "order_ref": o.order_ref,
                "from": day(o.before),
                "to": day(o.after),
                "lines": [_line(line) for line in o.lines],
            }
            for o in found.outcome.late_orders
        ],
        "open_term": [_line(line) for line in found.outcome.open_term],
        "extra": [
            {
                "kind": e.kind,
                "sku": e.sku,
                "supplier": e.supplier,
                "quantity": number(e.quantity),
                "by_date": day(e.by_date),
                "ready_date": day(e.ready_date),
                "unit_cost": number(e.unit_cost),
                "cost": number(e.cost),
            }
            for e in found.extra
        ],
        "added_demand": [
            {"label": a.label, "sku": a.sku, "quantity": number(a.quantity), "date": day(a.date)}
            for a in found.outcome.added
        ],
        "cost": number(found.cost),
        "uncosted": found.uncosted,
    }


def whatif_json_text(found: WhatIf) -> str:
    """`whatif_json` as `json.dumps(..., indent=2, default=str)` writes it, byte for byte."""
    answer = whatif_json(found)
    with collector_paused():
        return indented_json(answer)


def _line(line: LateLine) -> dict[str, Any]:
    return {
        "order_ref": line.order_ref,
        "line_no": line.line_no,
        "sku": line.sku,
        "from": day(line.before),
        "to": day(line.after),
        "stated_from": day(line.stated_before),
        "stated_to": day(line.stated_after),
    }


@dataclass(frozen=True)
class WhatIfPage:
    """The /plan/whatif page: the scenario form (one entry a line per field) and, once tried, its answer."""

    #: The business date: dates in words.
    today: date
    #: What was typed in "demand", "late" and "order", kept when the form is refused.
    values: dict[str, str]
    #: The answer to the scenario tried (None: nothing tried yet, or the form was refused).
    found: WhatIf | None = None

    def value(self, name: str) -> str:
        """What was typed in field `name`."""
        return self.values.get(name, "")
