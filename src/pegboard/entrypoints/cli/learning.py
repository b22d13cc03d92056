"""What history teaches: supplier reliability, demand forecasts, computed reorder points.

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import RenderableType
from rich.table import Table

from pegboard.domain.errors import InvalidValue
from pegboard.entrypoints import tables
from pegboard.entrypoints.cli.context import AsJson, app, opened, out, show

if TYPE_CHECKING:
    from pegboard.planning.reorder import ReorderProposal

#: Columns right-aligned as numbers in these commands' tables.
LEARNED_NUMERIC = {
    "receipts",
    "on time %",
    "late mean",
    "late p90",
    "lead p50",
    "lead p90",
    "MASE",
    "naive MASE",
    "per day",
    "quantity",
    "forecast",
    "safety stock",
    "proposed",
    "reorder point",
    "proposed point",
    "stockout %",
    "now %",
    "extra value",
}


def _learned_table(
    title: str, columns: list[str], rows: list[list[Any]], optional: Sequence[str] = ()
) -> Table:
    return tables.fitted(title, columns, rows, width=out.width, numeric=LEARNED_NUMERIC, optional=optional)


def _shown(value: Any, *, percent: bool = False) -> str:
    if value is None:
        return ""
    return f"{value * 100:.1f}" if percent else str(value)


@app.command("suppliers")
def suppliers_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Each supplier's delivery record: on-time rate, lateness and real lead time, from its receipts."""
    from pegboard.services import learning
    from pegboard.views import learning as learned_views

    with opened(ctx) as pb:
        figures = learning.supplier_figures(uow=pb.reader())
    found = learned_views.suppliers(figures.suppliers, figures.items)
    show(as_json, lambda: found, lambda: _suppliers_text(found))


def _suppliers_text(found: list[dict[str, Any]]) -> list[RenderableType]:
    from pegboard.planning.reliability import MIN_HISTORY

    keys = ["lateness_mean_days", "lateness_p90_days", "lead_time_p50_days", "lead_time_p90_days"]
    rows = [
        [name, row["receipts"], _shown(row["on_time_rate"], percent=True), *(_shown(row[k]) for k in keys)]
        for s in found
        for name, row in [(s["supplier"], s), *((f"  {i['sku']}", i) for i in s["items"])]
    ]
    columns = ["supplier", "receipts", "on time %", "late mean", "late p90", "lead p50", "lead p90"]
    return [
        _learned_table(f"Suppliers ({len(found)})", columns, rows),
        "Late: days after the first expected date; lead: days from order to receipt (p50, p90). "
        f"Learned from {MIN_HISTORY} receipts up; an indented SKU has its own figures.",
    ]


@app.command("forecast")
def forecast_(
    ctx: typer.Context,
    sku: Annotated[str | None, typer.Argument(help="One SKU (default: every SKU with orders)")] = None,
    weeks: Annotated[int, typer.Option("--weeks", help="How many weeks ahead (1 to 52)")] = 8,
    daily: Annotated[bool, typer.Option("--daily", help="Daily buckets instead of weekly")] = False,
    as_json: AsJson = False,
) -> None:
    """Demand forecast per SKU from order history, by the model a rolling backtest picks (MASE)."""
    from pegboard.services import learning
    from pegboard.views import learning as learned_views

    if not 1 <= weeks <= 52:
        raise InvalidValue("--weeks", weeks, "must be a whole number of weeks from 1 to 52")
    bucket, horizon = ("day", weeks * 7) if daily else ("week", weeks)
    with opened(ctx) as pb:
        found = learning.demand_forecasts(
            sku, uow=pb.reader(), today=pb.clock.today(), bucket=bucket, horizon=horizon
        )
    views = [learned_views.forecast(f) for f in found]
    show(as_json, lambda: views, lambda: _forecasts_text(views, sku, bucket))


def _forecasts_text(views: list[dict[str, Any]], sku: str | None, bucket: str) -> list[RenderableType]:
    shown: list[RenderableType] = [
        _learned_table(
            f"Demand forecasts ({len(views)}, {bucket}ly)",
            ["sku", "model", "MASE", "naive MASE", "per day"],
            [
                [v["sku"], v["model"], _shown(v["mase"]), _shown(v["naive_mase"]), v["mean_per_day"]]
                for v in views
            ],
        )
    ]
    if sku is not None and views:
        shown.append(
            _learned_table(
                f"{sku}: forecast by {bucket}",
                ["from", "forecast"],
                [[p["date"], p["quantity"]] for p in views[0]["forecast"]],
            )
        )
    shown.append("MASE below the naive forecast's: the model beat repeating the last bucket in the backtest.")
    return shown


