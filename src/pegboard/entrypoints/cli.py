"""The `pegboard` command: every use case from the shell, tables for people, JSON for tools.

Exit codes: 0 done; 1 a business action refused; 2 bad input. Never a traceback.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError, StatementError
from typer.exceptions import TyperException

from pegboard.adapters.shopify import mapping as shopify_mapping
from pegboard.bootstrap import DatabaseNotReady, Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain import limits
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.books import account_names
from pegboard.domain.errors import ActionRefused, BadInput, DomainError, InvalidValue
from pegboard.domain.sales import ShipPolicy
from pegboard.entrypoints import render, tables
from pegboard.services import (
    books,
    imports,
    manufacturing,
    orders,
    planning,
    preorders,
    purchasing,
    shipping,
    shopify,
    status_links,
    stock,
    tokens,
    users,
)
from pegboard.services import parsing as p
from pegboard.services.imports import ImportKind
from pegboard.services.runner import with_retries
from pegboard.views import books as book_views
from pegboard.views import lists
from pegboard.views.json import day, number
from pegboard.views.models import StockFigures
from pegboard.views.plan import plan_json

app = typer.Typer(
    name="pegboard",
    help="Pegboard: inventory, orders, purchasing and production, built around backorders.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
token_app = typer.Typer(help="API tokens for the REST API.", no_args_is_help=True)
app.add_typer(token_app, name="token")
user_app = typer.Typer(help="People who sign in to the web app.", no_args_is_help=True)
app.add_typer(user_app, name="user")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

Db = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: PEGBOARD_DATABASE_URL, else sqlite:///pegboard.db)."),
]
Today = Annotated[
    str | None,
    typer.Option("--today", help="Business date YYYY-MM-DD (default: today in PEGBOARD_TIMEZONE)."),
]
Policy = Annotated[
    AllocationPolicy | None,
    typer.Option("--policy", help="Who gets new stock: fifo, priority or complete-first."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class Exit(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@app.callback()
def _global(ctx: typer.Context, db: Db = None, today: Today = None) -> None:
    """Global --db and --today, also accepted after each command."""
    ctx.obj = {"db": db, "today": today}


@contextmanager
def opened(
    ctx: typer.Context, db: str | None, today: str | None, *, setup: bool = False
) -> Iterator[Pegboard]:
    """Settings from the environment, overridden by --db/--today, on a database at the newest schema.

    Only set-up commands (`setup=True`: init, demo, serve) may find it missing or older; any
    other command is refused (exit 2, "run `pegboard init`") before anything is written.
    """
    given = ctx.obj or {}
    settings = _settings()
    url = db or given.get("db")
    if url:
        settings = settings.model_copy(update={"database_url": url})
    business_day = p.a_date("--today", today or given.get("today"))
    try:
        pb = bootstrap(settings, today=business_day)
    except ArgumentError as error:
        raise InvalidValue("--db", settings.database_url, f"is not a database URL ({error})") from None
    try:
        if not setup:
            pb.require_current()
        yield pb
    finally:
        pb.close()


def _settings() -> Settings:
    """Settings from PEGBOARD_* variables; a bad one is bad input naming the variable."""
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "PEGBOARD_" + "_".join(str(part) for part in first["loc"]).upper()
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidValue(name, first.get("input", ""), reason) from None


def policy_of(pb: Pegboard, policy: AllocationPolicy | None) -> AllocationPolicy:
    return policy or pb.policy


def fail(code: int, message: str) -> NoReturn:
    raise Exit(code, message)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def quantity_arg(name: str, value: str, *, allow_zero: bool = False) -> Decimal:
    return p.quantity(name, value, allow_zero=allow_zero)


# --- set-up -----------------------------------------------------------------------------------


@app.command()
def init(ctx: typer.Context, db: Db = None, today: Today = None) -> None:
    """Create or migrate the database."""
    with opened(ctx, db, today, setup=True) as pb:
        pb.migrate()
        err.print(f"Database ready: {pb.where}")


@app.command("import")
def import_(
    ctx: typer.Context,
    kind: Annotated[
        ImportKind, typer.Argument(help="suppliers, items, boms, stock, orders or purchase-orders")
    ],
    file: Annotated[Path, typer.Argument(help="CSV file with a header row")],
    policy: Policy = None,
    db: Db = None,
    today: Today = None,
) -> None:
    """Import a CSV file, all or nothing: a bad row names its row and column and nothing is written."""
    if not file.is_file():
        fail(2, f"file {str(file)!r} does not exist")
    with opened(ctx, db, today) as pb, file.open(encoding="utf-8", newline="") as stream:
        result = with_retries(
            lambda: imports.import_csv(
                kind,
                stream,
                source=file.name,
                uow=pb.uow(),
                clock=pb.clock,
                policy=policy_of(pb, policy),
            ),
            attempts=1,
        )
    out.print(f"Imported {result.rows} {kind.value} rows from {file.name} ({result.written} written).")
    if result.summary:
        out.print(f"{result.summary}.", markup=False, highlight=False)


# --- orders -----------------------------------------------------------------------------------


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
    db: Db = None,
    today: Today = None,
) -> None:
    """Place an order: in-stock quantity is allocated at once, the rest goes on backorder.

    A line for an item not yet released is a preorder; one for a dropship item opens a
    drop-ship PO to its supplier.
    """
    drafts = []
    for n, text in enumerate(lines, start=1):
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise InvalidValue(f"line {n}", text, "is not SKU:QUANTITY[:UNIT_PRICE]")
        drafts.append(
            orders.LineDraft(
                sku=p.text("sku", parts[0], max_length=limits.SKU),
                quantity=p.quantity("quantity", parts[1]),
                unit_price=p.money("unit_price", parts[2]) if len(parts) == 3 else None,
            )
        )
    with opened(ctx, db, today) as pb:
        draft = orders.OrderDraft(
            order_ref=p.text("order_ref", order_ref, max_length=limits.ORDER_REF),
            customer=p.optional_text("customer", customer, max_length=limits.CUSTOMER) or "",
            email=p.email("email", email),
            priority=p.whole_number("priority", priority, minimum=-1000, maximum=1000) or 0,
            ship_policy=ship_policy,
            ship_to=p.optional_text("ship_to", ship_to, max_length=limits.SHIP_TO, multiline=True),
            lines=tuple(drafts),
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
    db: Db = None,
    today: Today = None,
) -> None:
    """Ship what is allocated to an order, by its ship policy."""
    tracking = p.optional_text("tracking", tracking, max_length=limits.TRACKING)
    with opened(ctx, db, today) as pb:
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
    db: Db = None,
    today: Today = None,
) -> None:
    """Cancel an order, or the remainder of one SKU; released stock goes to the next waiting lines."""
    with opened(ctx, db, today) as pb:
        order = with_retries(
            lambda: orders.cancel_order(
                order_ref, sku, uow=pb.uow(), clock=pb.clock, policy=policy_of(pb, policy)
            )
        )
    what = f"{sku} on {order_ref}" if sku else order_ref
    out.print(f"Cancelled {what}; the order is now {order.status}.")


def _table(title: str, columns: list[str], rows: list[list[Any]], *, optional: Sequence[str] = ()) -> Table:
    """A table that fits the terminal (see `tables.fitted`): `optional` columns may go, in order."""
    return tables.fitted(title, columns, rows, width=out.width, numeric=NUMERIC, optional=optional)


NUMERIC = {
    "line",
    "level",
    "attempts",
    "preordered",
    "with supplier",
    "ordered",
    "allocated",
    "shipped",
    "backordered",
    "cancelled",
    "quantity",
    "received",
    "age (days)",
    "on hand",
    "available",
    "change",
    "missing",
    "priority",
}


@app.command("orders")
def orders_(
    ctx: typer.Context,
    as_json: AsJson = False,
    status: Annotated[str | None, typer.Option(help="open, partially_shipped, shipped or cancelled")] = None,
    sku: Annotated[str | None, typer.Option(help="Only orders with this SKU")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many orders")] = None,
    db: Db = None,
    today: Today = None,
) -> None:
    """Sales orders with their lines: allocated, shipped, backordered, cancelled."""
    with opened(ctx, db, today) as pb, pb.reader() as uow:
        found = lists.orders(uow.connection, status=status, sku=sku, limit=limit)
    if as_json:
        emit_json([order.to_json() for order in found])
        return
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
    out.print(
        _table(
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
    )


@app.command()
def backorders(
    ctx: typer.Context,
    as_json: AsJson = False,
    sku: Annotated[str | None, typer.Option(help="Only this SKU")] = None,
    db: Db = None,
    today: Today = None,
) -> None:
    """Open backorders, oldest first, with their age."""
    with opened(ctx, db, today) as pb, pb.reader() as uow:
        found = lists.backorders(uow.connection, today=pb.clock.today(), sku=sku)
    if as_json:
        emit_json([backorder.to_json() for backorder in found])
        return
    out.print(
        _table(
            f"Backorders ({len(found)})",
            ["order", "sku", "quantity", "opened", "age (days)", "customer"],
            [
                [b.order_ref, b.sku, number(b.quantity), day(b.opened_at), b.age_days, b.customer]
                for b in found
            ],
            optional=["customer", "age (days)"],
        )
    )


@app.command("preorders")
def preorders_(
    ctx: typer.Context,
    as_json: AsJson = False,
    sku: Annotated[str | None, typer.Option(help="Only this SKU")] = None,
    db: Db = None,
    today: Today = None,
) -> None:
    """Open preorders, earliest release first (never counted as backorders)."""
    with opened(ctx, db, today) as pb, pb.reader() as uow:
        found = lists.preorders(uow.connection, today=pb.clock.today(), sku=sku)
    if as_json:
        emit_json([preorder.to_json() for preorder in found])
        return
    out.print(
        _table(
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
        )
    )


@app.command()
def release(ctx: typer.Context, policy: Policy = None, db: Db = None, today: Today = None) -> None:
    """Give stock on hand to the preorders whose release date has come, by the allocation policy."""
    with opened(ctx, db, today) as pb:
        granted = with_retries(
            lambda: preorders.release_preorders(uow=pb.uow(), clock=pb.clock, policy=policy_of(pb, policy))
        )
    _print_released(granted)


def _print_released(granted: list[Any]) -> None:
    if not granted:
        err.print("No released preorder could take stock.")
        return
    err.print(f"Released {len(granted)} preorder line(s):")
    for g in granted:
        why = f" ({g.reason})" if g.reason else ""
        err.print(f"  {g.order_ref} line {g.line_no}: {g.quantity} {g.sku} allocated{why}", markup=False)


# --- stock ------------------------------------------------------------------------------------


@app.command("stock")
def stock_(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="The SKU")],
    as_json: AsJson = False,
    limit: Annotated[int, typer.Option(help="How many movements to show")] = 50,
    db: Db = None,
    today: Today = None,
) -> None:
    """On hand, allocated and available for a SKU, and its latest movements."""
    with opened(ctx, db, today) as pb:
        view = stock.stock_of(sku, uow=pb.reader(), limit=limit)
    figures = StockFigures.of(sku, view)
    if as_json:
        emit_json(figures.to_json())
        return
    out.print(
        f"[bold]{sku}[/bold]: on hand {number(figures.on_hand)}, allocated {number(figures.allocated)}, "
        f"available {number(figures.available)}"
    )
    out.print(
        _table(
            "Movements (newest first)",
            ["date", "kind", "change", "reference", "reason"],
            [[day(m.date), m.kind, number(m.quantity), m.reference, m.reason] for m in figures.movements],
            optional=["reference", "reason"],
        )
    )


@app.command("count")
def count_(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="The SKU counted")],
    counted: Annotated[str, typer.Argument(help="The quantity counted on the shelf")],
    reason: Annotated[str, typer.Option(help="Why the count differs (kept in the ledger)")] = "count",
    policy: Policy = None,
    db: Db = None,
    today: Today = None,
) -> None:
    """Count a SKU: on hand becomes what was counted; the difference is a ledger movement.

    A count below what orders hold takes stock back from the newest of them (by the policy);
    each order line that lost stock is listed and goes back on backorder.
    """
    quantity = quantity_arg("counted", counted, allow_zero=True)
    why = p.text("reason", reason, max_length=limits.REASON, multiline=True)
    with opened(ctx, db, today) as pb:
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


# --- supply -----------------------------------------------------------------------------------


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
    db: Db = None,
    today: Today = None,
) -> None:
    """Receive all or part of a PO line; the stock goes to waiting backorders by the policy.

    On a drop-ship PO it records that the supplier shipped to the customer: the order's line
    is shipped and no stock moves.
    """
    amount = quantity_arg("quantity", quantity)
    tracking = p.optional_text("tracking", tracking, max_length=limits.TRACKING)
    with opened(ctx, db, today) as pb:
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


@app.command()
def make(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="The make item")],
    quantity: Annotated[str, typer.Argument(help="How many to make")],
    db: Db = None,
    today: Today = None,
) -> None:
    """Open a manufacturing order and print its ref."""
    amount = p.quantity("quantity", quantity)
    with opened(ctx, db, today) as pb:
        mo = with_retries(
            lambda: manufacturing.open_manufacturing_order(sku, amount, uow=pb.uow(), clock=pb.clock)
        )
        shortages = manufacturing.material_check(sku, amount, uow=pb.reader())
    sys.stdout.write(mo.mo_ref + "\n")
    err.print(f"{mo.mo_ref}: make {amount} {sku}, start {mo.start_date}, finish {mo.finish_date}")
    for s in shortages:
        err.print(f"  missing (level {s.level}): {s.quantity} {s.sku}")


@app.command()
def complete(
    ctx: typer.Context,
    mo_ref: Annotated[str, typer.Argument(help="The manufacturing order")],
    quantity: Annotated[str | None, typer.Argument(help="How many were finished (default: all)")] = None,
    policy: Policy = None,
    db: Db = None,
    today: Today = None,
) -> None:
    """Finish all or part of an MO: components are consumed and the output feeds backorders."""
    amount = quantity_arg("quantity", quantity) if quantity is not None else None
    with opened(ctx, db, today) as pb:
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
    db: Db = None,
    today: Today = None,
) -> None:
    """Material check: each missing component and quantity, through every BOM level."""
    amount = quantity_arg("quantity", quantity)
    with opened(ctx, db, today) as pb:
        shortages = manufacturing.material_check(sku, amount, uow=pb.reader())
    found = render.shortages(shortages)
    if as_json:
        emit_json(found)
        return
    if not found:
        out.print(f"Everything to make {amount} {sku} is available.")
        return
    out.print(
        _table(
            f"Missing to make {amount} {sku}",
            ["level", "sku", "missing"],
            [[s["level"], s["sku"], s["quantity"]] for s in found],
        )
    )


@app.command()
def reschedule(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="A PO or MO ref")],
    new_date: Annotated[str, typer.Argument(metavar="YYYY-MM-DD", help="The new expected date")],
    db: Db = None,
    today: Today = None,
) -> None:
    """Give a PO or MO a new expected date (kept as history)."""
    when = p.a_date("date", new_date)
    if when is None:
        fail(2, "field 'date', value '': is required")
    with opened(ctx, db, today) as pb:
        old = with_retries(lambda: purchasing.reschedule(ref, when, uow=pb.uow(), clock=pb.clock))
    out.print(f"{ref}: expected {when} (was {old or 'not set'}).")


@app.command()
def supply(
    ctx: typer.Context,
    as_json: AsJson = False,
    include_closed: Annotated[bool, typer.Option("--all", help="Also received and completed ones")] = False,
    db: Db = None,
    today: Today = None,
) -> None:
    """Open purchase and manufacturing orders."""
    with opened(ctx, db, today) as pb, pb.reader() as uow:
        found = lists.supply(uow.connection, include_closed=include_closed)
    if as_json:
        emit_json([row.to_json() for row in found])
        return
    out.print(
        _table(
            f"Supply orders ({len(found)})",
            ["ref", "kind", "sku", "quantity", "received", "expected", "status", "supplier"],
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
                for s in found
            ],
            optional=["supplier", "received", "kind"],
        )
    )


# --- planning -------------------------------------------------------------------------------


@app.command("plan")
def plan_(
    ctx: typer.Context,
    as_json: AsJson = False,
    confirm: Annotated[bool, typer.Option("--confirm", help="Create the suggested POs and MOs")] = False,
    preview: Annotated[
        bool, typer.Option("--preview", help="Show the plan and what it would change; write nothing")
    ] = False,
    policy: Policy = None,
    db: Db = None,
    today: Today = None,
) -> None:
    """Plan: a promise for every backorder, suggested POs and MOs, and the production queue.

    First, as `pegboard release` does, preorders whose release date has come get the stock on
    hand (by --policy), so a daily plan run also releases them. A plan run stores every line's
    promise and queues a "new date" message for each line whose date moved; `--preview` tells
    nobody: no promise stored, no event queued, no preorder released, nothing confirmed.
    """
    if preview and confirm:
        fail(2, "--preview and --confirm cannot go together: a preview writes nothing")
    with opened(ctx, db, today) as pb:
        if preview:
            run = planning.preview_plan(uow=pb.reader(), clock=pb.clock)
        else:
            granted = with_retries(
                lambda: preorders.release_preorders(
                    uow=pb.uow(), clock=pb.clock, policy=policy_of(pb, policy)
                )
            )
            if granted:
                _print_released(granted)
            run = with_retries(lambda: planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=confirm))
    if as_json:
        data: dict[str, Any] = dict(plan_json(run.result))
        if confirm:
            data["created"] = run.created
            data["skipped"] = run.skipped
        if preview:
            data.update(preview=True, changed=len(run.changed), new_dates=run.new_dates)
        emit_json(data)
        return
    _print_plan(run)


def _when(value: date | None) -> str:
    return value.isoformat() if value else "open term"


def _print_plan(run: planning.PlanRun) -> None:
    result = run.result
    out.print(
        _table(
            f"Promises ({len(result.promises)})",
            ["order", "line", "sku", "quantity", "date", "reason"],
            [
                [p.order_ref, p.line_no, p.sku, number(p.quantity), _when(p.date), p.reason]
                for p in result.promises
            ],
            optional=["line"],
        )
    )
    suppliers = sorted({s.supplier or "(no supplier)" for s in result.purchase_suggestions})
    for supplier in suppliers:
        rows = [s for s in result.purchase_suggestions if (s.supplier or "(no supplier)") == supplier]
        out.print(
            _table(
                f"Suggested PO: {supplier}",
                ["sku", "quantity", "order date", "expected"],
                [[s.sku, number(s.quantity), s.order_date, _when(s.expected_date)] for s in rows],
            )
        )
    out.print(
        _table(
            "Suggested MOs",
            ["sku", "quantity", "start", "finish"],
            [
                [s.sku, number(s.quantity), _when(s.start_date), _when(s.finish_date)]
                for s in result.production_suggestions
            ],
        )
    )
    out.print(
        _table(
            "Production queue (make in this order)",
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
                for e in result.production_queue
            ],
            optional=["start"],
        )
    )
    if run.preview:
        out.print(
            f"Preview: nothing stored, nobody told. A plan run would give or change "
            f"{len(run.changed)} line promise(s); {run.new_dates} of them a new date customers may hear of."
        )
    elif run.changed:
        out.print(f"{len(run.changed)} line promise(s) given or changed.")
    if run.created:
        out.print("Created: " + ", ".join(run.created))
    for note in run.skipped:
        out.print(f"Not ordered: {note}")


# --- outbox delivery --------------------------------------------------------------------------


@app.command()
def notify(
    ctx: typer.Context,
    as_json: AsJson = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many events in this pass")] = 10_000,
    db: Db = None,
    today: Today = None,
) -> None:
    """Deliver the due outbox events once (re-promising, customer email, the shop), then exit."""
    from rich.progress import Progress

    from pegboard.entrypoints.delivering import delivery_pass
    from pegboard.services import delivery

    with opened(ctx, db, today) as pb:
        due = delivery.due_count(uow=pb.reader(), clock=pb.clock)
        with Progress(console=err, transient=True, disable=as_json) as bar:
            task = bar.add_task("Delivering events", total=due)
            report = delivery_pass(pb, limit=limit, on_progress=lambda n: bar.advance(task, n))
    if as_json:
        emit_json(report.to_json())
        return
    out.print(
        f"Delivered {report.delivered}, failed {report.failed} (retried later), parked {report.parked}"
        + (f", {report.waiting} waiting behind an older event of their order." if report.waiting else ".")
    )
    if report.parked:
        out.print("Parked events wait for `pegboard outbox --retry`; `pegboard outbox` lists them.")


@app.command()
def outbox(
    ctx: typer.Context,
    event_ids: Annotated[
        list[str] | None, typer.Argument(help="With --retry: the events to retry (default: every parked one)")
    ] = None,
    retry: Annotated[bool, typer.Option("--retry", help="Un-park events: they are tried again now")] = False,
    include_pending: Annotated[
        bool, typer.Option("--all", help="Also list events still on their way, not only parked ones")
    ] = False,
    as_json: AsJson = False,
    db: Db = None,
    today: Today = None,
) -> None:
    """Events that could not be delivered (parked), or with --retry, try them again."""
    from pegboard.services import delivery

    if event_ids and not retry:
        fail(2, "event ids are only taken with --retry (pegboard outbox --retry EVENT_ID ...)")
    with opened(ctx, db, today) as pb:
        if retry:
            retried = with_retries(lambda: delivery.retry_parked(event_ids or None, uow=pb.uow()))
        else:
            entries = delivery.outbox_entries(uow=pb.reader(), include_pending=include_pending)
    if retry:
        if as_json:
            emit_json({"retried": retried})
        else:
            out.print(f"{len(retried)} parked event(s) due again; `pegboard notify` delivers them.")
        return
    found = [_outbox_entry(entry) for entry in entries]
    if as_json:
        emit_json(found)
        return
    out.print(
        _table(
            f"Outbox: {'parked and pending' if include_pending else 'parked'} events ({len(found)})",
            ["id", "type", "order", "status", "attempts", "next attempt", "last error"],
            [
                [
                    e["id"],
                    e["event_type"],
                    e["order_ref"],
                    e["status"],
                    e["attempts"],
                    e["next_attempt_at"],
                    e["last_error"],
                ]
                for e in found
            ],
            optional=["last error", "next attempt", "attempts"],
        )
    )


def _outbox_entry(entry: Any) -> dict[str, Any]:
    def stamp(value: Any) -> str | None:
        return None if value is None else str(value.isoformat(timespec="seconds"))

    return {
        "id": entry.id,
        "event_type": entry.event_type,
        "order_ref": entry.order_ref,
        "status": entry.status,
        "attempts": entry.attempts,
        "last_error": entry.last_error,
        "next_attempt_at": stamp(entry.next_attempt_at),
        "parked_at": stamp(entry.parked_at),
        "created_at": stamp(entry.created_at),
    }


@app.command()
def housekeeping(
    ctx: typer.Context,
    retention_days: Annotated[
        int, typer.Option("--retention-days", help="Keep what is younger than this many days (at least 7)")
    ] = 30,
    as_json: AsJson = False,
    db: Db = None,
    today: Today = None,
) -> None:
    """Forget delivered outbox events, stored request answers and Shopify event ids past their retention."""
    from pegboard.services.housekeeping import forget_old_records

    with opened(ctx, db, today) as pb:
        forgotten = forget_old_records(retention_days, uow=pb.uow(), clock=pb.clock)
    if as_json:
        emit_json(forgotten.to_json())
        return
    out.print(
        f"Forgot {forgotten.delivered_events} delivered event(s), {forgotten.idempotency_keys} stored "
        f"answer(s) and {forgotten.shopify_event_ids} Shopify event id(s) older than {retention_days} days."
    )


# --- server, demo, tokens ---------------------------------------------------------------------


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default PEGBOARD_PORT, else 8000)")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    db: Db = None,
    today: Today = None,
) -> None:
    """Run the REST API (OpenAPI at /docs)."""
    from pegboard.entrypoints.server import run_server

    with opened(ctx, db, today, setup=True) as pb:
        if pb.settings.auto_migrate:
            pb.migrate_if_needed()
        else:
            pb.require_current()
        settings = pb.settings
    os.environ["PEGBOARD_DATABASE_URL"] = settings.database_url
    if today or (ctx.obj or {}).get("today"):
        os.environ["PEGBOARD_TODAY"] = str(today or ctx.obj["today"])
    run_server(host=host or settings.host, port=port or settings.port, workers=workers)


@app.command()
def demo(
    ctx: typer.Context,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the database has data")
    ] = False,
    steps: Annotated[
        int, typer.Option(min=1, max=5, help="Stop after this many of the 5 steps (3 leaves backorders open)")
    ] = 5,
    db: Db = None,
    today: Today = None,
) -> None:
    """Load the lightsaber workshop into a fresh database and walk through its story.

    A set-up command: it creates the database when there is none (an older one needs `init`).
    """
    from pegboard.entrypoints.demo import run_story

    with opened(ctx, db, today, setup=True) as pb:
        pb.create_if_missing()
        with pb.reader() as uow:
            has_data = bool(uow.catalogue.items())
        if has_data:
            if if_empty:
                err.print("The database already holds data; the demo was not loaded.")
                return
            fail(1, "the demo needs a fresh database; this one already holds items (use another --db)")
        run_story(pb, out.print, steps=steps)


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Who or what uses the token")],
    role: Annotated[tokens.Role, typer.Option(help="viewer, operator or admin")] = tokens.Role.OPERATOR,
    db: Db = None,
    today: Today = None,
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""
    name = p.text("name", name, max_length=limits.TOKEN_NAME)
    with opened(ctx, db, today) as pb:
        token = tokens.create_token(name, role, uow=pb.uow())
    sys.stdout.write(token + "\n")
    err.print(f"Token {name!r} ({role}) created. Keep it: it cannot be shown again.")


@token_app.command("list")
def token_list(ctx: typer.Context, as_json: AsJson = False, db: Db = None, today: Today = None) -> None:
    """API tokens: name, role, created, last used (to the minute), revoked; never the secret."""
    with opened(ctx, db, today) as pb:
        found = tokens.list_tokens(uow=pb.reader())
    rows = [
        {
            "name": token.name,
            "role": token.role,
            "created_at": token.created_at.isoformat(timespec="seconds"),
            "last_used_at": token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else None,
            "revoked_at": token.revoked_at.isoformat(timespec="seconds") if token.revoked_at else None,
        }
        for token in found
    ]
    if as_json:
        emit_json(rows)
        return
    table = Table("name", "role", "created", "last used", "revoked", title=f"Tokens ({len(rows)})")
    for row in rows:
        table.add_row(*(str(row[key] or "") for key in row))
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The token's name (pegboard token list)")],
    db: Db = None,
    today: Today = None,
) -> None:
    """Revoke an API token: refused from now on (a running server trusts it a few seconds more)."""
    with opened(ctx, db, today) as pb:
        _found, revoked = with_retries(lambda: tokens.revoke_token(name, uow=pb.uow()))
    out.print(f"Token {name!r} revoked." if revoked else f"Token {name!r} was already revoked.")


def _read_password() -> str:
    """The new password: from stdin when it is not a terminal, else typed twice without echo."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Password again", hide_input=True) != first:
        raise InvalidValue("password", "", "the two passwords differ")
    return str(first)


