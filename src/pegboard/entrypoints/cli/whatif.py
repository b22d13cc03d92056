"""What-if: the plan re-made for a scenario (late supply, more demand, an extra order); nothing written.

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import RenderableType

from pegboard.entrypoints.cli.context import AsJson, app, opened, out, table

if TYPE_CHECKING:
    from pegboard.services import whatif


@app.command("whatif")
def whatif_(
    ctx: typer.Context,
    demand: Annotated[
        list[str] | None, typer.Option("--demand", help="SKU:+200%[:FROM..TO]: demand that much higher")
    ] = None,
    late: Annotated[
        list[str] | None, typer.Option("--late", help="PO_OR_SUPPLIER:+DAYS: supply that many days later")
    ] = None,
    order: Annotated[
        list[str] | None, typer.Option("--order", help="SKU:QTY: an extra order placed now")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Re-plan a scenario in memory: which orders go late, which lines lose their date, what more
    to buy or make and by when, and its cost. Options repeat. Nothing is written.

    A demand rise of P% over FROM..TO (default the next 28 days) adds P% of what was ordered of
    the SKU over as many days up to today, ranked after every waiting order.
    """
    from pegboard.services import whatif
    from pegboard.views.whatif import whatif_json_text

    scenario = whatif.parse_scenario(demand or [], late or [], order or [])
    with opened(ctx) as pb:
        found = whatif.what_if(scenario, uow=pb.reader(), clock=pb.clock)
    if as_json:
        sys.stdout.write(whatif_json_text(found) + "\n")  # what `emit_json` writes, built faster
        return
    for part in _whatif_text(found):
        out.print(part)


def _whatif_text(found: whatif.WhatIf) -> list[RenderableType]:
    from pegboard.views.json import number

    shown: list[RenderableType] = []
    rows: list[list[object]] = []
    for o in found.outcome.late_orders:
        rows.append([o.order_ref, "", "", _when(o.before), _when(o.after)])
        rows += [["", line.line_no, line.sku, _when(line.before), _when(line.after)] for line in o.lines]
    shown.append(
        table(
            f"Orders that go late ({len(found.outcome.late_orders)})",
            ["order", "line", "sku", "from", "to"],
            rows,
        )
    )
    shown.append(
        table(
            f"Lines that become open term ({len(found.outcome.open_term)})",
            ["order", "line", "sku", "from"],
            [[x.order_ref, x.line_no, x.sku, _when(x.before)] for x in found.outcome.open_term],
        )
    )
    shown.append(
        table(
            "More to buy or make",
            ["kind", "sku", "supplier", "quantity", "by", "ready", "unit cost", "cost"],
            [
                [
                    e.kind,
                    e.sku,
                    e.supplier or "",
                    number(e.quantity),
                    _when(e.by_date),
                    _when(e.ready_date),
                    "unknown" if e.unit_cost is None else number(e.unit_cost),
                    "unknown" if e.cost is None else number(e.cost),
                ]
                for e in found.extra
            ],
        )
    )
    for a in found.outcome.added:
        shown.append(f"{a.label}: {number(a.quantity)} served {_when(a.date)}")
    note = f" (no cost known for {', '.join(found.uncosted)})" if found.uncosted else ""
    shown.append(f"Extra cost: {number(found.cost)}{note}. Nothing was written.")
    return shown


def _when(value: date | None) -> str:
    return value.isoformat() if value else "open term"
