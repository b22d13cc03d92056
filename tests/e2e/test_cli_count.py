"""`pegboard count` (alias `adjust`): a count below what orders hold says which orders lost what."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pegboard.entrypoints.cli import main

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the CLI in-process against the test database; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", db_url, "--today", "2026-11-23", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def kettles(cli: Cli, tmp_path: Path) -> Cli:
    """5 kettles, all held: SO-1 holds 2, SO-2 (priority 5) holds 2, SO-3 holds 1, oldest first."""
    items = tmp_path / "items.csv"
    items.write_text("sku,name,procurement\nKETTLE,Kettle,buy\n")
    assert cli("import", "items", str(items))[0] == 0
    assert cli("count", "KETTLE", "5")[0] == 0
    assert cli("place", "SO-1", "KETTLE:2")[0] == 0
    assert cli("place", "SO-2", "KETTLE:2", "--priority", "5")[0] == 0
    assert cli("place", "SO-3", "KETTLE:1")[0] == 0
    return cli


def backordered(cli: Cli) -> dict[str, float]:
    code, out, _ = cli("backorders", "--json")
    assert code == 0
    return {b["order_ref"]: b["quantity"] for b in json.loads(out)}


@pytest.mark.parametrize("command", ["count", "adjust"])
def test_a_count_below_what_is_held_takes_from_the_newest_orders_and_lists_them(
    kettles: Cli, command: str
) -> None:
    code, out, err = kettles(command, "KETTLE", "2", "--reason", "water damage")

    assert code == 0, err
    assert "KETTLE: counted 2; adjusted by -3." in out
    assert "SO-3 line 1: 1 KETTLE" in out and "SO-2 line 1: 2 KETTLE" in out and "SO-1" not in out
    assert backordered(kettles) == {"SO-2": 2, "SO-3": 1}
    stock = json.loads(kettles("stock", "KETTLE", "--json")[1])
    assert (stock["on_hand"], stock["allocated"], stock["movements"][0]["reason"]) == (2, 2, "water damage")


def test_under_the_priority_policy_the_lowest_priority_loses_first(kettles: Cli) -> None:
    code, out, _ = kettles("count", "KETTLE", "2", "--policy", "priority")

    assert code == 0
    assert "SO-3 line 1: 1 KETTLE" in out and "SO-1 line 1: 2 KETTLE" in out and "SO-2" not in out
    assert backordered(kettles) == {"SO-1": 2, "SO-3": 1}


def test_a_count_above_what_is_held_takes_nothing_back_and_needs_no_reason(kettles: Cli) -> None:
    code, out, _ = kettles("count", "KETTLE", "6")

    assert code == 0 and "adjusted by 1." in out and "Taken back" not in out
    assert json.loads(kettles("stock", "KETTLE", "--json")[1])["movements"][0]["reason"] == "count"


@pytest.mark.parametrize("command", ["count", "adjust"])
def test_count_and_adjust_refuse_the_same_bad_input(kettles: Cli, command: str) -> None:
    assert kettles(command, "KETTLE", "-1")[0] == 2
    assert kettles(command, "GHOST", "1")[0] == 2