@user_app.command("create")
def user_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name to sign in with")],
    role: Annotated[tokens.Role, typer.Option(help="viewer, operator or admin")] = tokens.Role.OPERATOR,
    db: Db = None,
    today: Today = None,
) -> None:
    """Create a user of the web app; the password comes from stdin (or is asked twice)."""
    password = _read_password()
    with opened(ctx, db, today) as pb:
        users.create_user(name, role, password, uow=pb.uow())
    err.print(f"User {name!r} ({role}) created.")


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: AsJson = False, db: Db = None, today: Today = None) -> None:
    """Every user with their role and whether they are disabled."""
    with opened(ctx, db, today) as pb:
        found = users.list_users(uow=pb.reader())
    rows = [
        {
            "name": u.name,
            "role": u.role,
            "created_at": u.created_at.isoformat(timespec="seconds"),
            "disabled_at": u.disabled_at.isoformat(timespec="seconds") if u.disabled_at else None,
        }
        for u in found
    ]
    if as_json:
        emit_json(rows)
        return
    out.print(
        _table(
            "Users",
            ["name", "role", "created", "disabled"],
            [[r["name"], r["role"], r["created_at"], r["disabled_at"] or ""] for r in rows],
        )
    )


@user_app.command("disable")
def user_disable(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user to disable")],
    db: Db = None,
    today: Today = None,
) -> None:
    """Disable a user: they can no longer sign in, and their sessions end."""
    with opened(ctx, db, today) as pb:
        users.disable_user(name, uow=pb.uow())
    out.print(f"User {name!r} disabled.")


