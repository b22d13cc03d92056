"""Events on their way out: deliver them, list and retry parked ones, forget old records.

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from pegboard.entrypoints.cli.context import AsJson, app, emit_json, err, fail, opened, out, show, table


@app.command()
def notify(
    ctx: typer.Context,
    as_json: AsJson = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many events in this pass")] = 10_000,
) -> None:
    """Deliver the due outbox events once (re-promising, customer email, the shop), then exit."""
    from rich.progress import Progress

    from pegboard.entrypoints.delivering import delivery_pass
    from pegboard.services import delivery

    with opened(ctx) as pb:
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
) -> None:
    """Events that could not be delivered (parked), or with --retry, try them again."""
    from pegboard.services import delivery
    from pegboard.services.runner import with_retries

    if event_ids and not retry:
        fail(2, "event ids are only taken with --retry (pegboard outbox --retry EVENT_ID ...)")
    with opened(ctx) as pb:
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
    show(
        as_json,
        lambda: found,
        lambda: table(
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
        ),
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
) -> None:
    """Forget delivered outbox events, stored request answers and Shopify event ids past their retention,
    and promise parts no promise names."""
    from pegboard.services.housekeeping import forget_old_records

    with opened(ctx) as pb:
        forgotten = forget_old_records(retention_days, uow=pb.uow(), clock=pb.clock)
    if as_json:
        emit_json(forgotten.to_json())
        return
    out.print(
        f"Forgot {forgotten.delivered_events} delivered event(s), {forgotten.idempotency_keys} stored "
        f"answer(s) and {forgotten.shopify_event_ids} Shopify event id(s) older than {retention_days} days, "
        f"and {forgotten.unused_promise_parts} promise part(s) no promise names."
    )