@app.command("reorder-points")
def reorder_points(
    ctx: typer.Context,
    service_level: Annotated[
        float | None,
        typer.Option(
            "--service-level", help="Share of cycles without a stockout, e.g. 0.95 (default: setting)"
        ),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Write the proposed values (all or nothing)")
    ] = False,
    by: Annotated[
        str | None, typer.Option("--by", help="Who applies them, for the record (default: you)")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Current and proposed safety stock and reorder point per item, and the expected effect."""
    from pegboard.services import learning
    from pegboard.services.runner import with_retries
    from pegboard.views import learning as learned_views

    if service_level is not None:
        learning.valid_service_level(service_level, field="--service-level")
    actor = _actor(by) if apply else ""
    with opened(ctx) as pb:
        level = service_level if service_level is not None else pb.settings.service_level
        day = pb.clock.today()
        proposals = learning.reorder_points(uow=pb.reader(), today=day, service_level=level)
        written: set[str] = set()
        if apply:
            changed = with_retries(
                lambda: learning.apply_reorder_points(
                    uow=pb.uow(), today=day, service_level=level, actor=actor
                )
            )
            written = {c.sku for c in changed}
    show(
        as_json,
        lambda: [
            learned_views.reorder_point(p, applied=(p.sku in written) if apply else None) for p in proposals
        ],
        lambda: _reorder_points_text(proposals, level, written if apply else None, actor),
    )


def _reorder_points_text(
    proposals: list[ReorderProposal], level: float, written: set[str] | None, actor: str
) -> list[RenderableType]:
    """The proposals' table and what is missing; `written` is what --apply changed (None: not applied)."""
    shown = [p for p in proposals if p.problem is None]
    rows = [
        [
            p.sku,
            _shown(p.current_safety_stock),
            _shown(p.safety_stock),
            _shown(p.current_reorder_point),
            _shown(p.reorder_point),
            _shown(p.current_stockout_probability, percent=True),
            _shown(p.stockout_probability, percent=True),
            _shown(p.extra_stock_value),
        ]
        for p in shown
    ]
    columns = ["sku", "safety stock", "proposed", "reorder point", "proposed point", "now %", "stockout %"]
    title = f"Reorder points at {level:.0%} service level ({len(shown)} of {len(proposals)} items)"
    text: list[RenderableType] = [
        _learned_table(title, [*columns, "extra value"], rows, optional=["now %", "extra value"])
    ]
    for missing in proposals:
        if missing.problem is not None:
            text.append(f"{missing.sku}: none proposed, {missing.problem}.")
    if written is not None:
        text.append(
            f"Applied to {len(written)} item(s) as {actor}: {', '.join(sorted(written)) or 'none changed'}."
        )
    else:
        text.append(
            "Stockout %: chance of running out per replenishment cycle (now: at the current reorder point); "
            "extra value: the added safety stock at cost. Nothing written: add --apply."
        )
    return text


@app.command("service-level")
def service_level_(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="The item")],
    level: Annotated[str, typer.Argument(help="Its target, e.g. 0.99; 'default' for the shop's setting")],
    by: Annotated[str | None, typer.Option("--by", help="Who sets it, for the record (default: you)")] = None,
) -> None:
    """Give one item its own target service level for `pegboard reorder-points`."""
    from pegboard.services import learning
    from pegboard.services.runner import with_retries

    target = None if level.strip().lower() == "default" else _fraction("LEVEL", level)
    actor = _actor(by)
    with opened(ctx) as pb:
        with_retries(lambda: learning.set_service_level(sku, target, uow=pb.uow(), actor=actor))
    shown = "the shop's setting" if target is None else f"{target:g}"
    out.print(f"{sku}: service level {shown}.")


def _fraction(field: str, value: str) -> float:
    from pegboard.services import learning

    try:
        number = float(value)
    except ValueError:
        raise InvalidValue(field, value, "must be a fraction between 0 and 1, e.g. 0.95") from None
    return learning.valid_service_level(number, field=field)


def _actor(by: str | None) -> str:
    """Who acts, for the record: --by, else the login name."""
    try:
        actor = (by or getpass.getuser()).strip()
    except (KeyError, OSError):  # no login name for this process: --by must say who
        actor = ""
    if not actor:
        raise InvalidValue("--by", by or "", "names who acts (there is no login name to use)")
    return actor