@user_app.command("ensure-demo-admin")
def user_ensure_demo_admin(ctx: typer.Context, db: Db = None, today: Today = None) -> None:
    """When no user exists, create admin "demo" with a random password and print both."""
    with opened(ctx, db, today) as pb:
        created = users.ensure_demo_admin(uow=pb.uow())
    if created is None:
        err.print("Users exist already; no demo admin was created.")
        return
    name, password = created
    out.print(
        f"Sign in at /login as [bold]{name}[/bold] with password [bold]{password}[/bold]", highlight=False
    )


@app.command("status-link")
def status_link(
    ctx: typer.Context,
    order_ref: Annotated[str, typer.Argument(help="The order whose status page to link")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke every link of the order instead")] = False,
    db: Db = None,
    today: Today = None,
) -> None:
    """Print a new link to the order's status page for its customer, or revoke all its links."""
    with opened(ctx, db, today) as pb:
        if revoke:
            revoked = with_retries(lambda: status_links.revoke_links(order_ref, uow=pb.uow()))
            out.print(f"Revoked {revoked} status link(s) of {order_ref}.")
            return
        token = with_retries(lambda: status_links.issue_link(order_ref, uow=pb.uow()))
        url = status_links.status_url(pb.settings.public_url, token)
    sys.stdout.write(url + "\n")
    err.print(f"Link issued for {order_ref}; revoke with: pegboard status-link {order_ref} --revoke")


# --- Shopify ----------------------------------------------------------------------------------

shopify_app = typer.Typer(
    help="Orders from a Shopify store: import an export, list and retry held orders.", no_args_is_help=True
)
app.add_typer(shopify_app, name="shopify")

#: How each outcome is counted in the import summary.
_IMPORT_COUNTS = {
    shopify.Outcome.PLACED: "placed",
    shopify.Outcome.UPDATED: "updated",
    shopify.Outcome.UNCHANGED: "already known",
    shopify.Outcome.STALE: "already known",
    shopify.Outcome.HELD: "held",
    shopify.Outcome.CANCELLED: "cancelled",
}


def _shopify_export(file: Path) -> list[shopify.ShopOrder]:
    """Every order of a Shopify export, read before anything is written; a bad one names its index."""
    if not file.is_file():
        fail(2, f"file {str(file)!r} does not exist")
    data = shopify_mapping.loads(file.read_bytes(), field=f"file {file.name}")
    found = []
    for n, raw in enumerate(shopify_mapping.order_list(data)):
        try:
            found.append(shopify_mapping.read_order(raw))
        except InvalidValue as error:
            field = f"orders[{n}]" + ("" if error.field == "body" else f".{error.field}")
            raise InvalidValue(field, error.value, error.reason) from None
    return sorted(found, key=lambda o: (o.draft.ordered_at or o.updated_at, o.updated_at))


@shopify_app.command("import")
def shopify_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help='A JSON export: {"orders": [...]} or a list of orders')],
    policy: Policy = None,
    db: Db = None,
    today: Today = None,
) -> None:
    """Take the orders of a Shopify export (the webhook's JSON); an order already known is not placed twice.

    Run it after an outage to pick up webhooks that never arrived. Orders are applied oldest
    first, each in its own transaction, with the same rules as the webhook.
    """
    found = _shopify_export(file)
    counts = dict.fromkeys(["placed", "updated", "already known", "held", "cancelled"], 0)
    with opened(ctx, db, today) as pb, Progress(console=err, transient=True) as progress:
        task = progress.add_task(f"Importing {file.name}", total=len(found))
        for order in found:
            take = partial(
                shopify.import_order, order, clock=pb.clock, policy=policy_of(pb, policy), uow=pb.uow()
            )
            try:
                applied = with_retries(take)
            except DomainError as error:
                where = f"order {order.order_ref} (Shopify {order.shopify_order_id})"
                fail(
                    2 if isinstance(error, BadInput) else 1,
                    f"{where}: {error.message}; orders before it were taken",
                )
            counts[_IMPORT_COUNTS[applied.outcome]] += 1
            progress.advance(task)
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    out.print(f"Imported {len(found)} Shopify orders from {file.name}: {summary}.")
    if counts["held"]:
        out.print("See `pegboard shopify held` for what holds them.")


