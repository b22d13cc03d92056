"""The REST API server and the lightsaber demo."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from pegboard.entrypoints.cli.context import app, err, fail, given, opened, out


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default PEGBOARD_PORT, else 8000)")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Run the REST API (OpenAPI at /docs)."""
    from pegboard.entrypoints.server import run_server

    with opened(ctx, setup=True) as pb:
        if pb.settings.auto_migrate:
            pb.migrate_if_needed()
        else:
            pb.require_current()
        settings = pb.settings
    os.environ["PEGBOARD_DATABASE_URL"] = settings.database_url
    business_day = given(ctx).today
    if business_day:
        os.environ["PEGBOARD_TODAY"] = business_day
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
) -> None:
    """Load the lightsaber workshop into a fresh database and walk through its story.

    A set-up command: it creates the database when there is none (an older one needs `init`).
    """
    from pegboard.entrypoints.demo import run_story

    with opened(ctx, setup=True) as pb:
        pb.create_if_missing()
        with pb.reader() as uow:
            has_data = bool(uow.catalogue.items())
        if has_data:
            if if_empty:
                err.print("The database already holds data; the demo was not loaded.")
                return
            fail(1, "the demo needs a fresh database; this one already holds items (use another --db)")
        run_story(pb, out.print, steps=steps)
