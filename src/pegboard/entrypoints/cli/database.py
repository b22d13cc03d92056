"""The database: create or migrate it (init), fill it from CSV files (import).

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pegboard.entrypoints.cli.context import Policy, app, err, fail, opened, out, policy_of
from pegboard.services.import_kinds import ImportKind


@app.command()
def init(ctx: typer.Context) -> None:
    """Create or migrate the database; stock from before stock values gets its opening value."""
    from pegboard.services import valuation
    from pegboard.services.runner import with_retries

    with opened(ctx, setup=True) as pb:
        pb.migrate()
        opened_values = with_retries(lambda: valuation.open_values(uow=pb.uow(), clock=pb.clock))
        if opened_values:
            total = sum(opened_values.values())
            err.print(f"Opening stock value at standard cost: {len(opened_values)} items, {total}")
        err.print(f"Database ready: {pb.where}")


@app.command("import")
def import_(
    ctx: typer.Context,
    kind: Annotated[
        ImportKind, typer.Argument(help="suppliers, items, boms, stock, orders, purchase-orders or options")
    ],
    file: Annotated[Path, typer.Argument(help="CSV file with a header row")],
    policy: Policy = None,
) -> None:
    """Import a CSV file, all or nothing: a bad row names its row and column and nothing is written."""
    from pegboard.services import imports
    from pegboard.services.runner import with_retries

    if not file.is_file():
        fail(2, f"file {str(file)!r} does not exist")
    with opened(ctx) as pb, file.open(encoding="utf-8", newline="") as stream:
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