def _held_json(record: Any) -> dict[str, Any]:
    return {
        "shopify_order_id": record.shopify_order_id,
        "order_ref": record.order_ref,
        "problem": record.problem,
        "financial_status": record.financial_status,
        "received_at": record.received_at.isoformat(timespec="seconds"),
    }


@shopify_app.command("held")
def shopify_held(ctx: typer.Context, as_json: AsJson = False, db: Db = None, today: Today = None) -> None:
    """Shopify orders on hold (an unknown SKU, a change made in the shop), with the problem to fix."""
    with opened(ctx, db, today) as pb:
        found = [_held_json(record) for record in shopify.held_orders(uow=pb.reader())]
    if as_json:
        emit_json(found)
        return
    out.print(
        _table(
            f"Held Shopify orders ({len(found)})",
            ["shopify id", "order", "problem", "received"],
            [[h["shopify_order_id"], h["order_ref"], h["problem"], h["received_at"]] for h in found],
        )
    )


@shopify_app.command("retry")
def shopify_retry(
    ctx: typer.Context,
    shopify_order_id: Annotated[str | None, typer.Argument(help="One held order (default: all)")] = None,
    policy: Policy = None,
    db: Db = None,
    today: Today = None,
) -> None:
    """Apply held orders again: each is placed once its SKUs exist; additions made in the shop are added.

    Exits 1 when an order is still held afterwards.
    """
    with opened(ctx, db, today) as pb:
        ids = (
            [shopify_order_id]
            if shopify_order_id
            else [r.shopify_order_id for r in shopify.held_orders(uow=pb.reader())]
        )
        if not ids:
            out.print("No Shopify order is held.")
            return
        still_held = 0
        for shop_id in ids:
            applied = with_retries(
                partial(
                    shopify.retry_held,
                    shop_id,
                    read=shopify_mapping.read_payload,
                    uow=pb.uow(),
                    clock=pb.clock,
                    policy=policy_of(pb, policy),
                )
            )
            problem = f": {applied.problem}" if applied.problem else ""
            out.print(f"{shop_id} ({applied.order_ref}): {applied.outcome}{problem}")
            still_held += applied.outcome is shopify.Outcome.HELD
    if still_held:
        fail(1, f"{still_held} Shopify order(s) still held")


