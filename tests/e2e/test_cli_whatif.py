"""`pegboard whatif`: a scenario re-planned in memory names exactly what it makes late; nothing is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli import Cli, cli, workshop, write
from tests.e2e.test_cli_quote import row_counts

__all__ = ["cli"]

#: A PO for the two green crystals SO-2 waits for, due in 14 days (TODAY is 2026-11-23).
CRYSTAL_PO = """po_ref,supplier,sku,quantity,expected_date,unit_cost
PO-K,Crystal Broker,KYBER-GREEN,2,2026-12-07,400
PO-H,Passing Traders,HILT,5,2026-11-26,80
"""


def crystal_workshop(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)
    assert cli("import", "purchase-orders", write(tmp_path, "pos.csv", CRYSTAL_PO))[0] == 0
    assert cli("plan")[0] == 0


def whatif(cli: Cli, *args: str) -> Any:
    code, out, err = cli("whatif", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_a_crystal_po_a_week_late_makes_exactly_the_order_resting_on_it_late(
    cli: Cli, tmp_path: Path, db_url: str
) -> None:
    crystal_workshop(cli, tmp_path)
    before = row_counts(db_url)

    found = whatif(cli, "--late", "PO-K:+7")

    assert found["late_orders"] == [
        {
            "order_ref": "SO-2",
            "from": "2026-12-08",
            "to": "2026-12-15",
            "lines": [
                {
                    "order_ref": "SO-2",
                    "line_no": 1,
                    "sku": "SABER-GREEN",
                    "from": "2026-12-08",
                    "to": "2026-12-15",
                    "stated_from": "2026-12-08",
                    "stated_to": "2026-12-15",
                }
            ],
        }
    ]
    assert found["open_term"] == [] and found["extra"] == [] and found["cost"] == 0
    assert row_counts(db_url) == before


def test_a_late_supplier_slips_its_pos_and_a_late_hilt_po_makes_nobody_late(cli: Cli, tmp_path: Path) -> None:
    crystal_workshop(cli, tmp_path)

    by_supplier = whatif(cli, "--late", "Crystal Broker:+3")
    hilts = whatif(cli, "--late", "PO-H:+30")

    assert [(o["order_ref"], o["from"], o["to"]) for o in by_supplier["late_orders"]] == [
        ("SO-2", "2026-12-08", "2026-12-11")
    ]
    assert hilts["late_orders"] == [] and hilts["open_term"] == []


def test_an_extra_order_says_what_more_to_buy_and_make_and_its_cost(
    cli: Cli, tmp_path: Path, db_url: str
) -> None:
    crystal_workshop(cli, tmp_path)
    before = row_counts(db_url)

    found = whatif(cli, "--order", "SABER-GREEN:2")

    assert found["late_orders"] == []
    extra = {(e["kind"], e["sku"]): e for e in found["extra"]}
    sabers = extra[("make", "SABER-GREEN")]
    # Made from crystals that have no date: the extra sabers are open term too, not the nominal
    # finish of a planned MO, nor the date of one the plan already had for SABER-GREEN.
    assert (sabers["quantity"], sabers["ready_date"]) == (2, None)
    crystals = extra[("buy", "KYBER-GREEN")]
    assert (crystals["quantity"], crystals["supplier"], crystals["unit_cost"], crystals["cost"]) == (
        2,
        "Crystal Broker",
        400,
        800,
    )
    assert crystals["ready_date"] is None  # the broker gives no lead time: open term, said so
    assert found["cost"] == 800 and found["uncosted"] == ["SABER-GREEN"]
    assert [a["label"] for a in found["added_demand"]] == ["order 1: SABER-GREEN"]
    assert row_counts(db_url) == before


def test_a_demand_rise_adds_its_percent_of_recent_orders(cli: Cli, tmp_path: Path) -> None:
    crystal_workshop(cli, tmp_path)

    found = whatif(cli, "--demand", "SABER-BLUE:+100%:2026-12-01..2026-12-28")

    # 2 blue sabers were ordered in the 28 days up to today: 2 more, not before 1 December.
    (added,) = found["added_demand"]
    assert (added["sku"], added["quantity"]) == ("SABER-BLUE", 2)
    assert added["date"] is None or added["date"] >= "2026-12-01"
    assert found["late_orders"] == []


def test_the_table_names_the_late_order_and_says_nothing_was_written(cli: Cli, tmp_path: Path) -> None:
    crystal_workshop(cli, tmp_path)

    code, out, _ = cli("whatif", "--late", "PO-K:+7", "--order", "SABER-BLUE:1")

    assert code == 0
    assert "SO-2" in out and "2026-12-15" in out and "Nothing was written." in out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--demand", "NOPE:+10%"], "NOPE"),
        (["--demand", "SABER-BLUE:+ten%"], "+ten%"),
        (["--demand", "SABER-BLUE:200"], "200"),
        (["--demand", "SABER-BLUE:-50%"], "-50%"),
        (["--demand", "SABER-BLUE:+10%:2026-12-10..2026-12-01"], "2026-12-10..2026-12-01"),
        (["--demand", "SABER-BLUE:+10%:December"], "December"),
        (["--demand", "SABER-BLUE:+10%:2026-01-01..2026-01-31"], "ends before today"),
        (["--late", "PO-404:+7"], "PO-404"),
        (["--late", "PO-K:+soon"], "+soon"),
        (["--late", "PO-K"], "PO-K"),
        (["--order", "SABER-BLUE:0"], "SABER-BLUE:0"),
        (["--order", "GHOST:1"], "GHOST"),
        (["--late", "PO-K\x01:+7"], "U+0001"),
        ([], "scenario"),
    ],
)
def test_bad_scenario_input_is_exit_2_naming_the_part_and_nothing_is_written(
    cli: Cli, tmp_path: Path, db_url: str, args: list[str], named: str
) -> None:
    crystal_workshop(cli, tmp_path)
    before = row_counts(db_url)

    code, out, err = cli("whatif", *args)

    assert code == 2
    assert named in err and "Traceback" not in err + out
    assert row_counts(db_url) == before
