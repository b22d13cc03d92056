"""`--db` and `--today` are declared once and taken by every command, before its name or after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main

from pegboard.entrypoints.cli import app, main


def _commands(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, object]]:
    """Every command that runs something (not the groups), with its full name."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield " ".join(path), command
        return
    for name, sub in subcommands.items():
        yield from _commands(sub, (*path, name))


def test_every_command_takes_db_and_today_after_its_name() -> None:
    commands = dict(_commands(typer.main.get_command(app)))

    without = [
        name
        for name, command in commands.items()
        if not {"--db", "--today"} <= {opt for param in getattr(command, "params", []) for opt in param.opts}
    ]

    assert {"place", "adjust", "token create", "shopify retry"} <= commands.keys()
    assert without == []


def test_a_today_given_after_the_command_wins_over_one_given_before(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", sqlite_url, "--today", "2026-11-23", "orders", "--today", "2026-02-30"])

    assert code == 2
    assert "2026-02-30" in capsys.readouterr().err


def test_a_db_given_after_the_command_is_the_one_used(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nowhere = f"sqlite:///{tmp_path / 'nowhere.db'}"

    refused = main(["--db", sqlite_url, "orders", "--db", nowhere])
    refused_err = capsys.readouterr().err
    listed = main(["--db", nowhere, "orders", "--json", "--db", sqlite_url])

    assert refused == 2 and "nowhere.db" in refused_err
    assert listed == 0 and capsys.readouterr().out.strip() == "[]"


def test_a_db_given_only_before_the_command_reaches_a_command_of_a_group(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", sqlite_url, "token", "list", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