# --- books ------------------------------------------------------------------------------------


@app.command()
def pay(
    ctx: typer.Context,
    order_ref: Annotated[str, typer.Argument(help="The order paid for")],
    amount: Annotated[str, typer.Argument(help="The amount received, e.g. 1200.50")],
    method: Annotated[str, typer.Option(help="How it was paid, e.g. card or bank transfer")] = "",
    reference: Annotated[str, typer.Option(help="The payment's reference, e.g. a transaction id")] = "",
    db: Db = None,
    today: Today = None,
) -> None:
    """Record money received for an order: a customer deposit until the goods ship."""
    money = p.quantity("amount", amount)
    with opened(ctx, db, today) as pb:
        paid = with_retries(
            lambda: books.pay(
                order_ref,
                money,
                method=method.strip(),
                reference=reference.strip(),
                uow=pb.uow(),
                clock=pb.clock,
            )
        )
    out.print(f"Paid {money} for {order_ref} (entry {paid.entry}); deposit held {paid.deposit}.")


@app.command()
def refund(
    ctx: typer.Context,
    order_ref: Annotated[str, typer.Argument(help="The order refunded")],
    amount: Annotated[
        str | None, typer.Argument(help="The amount paid back (default: the refund due)")
    ] = None,
    reference: Annotated[str, typer.Option(help="The refund's reference")] = "",
    db: Db = None,
    today: Today = None,
) -> None:
    """Record money paid back to a customer; never more than was paid and not shipped."""
    money = p.quantity("amount", amount) if amount is not None else None
    with opened(ctx, db, today) as pb:
        done = with_retries(
            lambda: books.refund(order_ref, money, reference=reference.strip(), uow=pb.uow(), clock=pb.clock)
        )
    out.print(f"Refunded {order_ref} (entry {done.entry}); refund still due {done.refund_due}.")


