"""Sales orders: place, ship, cancel, list; backorders and preorders.

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from pegboard.domain import limits
from pegboard.domain.errors import InvalidValue
from pegboard.domain.sales import ShipPolicy
from pegboard.entrypoints.cli.context import (
    AsJson,
    Policy,
    app,
    err,
    opened,
    out,
    policy_of,
    show,
    table,
)
from pegboard.services import parsing

if TYPE_CHECKING:
    from pegboard.views.models import OrderView


@app.command()
def place(
    ctx: typer.Context,
    order_ref: Annotated[str, typer.Argument(help="The order's ref, e.g. SO-42")],
    lines: Annotated[list[str], typer.Argument(help="Lines as SKU:QUANTITY[:UNIT_PRICE]")],
    customer: Annotated[str, typer.Option(help="Customer name")] = "",
    email: Annotated[str | None, typer.Option(help="Customer email")] = None,
    priority: Annotated[
        str,
        typer.Option(metavar="INTEGER", help="Higher goes first under the priority policy (-1000 to 1000)"),
    ] = "0",
    ship_policy: Annotated[ShipPolicy, typer.Option(help="partial or complete")] = ShipPolicy.PARTIAL,
    ship_to: Annotated[
        str | None, typer.Option("--ship-to", help="Delivery address (a drop-ship supplier ships to it)")
    ] = None,
    requested: Annotated[
        str | None,
        typer.Option("--requested", metavar="DATE", help="The day the customer asks for (YYYY-MM-DD)"),
    ] = None,
    quote_id: Annotated[
        str | None,
        typer.Option("--quote", metavar="QUOTE_ID", help="The held quote this order checks out (its stock)"),
    ] = None,
) -> None:
    """Place an order: in-stock quantity is allocated at once, the rest goes on backorder.

    A line for an item not yet released is a preorder; one for a dropship item opens a
    drop-ship PO to its supplier.
    """
    from pegboard.services import orders
    from pegboard.services.runner import with_retries

    drafts = []
    for n, text in enumerate(lines, start=1):
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise InvalidValue(f"line {n}", text, "is not SKU:QUANTITY[:UNIT_PRICE]")
        drafts.append(
            orders.LineDraft(
                sku=parsing.text("sku", parts[0], max_length=limits.SKU),
                quantity=parsing.quantity("quantity", parts[1]),
                unit_price=parsing.money("unit_price", parts[2]) if len(parts) == 3 else None,
            )
        )
    with opened(ctx) as pb:
        draft = orders.OrderDraft(
            order_ref=parsing.text("order_ref", order_ref, max_length=limits.ORDER_REF),
            customer=parsing.optional_text("customer", customer, max_length=limits.CUSTOMER) or "",
            email=parsing.email("email", email),
            priority=parsing.whole_number("priority", priority, minimum=-1000, maximum=1000) or 0,
            ship_policy=ship_policy,
            ship_to=parsing.optional_text("ship_to", ship_to, max_length=limits.SHIP_TO, multiline=True),
            requested_date=parsing.a_date("--requested", requested),
            lines=tuple(drafts),
            quote_id=parsing.optional_text("quote_id", quote_id, max_length=40),
        )
        placed = with_retries(lambda: orders.place_order(draft, uow=pb.uow(), clock=pb.clock))
    order = placed.order
    verb = "Placed" if placed.created else "Already placed:"
    out.print(f"{verb} {order.order_ref} ({order.status})")
    for line in order.lines:
        waiting = f", {line.backordered_quantity} on backorder" if line.backordered_quantity else ""
        if line.preordered_quantity:
            waiting = f", {line.preordered_quantity} preordered"
        if line.awaiting_supplier_quantity:
            waiting = f", {line.awaiting_supplier_quantity} drop-shipped by the supplier"
        out.print(f"  {line.sku}: {line.quantity} ordered, {line.allocated_quantity} allocated{waiting}")


@app.command()
def ship(
    ctx: typer.Context,
    order_ref: Annotated[str, typer.Argument(help="The order to ship")],
    tracking: Annotated[str | None, typer.Option(help="Carrier tracking number")] = None,
) -> None:
    """Ship what is allocated to an order, by its ship policy."""
    from pegboard.services import shipping
    from pegboard.services.runner import with_retries

    tracking = parsing.optional_text("tracking", tracking, max_length=limits.TRACKING)
    with opened(ctx) as pb:
        shipment = with_retries(
            lambda: shipping.ship_order(order_ref, tracking=tracking, uow=pb.uow(), clock=pb.clock)
        )
    out.print(f"Shipped {shipment.shipment_ref} for {order_ref}:")
    for line in shipment.lines:
        out.print(f"  {line.quantity} {line.sku}")


@app.command()
def cancel(
    ctx: typer.Context,
    order_ref: Annotated[str, typer.Argument(help="The order to cancel")],
    sku: Annotated[str | None, typer.Argument(help="Only this SKU's remainder")] = None,
    policy: Policy = None,
) -> None:
    """Cancel an order, or the remainder of one SKU; released stock goes to the next waiting lines."""
    from pegboard.services import orders
    from pegboard.services.runner import with_retries

    with opened(ctx) as pb:
        order = with_retries(
            lambda: orders.cancel_order(
                order_ref, sku, uow=pb.uow(), clock=pb.clock, policy=policy_of(pb, policy)
            )
        )
    what = f"{sku} on {order_ref}" if sku else order_ref
    out.print(f"Cancelled {what}; the order is now {order.status}.")


@app.command("orders")
def orders_(
    ctx: typer.Context,
    as_json: AsJson = False,
    status: Annotated[str | None, typer.Option(help="open, partially_shipped, shipped or cancelled")] = None,
    sku: Annotated[str | None, typer.Option(help="Only orders with this SKU")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many orders")] = None,
) -> None:
    """Sales orders with their lines: allocated, shipped, backordered, cancelled."""
    from pegboard.views import lists

    with opened(ctx) as pb, pb.reader() as uow:
        found = lists.orders(uow.connection, status=status, sku=sku, limit=limit)
    show(as_json, lambda: [order.to_json() for order in found], lambda: _orders_table(found))


def _orders_table(found: list[OrderView]) -> Table:
    from pegboard.views.json import number

    rows = []
    for order in found:
        for n, line in enumerate(order.lines):
            first = n == 0
            rows.append(
                [
                    order.order_ref if first else "",
                    order.customer if first else "",
                    order.status if first else "",
                    order.ship_policy if first else "",
                    line.sku,
                    number(line.quantity),
                    number(line.allocated),
                    number(line.shipped),
                    number(line.backordered),
                    number(line.preordered),
                    number(line.awaiting_supplier),
                    number(line.cancelled),
                ]
            )
    return table(
        f"Orders ({len(found)})",
        [
            "order",
            "customer",
            "status",
            "policy",
            "sku",
            "ordered",
            "allocated",
            "shipped",
            "backordered",
            "preordered",
            "with supplier",
            "cancelled",
        ],
        rows,
        optional=["policy", "preordered", "with supplier", "cancelled", "customer", "status"],
    )


@app.command()
def backorders(
    ctx: typer.Context,
    as_json: AsJson = False,
    sku: Annotated[str | None, typer.Option(help="Only this SKU")] = None,
) -> None:
    """Open backorders, oldest first, with their age."""
    from pegboard.views import lists
    from pegboard.views.json import day, number

    with opened(ctx) as pb, pb.reader() as uow:
        found = lists.backorders(uow.connection, today=pb.clock.today(), sku=sku)
    show(
        as_json,
        lambda: [backorder.to_json() for backorder in found],
        lambda: table(
            f"Backorders ({len(found)})",
            ["order", "sku", "quantity", "opened", "age (days)", "customer"],
            [
                [b.order_ref, b.sku, number(b.quantity), day(b.opened_at), b.age_days, b.customer]
                for b in found
            ],
            optional=["customer", "age (days)"],
        ),
    )


@app.command("preorders")
def preorders_(
    ctx: typer.Context,
    as_json: AsJson = False,
    sku: Annotated[str | None, typer.Option(help="Only this SKU")] = None,
) -> None:
    """Open preorders, earliest release first (never counted as backorders)."""
    from pegboard.views import lists
    from pegboard.views.json import day, number

    with opened(ctx) as pb, pb.reader() as uow:
        found = lists.preorders(uow.connection, today=pb.clock.today(), sku=sku)
    show(
        as_json,
        lambda: [preorder.to_json() for preorder in found],
        lambda: table(
            f"Preorders ({len(found)})",
            ["order", "sku", "quantity", "release", "released", "ordered", "customer"],
            [
                [
                    r.order_ref,
                    r.sku,
                    number(r.quantity),
                    day(r.release_date),
                    "yes" if r.released else "no",
                    day(r.ordered_at),
                    r.customer,
                ]
                for r in found
            ],
            optional=["customer", "ordered", "released"],
        ),
    )


@app.command()
def release(ctx: typer.Context, policy: Policy = None) -> None:
    """Give stock on hand to the preorders whose release date has come, by the allocation policy."""
    from pegboard.services import preorders
    from pegboard.services.runner import with_retries

    with opened(ctx) as pb:
        granted = with_retries(
            lambda: preorders.release_preorders(uow=pb.uow(), clock=pb.clock, policy=policy_of(pb, policy))
        )
    print_released(granted)


def print_released(granted: list[Any]) -> None:
    if not granted:
        err.print("No released preorder could take stock.")
        return
    err.print(f"Released {len(granted)} preorder line(s):")
    for g in granted:
        why = f" ({g.reason})" if g.reason else ""
        err.print(f"  {g.order_ref} line {g.line_no}: {g.quantity} {g.sku} allocated{why}", markup=False)
