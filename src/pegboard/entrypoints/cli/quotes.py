"""Quotes: the dates an order would get if placed now; nothing is written.

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import RenderableType

from pegboard.domain import limits
from pegboard.domain.errors import InvalidValue
from pegboard.domain.options import parse_choices
from pegboard.domain.sales import ShipPolicy
from pegboard.entrypoints.cli.context import AsJson, app, opened, show, table
from pegboard.services import parsing

if TYPE_CHECKING:
    from pegboard.services import quoting


@app.command("quote")
def quote_(
    ctx: typer.Context,
    lines: Annotated[
        list[str],
        typer.Argument(help="Lines as SKU:QUANTITY, or SKU:QUANTITY:CHOICES (HILT=engraved;COLOUR=green)"),
    ],
    ship_policy: Annotated[ShipPolicy, typer.Option(help="partial or complete")] = ShipPolicy.PARTIAL,
    priority: Annotated[
        str, typer.Option(metavar="INTEGER", help="The order's priority (-1000 to 1000), as `pegboard place`")
    ] = "0",
    as_json: AsJson = False,
    hold: Annotated[
        int | None,
        typer.Option(
            "--hold",
            metavar="MINUTES",
            help="Hold what the quote takes from stock for a checkout; place the order with --quote ID",
        ),
    ] = None,
) -> None:
    """What an order placed now would get: stock now, then each waiting part's date and reason.

    The same rules as a promise (BOMs, open and planned supply, lead times, lot sizes, the
    orders already waiting ahead of it); placing the order next gives these dates. Nothing is
    written, unless --hold keeps what it takes from stock for that many minutes.
    """
    from pegboard.services import quoting
    from pegboard.services.runner import with_retries
    from pegboard.views.quotes import quote_json

    wanted: list[tuple[str, Decimal]] = []
    choices: list[dict[str, str]] = []
    for n, text in enumerate(lines, start=1):
        parts = text.split(":", 2)
        if len(parts) < 2:
            raise InvalidValue(f"line {n}", text, "is not SKU:QUANTITY")
        wanted.append(
            (parsing.text("sku", parts[0], max_length=limits.SKU), parsing.quantity("quantity", parts[1]))
        )
        choices.append(parse_choices(parts[2], field=f"lines[{n}].options") if len(parts) == 3 else {})
    request = quoting.QuoteRequest(
        tuple(wanted),
        parsing.whole_number("priority", priority, minimum=-1000, maximum=1000) or 0,
        ship_policy,
        tuple(choices),
    )
    with opened(ctx) as pb:
        if hold is None:
            found = quoting.quote(request, uow=pb.reader(), clock=pb.clock)
        else:
            found = with_retries(lambda: quoting.quote_and_hold(request, hold, uow=pb.uow(), clock=pb.clock))
    show(as_json, lambda: quote_json(found), lambda: _quote_text(found))


def _quote_text(found: quoting.Quote) -> list[RenderableType]:
    rows = []
    for line in found.lines:
        day = found.line_date(line)
        rows.append([line.sku, line.quantity, line.now, "open term" if day is None else day, line.reason])
        for part in line.parts:
            rows.append(["", part.quantity, "", "open term" if part.date is None else part.date, part.reason])
    whole = "open term: no honest date yet" if found.date is None else found.date.isoformat()
    shown: list[RenderableType] = [
        table("Quote", ["sku", "quantity", "now", "date", "reason"], rows, optional=["reason"]),
        f"The whole order ({found.ship_policy}): {whole}",
    ]
    if found.quote_id is not None and found.hold_until is not None:
        shown.append(
            f"Held as {found.quote_id} until {found.hold_until:%Y-%m-%d %H:%M}: "
            f"place the order with --quote {found.quote_id}"
        )
    return shown
