"""Running the CLI: every failure becomes a message and an exit code, never a traceback.

The database's failures are told apart only once one is raised (`_database_failure`): SQLAlchemy
and the wiring are not imported to start `pegboard --help`, or a command refused before it opens
the database.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING

import typer
from typer.exceptions import TyperException

from pegboard.domain.errors import ActionRefused, BadInput, DomainError
from pegboard.entrypoints.cli.context import Exit, app, err
from pegboard.planning.collector import kept_until_exit

if TYPE_CHECKING:
    from sqlalchemy.exc import SQLAlchemyError


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every failure into a message and an exit code; `argv` None: this
    process's own command line, which ends with it (`_end`)."""
    try:
        code = _run(argv)
    finally:
        kept = kept_until_exit()
    if argv is None and kept:
        _end(code)
    return code


def _end(code: int) -> None:
    """End this process now, its output written: what the command kept to the end
    (`collector.leave_until_exit`: a plan's snapshot and plans, millions of objects at L) is
    not freed one object at a time, nor is anything else. Not while another thread runs."""
    if threading.active_count() > 1:
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be written
            pass
    os._exit(code)


def _run(argv: list[str] | None) -> int:
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
    except typer.Abort:
        return 1
    except SystemExit as error:
        return int(error.code or 0) if not isinstance(error.code, str) else 2
    except Exception as error:  # the promise is: never a traceback
        code = _database_failure(error)
        if code is not None:
            return code
        if os.environ.get("PEGBOARD_DEBUG"):
            raise
        err.print(f"error: {type(error).__name__}: {error}", markup=False, highlight=False)
        return 1
    return 0


def _database_failure(error: Exception) -> int | None:
    """The exit code of a database that is not ready or failed, its message said; None: another error."""
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    from pegboard.bootstrap import DatabaseNotReady

    if isinstance(error, DatabaseNotReady):
        err.print(f"error: {error.message}", markup=False, highlight=False)
        return 2
    if isinstance(error, OperationalError):
        err.print(f"error: cannot use the database: {_driver_message(error)}", markup=False, highlight=False)
        return 1
    if isinstance(error, SQLAlchemyError):
        # Never the statement or its parameters: they may hold customers' data or token hashes.
        err.print(
            f"error: the database refused the change: {_driver_message(error)}", markup=False, highlight=False
        )
        return 1
    return None


def _driver_message(error: SQLAlchemyError) -> str:
    """The database's own first line (e.g. "no such table: items"), without SQL or parameters."""
    from sqlalchemy.exc import DBAPIError

    cause = error.orig if isinstance(error, DBAPIError) else None
    text = str(cause) if cause is not None else type(error).__name__
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


def _say(error: DomainError) -> None:
    err.print(f"error: {error.message}", markup=False, highlight=False)


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
