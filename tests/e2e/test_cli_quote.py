"""`pegboard quote`: an order's dates as a table or JSON; bad input is exit 2; nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from pegboard.adapters.db.engine import normalise_url
from pegboard.adapters.db.tables import metadata
from tests.e2e.test_cli import Cli, cli, workshop

__all__ = ["cli"]


def row_counts(db_url: str) -> dict[str, int]:
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            return {
                table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def test_the_json_quote_follows_the_contract(cli: Cli, tmp_path: Path, db_url: str) -> None:
    workshop(cli, tmp_path)
    before = row_counts(db_url)

    code, out, _ = cli("quote", "SABER-BLUE:2", "SABER-GREEN:1", "--json", "--ship-policy", "complete")

    assert code == 0
    found = json.loads(out)
    assert set(found) == {"date", "ship_policy", "lines"}
    assert found["date"] is None and found["ship_policy"] == "complete"
    blue, green = found["lines"]
    assert set(blue) == {"sku", "quantity", "now", "date", "reason", "parts"}
    assert (blue["sku"], blue["quantity"], blue["now"]) == ("SABER-BLUE", 2, 2)
    assert blue["date"] is None  # complete: it leaves with the green one, which has no date yet
    # Held for the green one, as a placed ship-complete order's line is promised.
    [held] = blue["parts"]
    assert (held["quantity"], held["date"]) == (2, None)
    assert held["reason"].startswith("open term: ships complete with SABER-GREEN")
    assert green["now"] == 0
    assert [set(part) for part in green["parts"]] == [{"quantity", "date", "reason", "basis", "stated_date"}]
    assert green["parts"][0]["date"] is None
    assert row_counts(db_url) == before


def test_the_table_says_what_ships_now_and_when_the_rest_comes(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)

    code, out, _ = cli("quote", "SABER-BLUE:1", "--priority", "5")

    assert code == 0
    assert "SABER-BLUE" in out and "in stock" in out
    assert "The whole order (partial): 2026-11-23" in out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["NOPE:1"], "NOPE"),
        (["SABER-BLUE:0"], "quantity"),
        (["SABER-BLUE:-2"], "quantity"),
        (["SABER-BLUE:lots"], "quantity"),
        (["SABER-BLUE"], "line 1"),
        (["SABER-BLUE:1", "--priority", "high"], "priority"),
    ],
)
def test_bad_input_is_exit_2_naming_the_field_and_nothing_is_written(
    cli: Cli, tmp_path: Path, db_url: str, args: list[str], named: str
) -> None:
    workshop(cli, tmp_path)
    before = row_counts(db_url)

    code, out, err = cli("quote", *args)

    assert code == 2
    assert named in err and "Traceback" not in err + out
    assert row_counts(db_url) == before
