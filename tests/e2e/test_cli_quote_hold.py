"""`pegboard quote --hold MINUTES` and `pegboard place --quote ID`: a held quote's stock is kept
for its order until the hold expires (dates set with --today); bad input is exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pegboard.entrypoints.cli import main
from tests.e2e.test_cli import TODAY, Cli, cli, workshop

__all__ = ["cli"]

TOMORROW = "2026-11-24"


def on(db_url: str, capsys: pytest.CaptureFixture[str], day: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", db_url, "--today", day, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def allocated(cli: Cli, ref: str) -> int:
    code, out, _ = cli("orders", "--json")
    assert code == 0
    [order] = [o for o in json.loads(out) if o["order_ref"] == ref]
    return int(sum(line["allocated"] for line in order["lines"]))


def test_a_held_quote_keeps_its_stock_for_the_order_placed_with_its_id(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)  # 3 blue sabers left free after SO-1 and SO-3

    code, out, _ = cli("quote", "SABER-BLUE:2", "--hold", "30", "--json")

    assert code == 0
    held = json.loads(out)
    assert {"quote_id", "hold_until"} <= held.keys()
    assert held["lines"][0]["now"] == 2
    code, out, _ = cli("stock", "SABER-BLUE", "--json")
    assert json.loads(out)["available"] == 1
    assert cli("place", "SO-9", "SABER-BLUE:3")[0] == 0
    assert allocated(cli, "SO-9") == 1
    code, out, _ = cli("place", "SO-10", "SABER-BLUE:2", "--quote", held["quote_id"])
    assert code == 0
    assert allocated(cli, "SO-10") == 2


def test_the_table_names_the_quote_id_to_place_with(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)

    code, out, _ = cli("quote", "SABER-BLUE:1", "--hold", "15")

    assert code == 0
    assert "Held as Q-" in out and "--quote Q-" in out


def test_an_expired_hold_frees_its_stock_on_the_next_day(
    cli: Cli, tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    workshop(cli, tmp_path)
    code, out, _ = cli("quote", "SABER-BLUE:3", "--hold", "60", "--json")
    assert code == 0
    assert cli("place", "SO-8", "SABER-BLUE:1")[0] == 0
    assert allocated(cli, "SO-8") == 0  # all three are held

    assert on(db_url, capsys, TOMORROW, "place", "SO-9", "SABER-BLUE:3")[0] == 0

    # Ending the hold gave its stock to SO-8, waiting first, and the rest to SO-9.
    assert allocated(cli, "SO-8") == 1
    assert allocated(cli, "SO-9") == 2
    assert TODAY < TOMORROW


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["quote", "SABER-BLUE:1", "--hold", "0"], "hold_minutes"),
        (["quote", "SABER-BLUE:1", "--hold", "100000"], "hold_minutes"),
        (["place", "SO-9", "SABER-BLUE:1", "--quote", "Q-NOPE"], "quote_id"),
    ],
)
def test_bad_holds_and_quote_ids_are_exit_2(cli: Cli, tmp_path: Path, args: list[str], named: str) -> None:
    workshop(cli, tmp_path)

    code, out, err = cli(*args)

    assert code == 2
    assert named in err and "Traceback" not in err + out
