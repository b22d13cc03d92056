"""Planning: promises, suggested POs and MOs, the production queue.

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import groupby
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import RenderableType

from pegboard.entrypoints.cli.context import (
    AsJson,
    Policy,
    app,
    fail,
    opened,
    policy_of,
    show,
    table,
)
from pegboard.entrypoints.cli.orders import print_released
from pegboard.entrypoints.cli.pages import arrays_on_small_pages
from pegboard.planning.collector import keep_until_exit

if TYPE_CHECKING:
    from pegboard.services import planning

#: Rows of the promises and of the production queue a terminal shows without `--all`.
SHOWN_ROWS = 100


@app.command("plan")
def plan_(
    ctx: typer.Context,
    as_json: AsJson = False,
    confirm: Annotated[bool, typer.Option("--confirm", help="Create the suggested POs and MOs")] = False,
    preview: Annotated[
        bool, typer.Option("--preview", help="Show the plan and what it would change; write nothing")
    ] = False,
    policy: Policy = None,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all", help=f"List every promise, suggestion and queue entry, not only the first {SHOWN_ROWS}"
        ),
    ] = False,
) -> None:
    """Plan: a promise for every backorder, suggested POs and MOs, and the production queue.

    First, as `pegboard release` does, preorders whose release date has come get the stock on
    hand (by --policy), so a daily plan run also releases them. A plan run stores every line's
    promise and queues a "new date" message for each line whose date moved; `--preview` tells
    nobody: no promise stored, no event queued, no preorder released, nothing confirmed.
    The promises, the suggestions and the queue list their first rows; `--all` lists every one.
    """
    from pegboard.services import planning, preorders
    from pegboard.services.runner import with_retries

    if preview and confirm:
        fail(2, "--preview and --confirm cannot go together: a preview writes nothing")
    # The process ends with the command: the plan's snapshot and plans need not be freed, and
    # its arrays are not worth huge pages.
    keep_until_exit()
    arrays_on_small_pages()
    with opened(ctx) as pb:
        if preview:
            run = planning.preview_plan(uow=pb.reader(), clock=pb.clock)
        else:
            granted = with_retries(
                lambda: preorders.release_preorders(
                    uow=pb.uow(), clock=pb.clock, policy=policy_of(pb, policy)
                )
            )
            if granted:
                print_released(granted)
            run = with_retries(lambda: planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=confirm))
    show(
        as_json,
        lambda: _plan_json(run, confirm=confirm, preview=preview),
        lambda: _plan_text(run, show_all=show_all),
    )


def _plan_json(run: planning.PlanRun, *, confirm: bool, preview: bool) -> dict[str, Any]:
    from pegboard.views.plan import plan_json

    data: dict[str, Any] = dict(plan_json(run.result))
    if confirm:
        data["created"] = run.created
        data["skipped"] = run.skipped
    if preview:
        data.update(preview=True, changed=len(run.changed), new_dates=run.new_dates)
    return data


def _first(rows: Sequence[Any], *, show_all: bool) -> tuple[Sequence[Any], str]:
    """The rows a terminal shows and what the title says of them: every row with `--all`, else
    the first `SHOWN_ROWS` (a workshop's plan can hold 100k promises, too many to print)."""
    if show_all or len(rows) <= SHOWN_ROWS:
        return rows, ""
    return rows[:SHOWN_ROWS], f"first {SHOWN_ROWS} of {len(rows)}: --all lists every one"


def _when(value: date | None) -> str:
    return value.isoformat() if value else "open term"


def _plan_text(run: planning.PlanRun, *, show_all: bool) -> list[RenderableType]:
    from pegboard.views.created import LISTED, created_words
    from pegboard.views.json import number

    result = run.result
    shown: list[RenderableType] = []
    promises, promises_cut = _first(result.promises, show_all=show_all)
    queue, queue_cut = _first(result.production_queue, show_all=show_all)
    shown.append(
        table(
            f"Promises ({promises_cut or len(result.promises)})",
            ["order", "line", "sku", "quantity", "date", "reason"],
            [[p.order_ref, p.line_no, p.sku, number(p.quantity), _when(p.date), p.reason] for p in promises],
            optional=["line"],
        )
    )
    purchases = sorted(result.purchase_suggestions, key=lambda s: s.supplier or "(no supplier)")
    purchases_shown, purchases_cut = _first(purchases, show_all=show_all)
    for supplier, rows in groupby(purchases_shown, key=lambda s: s.supplier or "(no supplier)"):
        shown.append(
            table(
                f"Suggested PO: {supplier}",
                ["sku", "quantity", "order date", "expected"],
                [[s.sku, number(s.quantity), s.order_date, _when(s.expected_date)] for s in rows],
            )
        )
    if purchases_cut:
        shown.append(f"Suggested PO lines: {purchases_cut}")
    making, making_cut = _first(result.production_suggestions, show_all=show_all)
    shown.append(
        table(
            f"Suggested MOs{' (' + making_cut + ')' if making_cut else ''}",
            ["sku", "quantity", "start", "finish"],
            [[s.sku, number(s.quantity), _when(s.start_date), _when(s.finish_date)] for s in making],
        )
    )
    shown.append(
        table(
            f"Production queue (make in this order{'; ' + queue_cut if queue_cut else ''})",
            ["ref", "sku", "quantity", "start", "finish", "completes", "missing"],
            [
                [
                    e.ref,
                    e.sku,
                    number(e.quantity),
                    _when(e.start_date),
                    _when(e.finish_date),
                    ", ".join(e.completes),
                    ", ".join(f"{number(m.quantity)} {m.sku} ({_when(m.available_date)})" for m in e.missing),
                ]
                for e in queue
            ],
            optional=["start"],
        )
    )
    if run.preview:
        shown.append(
            f"Preview: nothing stored, nobody told. A plan run would give or change "
            f"{len(run.changed)} line promise(s); {run.new_dates} of them a new date customers may hear of."
        )
    elif run.changed:
        shown.append(f"{len(run.changed)} line promise(s) given or changed.")
    if run.created:
        listed = "" if len(run.created) <= LISTED else " (--json lists every one)"
        shown.append(f"Created: {created_words(run.created)}{listed}")
    for note in run.skipped:
        shown.append(f"Not ordered: {note}")
    return shown