@app.command()
def journal(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from", help="First day YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day YYYY-MM-DD")] = None,
    as_json: AsJson = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
    db: Db = None,
    today: Today = None,
) -> None:
    """The journal: every line of every entry, in the order booked."""
    if as_json and as_csv:
        raise InvalidValue("--csv", "--json", "choose one of --json and --csv")
    first, last = p.a_date("--from", start), p.a_date("--to", end)
    with opened(ctx, db, today) as pb:
        rows = books.journal(pb.reader(), start=first, end=last)
        names = account_names(pb.settings.account_names)
    if as_json:
        emit_json(book_views.journal(rows, names))
    elif as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(book_views.JOURNAL_COLUMNS)
        writer.writerows(book_views.journal_csv_rows(rows))
    else:
        columns = ["date", "entry", "account", "debit", "credit", "order_ref", "memo"]
        table_rows = [
            [r[0], r[1], f"{r[2]} {names.get(r[2], '')}", *r[3:]] for r in book_views.journal_csv_rows(rows)
        ]
        out.print(_table("Journal", columns, table_rows))


@app.command()
def balance(ctx: typer.Context, as_json: AsJson = False, db: Db = None, today: Today = None) -> None:
    """The trial balance: each account's debits, credits and balance; the totals are equal."""
    with opened(ctx, db, today) as pb:
        lines = books.trial_balance(pb.reader(), names=pb.settings.account_names)
        view = book_views.balance(lines, pb.settings.currency)
    if as_json:
        emit_json(view)
        return
    rows = [[a["account"], a["name"], a["debit"], a["credit"], a["balance"]] for a in view["accounts"]]
    rows.append(["", "Total", view["total_debit"], view["total_credit"], ""])
    out.print(
        _table(f"Trial balance ({view['currency']})", ["account", "name", "debit", "credit", "balance"], rows)
    )


