"""The `pegboard` command: every use case from the shell, tables for people, JSON for tools.

Exit codes: 0 done; 1 a business action refused; 2 bad input. Never a traceback.

One module per group of commands; `context` holds what they share: the Typer `app`, the
`--db`/`--today` options (declared once; every command accepts them before or after its
name) and `opened(ctx)`, which gives a command its Pegboard; `running.main` turns failures
into exit codes.

To add a group of commands: write `cli/NAME.py` with `from pegboard.entrypoints.cli.context
import app, opened` and `@app.command()` functions taking `ctx: typer.Context` (no `--db` or
`--today` of their own: call `opened(ctx)`), then register it with one line below:
`from pegboard.entrypoints.cli import NAME`. A sub-group (`pegboard NAME ...`) is a
`typer.Typer()` added with `app.add_typer`. The order of the lines below is the order of
`pegboard --help`.

Every `pegboard` process imports every command module, and runs one command: a command module
imports at its top only Typer, Rich, `context` and the domain's (and `services.parsing`,
`import_kinds`, `roles`) names its options use; its use cases and views are imported inside
the commands that call them (`tests/e2e/test_cli_startup.py` holds it; BENCHMARKS.md "cliboot").
"""

# These lines register the command groups; their order is that of `pegboard --help`.
# isort: off
from pegboard.entrypoints.cli import database  # noqa: F401
from pegboard.entrypoints.cli import orders  # noqa: F401
from pegboard.entrypoints.cli import stock  # noqa: F401
from pegboard.entrypoints.cli import production  # noqa: F401
from pegboard.entrypoints.cli import plan  # noqa: F401
from pegboard.entrypoints.cli import quotes  # noqa: F401
from pegboard.entrypoints.cli import whatif  # noqa: F401
from pegboard.entrypoints.cli import outbox  # noqa: F401
from pegboard.entrypoints.cli import server  # noqa: F401
from pegboard.entrypoints.cli import access  # noqa: F401
from pegboard.entrypoints.cli import books  # noqa: F401
from pegboard.entrypoints.cli import shopify  # noqa: F401
from pegboard.entrypoints.cli import learning  # noqa: F401
from pegboard.entrypoints.cli import kpis  # noqa: F401

# isort: on
from pegboard.entrypoints.cli.context import app
from pegboard.entrypoints.cli.running import main, run

__all__ = ["app", "main", "run"]
