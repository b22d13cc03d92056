"""What every command shares: the app, `--db` and `--today`, the open Pegboard, output and failure.

`--db` and `--today` are declared once, here, and accepted before the command's name
(`pegboard --db X place ...`) and after it (`pegboard place ... --db X`); after wins.

The settings, the database and the wiring are imported when a command opens its Pegboard, not
here: every `pegboard` process imports this module, `pegboard --help` among them.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
import typer.main
from rich.console import Console, RenderableType
from rich.table import Table
from typer.core import TyperGroup

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import InvalidValue
from pegboard.entrypoints import tables
from pegboard.services import parsing

if TYPE_CHECKING:
    from pegboard.bootstrap import Pegboard
    from pegboard.config import Settings

#: Never markup: what is printed holds SKUs, refs and names as typed ("Bob [red]" stays whole).
out = Console(soft_wrap=True, markup=False)
err = Console(stderr=True, soft_wrap=True, markup=False)

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


@dataclass
class Given:
    """What `--db` and `--today` said for this run, before or after the command's name."""

    db: str | None = None
    today: str | None = None


def _remember(ctx: Any, param: Any, value: str | None) -> None:
    """A command's own `--db`/`--today` overrides the one given before its name (an empty one does not).

    A Click parameter callback: `ctx` and `param` are Click's (Typer's vendored copy).
    """
    if value:
        setattr(ctx.ensure_object(Given), str(param.name), value)


def _shared_options() -> list[Any]:
    """`--db` and `--today` as options of one command: built by Typer from `Db` and `Today`, so they
    read and show exactly as the app's own; their values go to `Given`, not to the command."""
    probe = typer.Typer(add_completion=False)

    @probe.command()
    def _probe(db: Db = None, today: Today = None) -> None: ...

    options = []
    for param in typer.main.get_command(probe).params:
        option = copy.copy(param)
        option.expose_value = False
        option.callback = _remember
        options.append(option)
    return options


class _SharedOptionsGroup(TyperGroup):
    """The root group: every command under it, in sub-groups too, also takes `--db` and `--today`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shared = _shared_options()
        pending = list(self.commands.values())
        while pending:
            command = pending.pop()
            if isinstance(command, TyperGroup):
                pending.extend(command.commands.values())
            elif not any(param.name in ("db", "today") for param in command.params):
                command.params.extend(copy.copy(option) for option in shared)


app = typer.Typer(
    name="pegboard",
    help="Pegboard: inventory, orders, purchasing and production, built around backorders.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_SharedOptionsGroup,
)


@app.callback()
def _global(ctx: typer.Context, db: Db = None, today: Today = None) -> None:
    """Global --db and --today, also accepted after each command."""
    ctx.obj = Given(db=db, today=today)


def given(ctx: typer.Context) -> Given:
    """`--db` and `--today` as given for this run (either may be None: the settings decide)."""
    return ctx.find_object(Given) or Given()


class Exit(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@contextmanager
def opened(ctx: typer.Context, *, setup: bool = False) -> Iterator[Pegboard]:
    """Settings from the environment, overridden by --db/--today, on a database at the newest schema.

    Only set-up commands (`setup=True`: init, demo, serve) may find it missing or older; any
    other command is refused (exit 2, "run `pegboard init`") before anything is written.
    """
    from sqlalchemy.exc import ArgumentError

    from pegboard.bootstrap import bootstrap

    options = given(ctx)
    settings = _settings()
    if options.db:
        settings = settings.model_copy(update={"database_url": options.db})
    business_day = parsing.a_date("--today", options.today)
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
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from pegboard.config import Settings

    try:
        return Settings()
    except SettingsError as error:
        # A value that is not even JSON (a dict setting such as PEGBOARD_ACCOUNT_NAMES) fails here.
        found = re.search(r'field "([a-z_]+)"', str(error))
        name = "PEGBOARD_" + (found.group(1).upper() if found else "SETTINGS")
        raise InvalidValue(name, os.environ.get(name, ""), "is not valid JSON") from None
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
    """`data` as indented JSON (`views.json.indented_json`: the standard library's bytes, faster)."""
    from pegboard.views.json import indented_json

    sys.stdout.write(indented_json(data) + "\n")


#: What a read command prints without `--json`: a table, a line of text, or several, in turn.
Shown = RenderableType | list[RenderableType]


def show(as_json: bool, to_json: Callable[[], Any], as_text: Callable[[], Shown]) -> None:
    """What a read command found: its JSON with `--json`, else its tables and lines, each printed in
    turn (only the one shown is built)."""
    if as_json:
        emit_json(to_json())
        return
    shown = as_text()
    # Rich's highlighting only colours what it prints (numbers, quoted words): with no colours to
    # print (not a terminal) the same characters come out without it, and its regular expressions
    # (compiled on first use: 5 to 10 ms) are not needed.
    highlight = out.color_system is not None
    for part in shown if isinstance(shown, list) else [shown]:
        out.print(part, highlight=highlight)


def quantity_arg(name: str, value: str, *, allow_zero: bool = False) -> Decimal:
    return parsing.quantity(name, value, allow_zero=allow_zero)


def table(title: str, columns: list[str], rows: list[list[Any]], *, optional: Sequence[str] = ()) -> Table:
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
    "debit",
    "credit",
    "balance",
    "value",
    "unit cost",
}