# --- running ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every failure into a message and an exit code."""
    try:
        app(args=argv, standalone_mode=False)
    except Exit as error:
        err.print(f"error: {error.message}", markup=False, highlight=False)
        return error.code
    except typer.Exit as error:
        return int(error.exit_code)
    except TyperException as error:  # a usage error: unknown option, missing argument
        show = getattr(error, "show", None)
        if callable(show):
            show()
        return 2
    except BadInput as error:
        _say(error)
        return 2
    except ActionRefused as error:
        _say(error)
        return 1
    except DomainError as error:
        _say(error)
        return 1
    except DatabaseNotReady as error:
        err.print(f"error: {error.message}", markup=False, highlight=False)
        return 2
    except OperationalError as error:
        err.print(f"error: cannot use the database: {_driver_message(error)}", markup=False, highlight=False)
        return 1
    except SQLAlchemyError as error:
        # Never the statement or its parameters: they may hold customers' data or token hashes.
        err.print(
            f"error: the database refused the change: {_driver_message(error)}", markup=False, highlight=False
        )
        return 1
    except StatementError as error:  # never the SQL or its parameters: they may hold anyone's data
        reason = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
        err.print(f"error: the database refused the change: {reason}", markup=False, highlight=False)
        return 1
    except typer.Abort:
        return 1
    except SystemExit as error:
        return int(error.code or 0) if not isinstance(error.code, str) else 2
    except Exception as error:  # the promise is: never a traceback
        if os.environ.get("PEGBOARD_DEBUG"):
            raise
        err.print(f"error: {type(error).__name__}: {error}", markup=False, highlight=False)
        return 1
    return 0


def _driver_message(error: SQLAlchemyError) -> str:
    """The database's own first line (e.g. "no such table: items"), without SQL or parameters."""
    cause = error.orig if isinstance(error, DBAPIError) else None
    text = str(cause) if cause is not None else type(error).__name__
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


def _say(error: DomainError) -> None:
    err.print(f"error: {error.message}", markup=False, highlight=False)


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
