"""What a read command shows: coloured as Rich colours it on a terminal, the same characters
elsewhere (highlighting is skipped where there are no colours to print)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from pegboard.entrypoints.cli import context

LINE = "Suggested PO lines: first 100 of 2766: --all lists every one"


def shown(monkeypatch: pytest.MonkeyPatch, console: Console) -> str:
    monkeypatch.setattr(context, "out", console)
    context.show(False, dict, lambda: [LINE, context.table("T", ["sku", "quantity"], [["A-1", "12"]])])
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def by_rich(console: Console) -> str:
    console.print(LINE)
    console.print(context.table("T", ["sku", "quantity"], [["A-1", "12"]]))
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


@pytest.mark.parametrize("terminal", [True, False])
def test_a_read_command_prints_what_rich_prints(monkeypatch: pytest.MonkeyPatch, terminal: bool) -> None:
    def console() -> Console:
        return Console(
            file=io.StringIO(),
            width=80,
            force_terminal=terminal,
            color_system="truecolor" if terminal else None,
            soft_wrap=True,
            markup=False,
        )

    printed = shown(monkeypatch, console())

    assert printed == by_rich(console())
    assert ("\x1b[" in printed) == terminal
