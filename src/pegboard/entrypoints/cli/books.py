"""The books: payments, refunds, the journal and the trial balance.

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer

from pegboard.domain.books import account_names
from pegboard.domain.errors import InvalidValue
from pegboard.entrypoints.cli.context import AsJson, app, opened, out, show, table
from pegboard.services import parsing

#: A negative amount (`pay SO-1 -5`) reaches the amount's check, which names the field, instead of
#: being taken for an unknown option.
AMOUNTS = {"ignore_unknown_options": True}


@app.command(context_settings=AMOUNTS)
def pay(
    ctx: typer.Context,
    order_ref: Annotated[str, typer.Argument(help="The order paid for")],
    amount: Annotated[str, typer.Argument(help="The amount received, e.g. 1200.50")],
    method: Annotated[str, typer.Option(help="How it was paid, e.g. card or bank transfer")] = "",
    reference: Annotated[str, typer.Option(help="The payment's reference, e.g. a transaction id")] = "",
) -> None:
    """Record money received for an order: a customer deposit until the goods ship."""
    from pegboard.services import books
    from pegboard.services.runner import with_retries

    money = parsing.quantity("amount", amount)
    with opened(ctx) as pb:
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
    owed = f"; still owed {paid.receivable}" if paid.receivable > 0 else ""
    out.print(f"Paid {money} for {order_ref} (entry {paid.entry}); deposit held {paid.deposit}{owed}.")


@app.command(context_settings=AMOUNTS)
def refund(
    ctx: typer.Context,
    order_ref: Annotated[str, typer.Argument(help="The order refunded")],
    amount: Annotated[
        str | None, typer.Argument(help="The amount paid back (default: the refund due)")
    ] = None,
    reference: Annotated[str, typer.Option(help="The refund's reference")] = "",
) -> None:
    """Record money paid back to a customer; never more than was paid and not shipped."""
    from pegboard.services import books
    from pegboard.services.runner import with_retries

    money = parsing.quantity("amount", amount) if amount is not None else None
    with opened(ctx) as pb:
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
) -> None:
    """The journal: every line of every entry, in the order booked."""
    from pegboard.services import books
    from pegboard.views import books as book_views

    if as_json and as_csv:
        raise InvalidValue("--csv", "--json", "choose one of --json and --csv")
    first, last = parsing.a_date("--from", start), parsing.a_date("--to", end)
    with opened(ctx) as pb:
        rows = books.journal(pb.reader(), start=first, end=last)
        names = account_names(pb.settings.account_names)
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(book_views.JOURNAL_COLUMNS)
        writer.writerows(book_views.journal_csv_rows(rows))
        return
    columns = ["date", "entry", "account", "debit", "credit", "order_ref", "memo"]
    show(
        as_json,
        lambda: book_views.journal(rows, names),
        lambda: table(
            "Journal",
            columns,
            [
                [r[0], r[1], f"{r[2]} {names.get(r[2], '')}", *r[3:]]
                for r in book_views.journal_csv_rows(rows)
            ],
        ),
    )


@app.command()
def balance(ctx: typer.Context, as_json: AsJson = False) -> None:
    """The trial balance: each account's debits, credits and balance; the totals are equal."""
    from pegboard.services import books
    from pegboard.views import books as book_views

    with opened(ctx) as pb:
        lines = books.trial_balance(pb.reader(), names=pb.settings.account_names)
        view = book_views.balance(lines, pb.settings.currency)
    rows = [[a["account"], a["name"], a["debit"], a["credit"], a["balance"]] for a in view["accounts"]]
    rows.append(["", "Total", view["total_debit"], view["total_credit"], ""])
    show(
        as_json,
        lambda: view,
        lambda: table(
            f"Trial balance ({view['currency']})", ["account", "name", "debit", "credit", "balance"], rows
        ),
    )


@app.command()
def valuation(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The day YYYY-MM-DD (default: now)")] = None,
    as_json: AsJson = False,
) -> None:
    """The stock value: per item on hand, value and unit cost, and the total (average or FIFO)."""
    from pegboard.services import valuation as stock_value
    from pegboard.views import books as book_views

    day = parsing.a_date("--as-of", as_of)
    with opened(ctx) as pb:
        view = book_views.valuation(stock_value.valuation(pb.reader(), as_of=day), pb.settings.currency)
    rows = [[i["sku"], i["on_hand"], i["value"], i["unit_cost"] or ""] for i in view["items"]]
    rows.append(["Total", "", view["total"], ""])
    when = f" on {view['as_of']}" if view["as_of"] else ""
    show(
        as_json,
        lambda: view,
        lambda: table(
            f"Stock value{when} ({view['currency']})", ["sku", "on hand", "value", "unit cost"], rows
        ),
    )
