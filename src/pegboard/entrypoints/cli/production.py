"""Supply: manufacturing orders, material checks, new expected dates, open supply orders.

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from pegboard.domain.options import parse_choices
from pegboard.entrypoints.cli.context import (
    AsJson,
    Policy,
    app,
    err,
    fail,
    opened,
    out,
    policy_of,
    quantity_arg,
    show,
    table,
)
from pegboard.services import parsing


@app.command()
def make(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="The make item")],
    quantity: Annotated[str, typer.Argument(help="How many to make")],
    options: Annotated[
        str, typer.Option("--options", help="The configuration to make, such as HILT=engraved;COLOUR=green")
    ] = "",
) -> None:
    """Open a manufacturing order and print its ref."""
    from pegboard.services import manufacturing
    from pegboard.services.runner import with_retries

    amount = parsing.quantity("quantity", quantity)
    choices = parse_choices(options)
    with opened(ctx) as pb:
        mo = with_retries(
            lambda: manufacturing.open_manufacturing_order(
                sku, amount, uow=pb.uow(), clock=pb.clock, options=choices
            )
        )
        shortages = manufacturing.material_check(
            sku, amount, uow=pb.reader(), options=mo.options, reserved=mo.reserved
        )
    sys.stdout.write(mo.mo_ref + "\n")
    made = f"{sku} ({mo.options})" if mo.options else sku
    err.print(f"{mo.mo_ref}: make {amount} {made}, start {mo.start_date}, finish {mo.finish_date}")
    for s in shortages:
        err.print(f"  missing (level {s.level}): {s.quantity} {s.sku}")


@app.command()
def complete(
    ctx: typer.Context,
    mo_ref: Annotated[str, typer.Argument(help="The manufacturing order")],
    quantity: Annotated[str | None, typer.Argument(help="How many were finished (default: all)")] = None,
    policy: Policy = None,
) -> None:
    """Finish all or part of an MO: components are consumed and the output feeds backorders."""
    from pegboard.services import manufacturing
    from pegboard.services.runner import with_retries

    amount = quantity_arg("quantity", quantity) if quantity is not None else None
    with opened(ctx) as pb:
        mo = with_retries(
            lambda: manufacturing.complete_manufacturing_order(
                mo_ref, amount, uow=pb.uow(), clock=pb.clock, policy=policy_of(pb, policy)
            )
        )
    out.print(f"{mo.mo_ref}: {mo.completed_quantity} of {mo.quantity} {mo.sku} made; {mo.status}.")


@app.command()
def check(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="The make item")],
    quantity: Annotated[str, typer.Argument(help="How many to make")],
    as_json: AsJson = False,
) -> None:
    """Material check: each missing component and quantity, through every BOM level."""
    from pegboard.entrypoints import render
    from pegboard.services import manufacturing

    amount = quantity_arg("quantity", quantity)
    with opened(ctx) as pb:
        shortages = manufacturing.material_check(sku, amount, uow=pb.reader())
    found = render.shortages(shortages)
    show(
        as_json,
        lambda: found,
        lambda: (
            table(
                f"Missing to make {amount} {sku}",
                ["level", "sku", "missing"],
                [[s["level"], s["sku"], s["quantity"]] for s in found],
            )
            if found
            else f"Everything to make {amount} {sku} is available."
        ),
    )


@app.command()
def reschedule(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="A PO or MO ref")],
    new_date: Annotated[str, typer.Argument(metavar="YYYY-MM-DD", help="The new expected date")],
) -> None:
    """Give a PO or MO a new expected date (kept as history)."""
    from pegboard.services import purchasing
    from pegboard.services.runner import with_retries

    when = parsing.a_date("date", new_date)
    if when is None:
        fail(2, "field 'date', value '': is required")
    with opened(ctx) as pb:
        old = with_retries(lambda: purchasing.reschedule(ref, when, uow=pb.uow(), clock=pb.clock))
    out.print(f"{ref}: expected {when} (was {old or 'not set'}).")


@app.command()
def supply(
    ctx: typer.Context,
    as_json: AsJson = False,
    include_closed: Annotated[bool, typer.Option("--all", help="Also received and completed ones")] = False,
) -> None:
    """Open purchase and manufacturing orders."""
    from pegboard.services import manufacturing
    from pegboard.views import lists
    from pegboard.views.json import day, number
    from pegboard.views.stored_plan import plan_state

    with opened(ctx) as pb, pb.reader() as uow:
        found = lists.supply(uow.connection, include_closed=include_closed)
        making = {s.ref: s.sku for s in found if s.kind == "mo"}
        today = pb.clock.today()
        stored, now = manufacturing.feasible_dates_by_source(making, uow=uow, today=today)
        state = plan_state(uow.connection)
        found = lists.with_feasible_as_of(found, stored, now, state=state, today=today)
    late = any(s.late_because is not None for s in found)
    show(
        as_json,
        lambda: [row.to_json() for row in found],
        lambda: table(
            f"Supply orders ({len(found)})",
            ["ref", "kind", "sku", "quantity", "received", "expected", "status", "supplier"]
            + (["materials allow"] if late else []),
            [
                [
                    s.ref,
                    "dropship" if s.dropship else s.kind,
                    s.sku,
                    number(s.quantity),
                    number(s.received),
                    day(s.expected_date),
                    s.status,
                    f"{s.supplier} to {s.order_ref}" if s.dropship else s.supplier,
                ]
                + ([f"{day(s.feasible_due)}: {s.late_because}" if s.late_because else ""] if late else [])
                for s in found
            ],
            optional=["supplier", "received", "kind", "materials allow"],
        ),
    )
    if making and state.out_of_date and not as_json:
        out.print(
            f"The dates materials allow come from the plan made on {state.planned_on}, which is out "
            "of date: run `pegboard plan` to bring them up to date."
        )
