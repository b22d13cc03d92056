"""Orders from a Shopify store: import an export, list and retry held orders.

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pegboard.domain.errors import BadInput, DomainError, InvalidValue
from pegboard.entrypoints.cli.context import (
    AsJson,
    Policy,
    app,
    err,
    fail,
    opened,
    out,
    policy_of,
    show,
    table,
)

if TYPE_CHECKING:
    from pegboard.services import shopify

shopify_app = typer.Typer(
    help="Orders from a Shopify store: import an export, list and retry held orders.", no_args_is_help=True
)
app.add_typer(shopify_app, name="shopify")


def _counted_as(outcome: shopify.Outcome) -> str:
    """How an outcome is counted in the import summary."""
    from pegboard.services import shopify

    counts = {
        shopify.Outcome.PLACED: "placed",
        shopify.Outcome.UPDATED: "updated",
        shopify.Outcome.UNCHANGED: "already known",
        shopify.Outcome.STALE: "already known",
        shopify.Outcome.HELD: "held",
        shopify.Outcome.CANCELLED: "cancelled",
    }
    return counts[outcome]


def _shopify_export(file: Path) -> list[shopify.ShopOrder]:
    """Every order of a Shopify export, read before anything is written; a bad one names its index."""
    from pegboard.adapters.shopify import mapping as shopify_mapping

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
) -> None:
    """Take the orders of a Shopify export (the webhook's JSON); an order already known is not placed twice.

    Run it after an outage to pick up webhooks that never arrived. Orders are applied oldest
    first, each in its own transaction, with the same rules as the webhook.
    """
    from rich.progress import Progress

    from pegboard.services import shopify
    from pegboard.services.runner import with_retries

    found = _shopify_export(file)
    counts = dict.fromkeys(["placed", "updated", "already known", "held", "cancelled"], 0)
    with opened(ctx) as pb, Progress(console=err, transient=True) as progress:
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
            counts[_counted_as(applied.outcome)] += 1
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
def shopify_held(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Shopify orders on hold (an unknown SKU, a change made in the shop), with the problem to fix."""
    from pegboard.services import shopify

    with opened(ctx) as pb:
        found = [_held_json(record) for record in shopify.held_orders(uow=pb.reader())]
    show(
        as_json,
        lambda: found,
        lambda: table(
            f"Held Shopify orders ({len(found)})",
            ["shopify id", "order", "problem", "received"],
            [[h["shopify_order_id"], h["order_ref"], h["problem"], h["received_at"]] for h in found],
        ),
    )


@shopify_app.command("retry")
def shopify_retry(
    ctx: typer.Context,
    shopify_order_id: Annotated[str | None, typer.Argument(help="One held order (default: all)")] = None,
    policy: Policy = None,
) -> None:
    """Apply held orders again: each is placed once its SKUs exist; additions made in the shop are added.

    Exits 1 when an order is still held afterwards.
    """
    from pegboard.adapters.shopify import mapping as shopify_mapping
    from pegboard.services import shopify
    from pegboard.services.runner import with_retries

    with opened(ctx) as pb:
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
