"""Stock: what is on hand, counting it, receiving purchase orders.

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from pegboard.domain import limits
from pegboard.entrypoints.cli.context import (
    AsJson,
    Policy,
    app,
    opened,
    out,
    policy_of,
    quantity_arg,
    show,
    table,
)
from pegboard.services import parsing


@app.command("stock")
def stock_(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="The SKU")],
    as_json: AsJson = False,
    limit: Annotated[int, typer.Option(help="How many movements to show")] = 50,
) -> None:
    """On hand, allocated and available for a SKU, and its latest movements."""
    from pegboard.services import stock
    from pegboard.views.json import day, number
    from pegboard.views.models import StockFigures

    with opened(ctx) as pb:
        view = stock.stock_of(sku, uow=pb.reader(), limit=limit)
    figures = StockFigures.of(sku, view)
    show(
        as_json,
        figures.to_json,
        lambda: [
            Text.assemble(
                (sku, "bold"),
                f": on hand {number(figures.on_hand)}, allocated {number(figures.allocated)}, "
                f"available {number(figures.available)}",
            ),
            table(
                "Movements (newest first)",
                ["date", "kind", "change", "reference", "reason"],
                [[day(m.date), m.kind, number(m.quantity), m.reference, m.reason] for m in figures.movements],
                optional=["reference", "reason"],
            ),
        ],
    )


@app.command("count")
def count_(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="The SKU counted")],
    counted: Annotated[str, typer.Argument(help="The quantity counted on the shelf")],
    reason: Annotated[str, typer.Option(help="Why the count differs (kept in the ledger)")] = "count",
    policy: Policy = None,
) -> None:
    """Count a SKU: on hand becomes what was counted; the difference is a ledger movement.

    A count below what orders hold takes stock back from the newest of them (by the policy);
    each order line that lost stock is listed and goes back on backorder.
    """
    from pegboard.services import stock
    from pegboard.services.runner import with_retries

    quantity = quantity_arg("counted", counted, allow_zero=True)
    why = parsing.text("reason", reason, max_length=limits.REASON, multiline=True)
    with opened(ctx) as pb:
        result = with_retries(
            lambda: stock.count(
                {sku: quantity}, reason=why, uow=pb.uow(), clock=pb.clock, policy=policy_of(pb, policy)
            )
        )
    change = result.changes.get(sku)
    out.print(f"{sku}: counted {quantity}; " + (f"adjusted by {change}." if change else "no change."))
    if result.taken_back:
        out.print("Taken back from orders (now on backorder again):")
        for taken in result.taken_back:
            out.print(f"  {taken.order_ref} line {taken.line_no}: {taken.quantity} {taken.sku}")


app.command("adjust", help="The same as `pegboard count` (its older name).")(count_)


@app.command()
def receive(
    ctx: typer.Context,
    po_ref: Annotated[str, typer.Argument(help="The purchase order")],
    sku: Annotated[str, typer.Argument(help="The SKU that arrived")],
    quantity: Annotated[str, typer.Argument(help="How many arrived")],
    policy: Policy = None,
    tracking: Annotated[
        str | None, typer.Option(help="On a drop-ship PO: the supplier's tracking number")
    ] = None,
) -> None:
    """Receive all or part of a PO line; the stock goes to waiting backorders by the policy.

    On a drop-ship PO it records that the supplier shipped to the customer: the order's line
    is shipped and no stock moves.
    """
    from pegboard.services import purchasing
    from pegboard.services.runner import with_retries

    amount = quantity_arg("quantity", quantity)
    tracking = parsing.optional_text("tracking", tracking, max_length=limits.TRACKING)
    with opened(ctx) as pb:
        po = with_retries(
            lambda: purchasing.receive(
                po_ref,
                sku,
                amount,
                uow=pb.uow(),
                clock=pb.clock,
                policy=policy_of(pb, policy),
                tracking=tracking,
            )
        )
    if po.is_dropship:
        who = f"{po.supplier} shipped {amount} {sku} to the customer of {po.order_ref}"
        out.print(f"{who}; {po_ref} is now {po.status}.")
        return
    out.print(f"Received {amount} {sku} on {po_ref}; the PO is now {po.status}.")
