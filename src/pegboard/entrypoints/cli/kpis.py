"""The numbers: `pegboard kpis` (a table, or `--json`) and `pegboard report --out DIR`.

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import RenderableType

from pegboard.domain.errors import InvalidValue
from pegboard.entrypoints.cli.context import AsJson, app, err, opened, out, show, table
from pegboard.services import parsing

if TYPE_CHECKING:
    from pegboard.views import kpis as kpi_views

From = Annotated[
    str | None, typer.Option("--from", help="First day YYYY-MM-DD (default: 29 days before --to).")
]
To = Annotated[str | None, typer.Option("--to", help="Last day YYYY-MM-DD (default: today).")]
OneSku = Annotated[str | None, typer.Option("--sku", help="Only this SKU's lines.")]
OneSupplier = Annotated[str | None, typer.Option("--supplier", help="Only this supplier's items and POs.")]
#: Keys shown in tables of their own (or not at all) rather than as one figure per row.
NOT_FIGURES = (
    "today",
    "from",
    "to",
    "sku",
    "supplier",
    "backorder_age_buckets",
    "suppliers",
    "stockout_days",
    "daily",
)


def _read(
    ctx: typer.Context, *, start: str | None, end: str | None, sku: str | None, supplier: str | None
) -> kpi_views.Kpis:
    from pegboard.views import kpis as kpi_views

    first, last = parsing.a_date("--from", start), parsing.a_date("--to", end)
    with opened(ctx) as pb, pb.reader() as uow:
        return kpi_views.kpis(
            uow.connection, today=pb.clock.today(), start=first, end=last, sku=sku, supplier=supplier
        )


@app.command()
def kpis(
    ctx: typer.Context,
    start: From = None,
    end: To = None,
    sku: OneSku = None,
    supplier: OneSupplier = None,
    as_json: AsJson = False,
) -> None:
    """The numbers: open backorders now; backorder rate, fill rate, on time in full, cycle times,
    promise accuracy, supplier reliability, stockouts, deposits and revenue over a period."""
    from pegboard.views import kpis as kpi_views

    report = _read(ctx, start=start, end=end, sku=sku, supplier=supplier)
    figures = kpi_views.kpis_json(report)
    show(as_json, lambda: figures, lambda: _kpi_tables(report, figures))


def _kpi_tables(report: kpi_views.Kpis, figures: dict[str, Any]) -> list[RenderableType]:
    from pegboard.views import kpis as kpi_views

    scope = "".join(f", {v}" for v in (report.sku, report.supplier) if v)
    rows = [
        [key, "–" if figures[key] is None else figures[key]]
        for key in kpi_views.KEYS
        if key not in NOT_FIGURES
    ]
    shown: list[RenderableType] = [
        table(f"KPIs {figures['from']} to {figures['to']}{scope}", ["figure", "value"], rows)
    ]
    if figures["suppliers"]:
        columns = ["supplier", "lines_received", "on_time_rate", "mean_slip_days"]
        shown.append(table("Suppliers", columns, [[s[c] for c in columns] for s in figures["suppliers"]]))
    if figures["stockout_days"]:
        shown.append(
            table("Stockout days", ["sku", "days"], [[s["sku"], s["days"]] for s in figures["stockout_days"]])
        )
    return shown


@app.command()
def report(
    ctx: typer.Context,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write report.html and the PNG charts into.")
    ],
    start: From = None,
    end: To = None,
    sku: OneSku = None,
    supplier: OneSupplier = None,
) -> None:
    """A self-contained HTML report of the KPIs (charts inside, no network) and PNG charts for email."""
    from rich.progress import Progress

    from pegboard.entrypoints.report import PNG_NAMES, write_report

    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidValue("--out", str(out_dir), "is a file, not a folder")
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("Reading the figures", total=len(PNG_NAMES) + 2)
        found = _read(ctx, start=start, end=end, sku=sku, supplier=supplier)

        def step(what: str) -> None:
            bar.update(task, advance=1, description=what)

        written = write_report(found, out_dir, step=step)
        bar.update(task, advance=1)
    for path in written:
        out.print(f"Wrote {path}", markup=False, highlight=False)
