"""Configured products through the CLI: import options, refuse bad choices with exit 2, make a
configured MO and see its choices in `supply --json` and the plan."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import Cli, cli, workshop, write
from tests.scenarios.test_lightsaber_options import OPTIONS

__all__ = ["cli"]

ITEMS = """sku,name,procurement,unit,lead_time_days,supplier
HILT-ENGRAVED,Engraved hilt,buy,pcs,3,Passing Traders
ENGRAVING,Engraving,buy,min,0,
"""


def engraving(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)
    assert (
        cli("import", "items", write(tmp_path, "more.csv", ITEMS + "ENGRAVING,Engraving,buy,min,0,\n"))[0]
        == 0
    )
    assert cli("import", "options", write(tmp_path, "options.csv", OPTIONS))[0] == 0


def test_a_bad_choice_in_the_orders_csv_is_exit_2_naming_row_and_option(cli: Cli, tmp_path: Path) -> None:
    engraving(cli, tmp_path)
    bad = write(
        tmp_path,
        "bad.csv",
        "order_ref,sku,quantity,options\nSO-9,SABER-BLUE,1,HILT=engraved\nSO-9,SABER-BLUE,1,BLADE=long\n",
    )

    code, _, err = cli("import", "orders", bad)

    assert code == 2
    assert "row 2, field 'options', value 'BLADE=long'" in err and "no option 'BLADE'" in err
    _, out, _ = cli("orders", "--json")
    assert "SO-9" not in {o["order_ref"] for o in json.loads(out)}


def test_a_configured_order_gets_a_configured_mo_shown_in_supply_and_the_plan(
    cli: Cli, tmp_path: Path
) -> None:
    engraving(cli, tmp_path)
    good = write(tmp_path, "good.csv", "order_ref,sku,quantity,options\nSO-9,SABER-BLUE,1,HILT=engraved\n")
    assert cli("import", "orders", good)[0] == 0

    _, planned, _ = cli("plan", "--json")
    code, mo_ref, err = cli("make", "SABER-BLUE", "1", "--options", "HILT=engraved")
    _, supply, _ = cli("supply", "--json")

    suggestions = json.loads(planned)["production_suggestions"]
    assert [s["options"] for s in suggestions if s["sku"] == "SABER-BLUE"] == [{"HILT": "engraved"}]
    assert all(s["options"] == {} for s in suggestions if s["sku"] == "SABER-GREEN")
    assert code == 0 and "missing (level 1): 1 HILT-ENGRAVED" in err
    row = next(r for r in json.loads(supply) if r["ref"] == mo_ref.strip())
    assert (row["sku"], row["options"]) == ("SABER-BLUE", {"HILT": "engraved"})


def test_a_quote_of_a_configured_saber_names_its_choices_after_the_quantity(cli: Cli, tmp_path: Path) -> None:
    engraving(cli, tmp_path)

    code, out, _ = cli("quote", "SABER-BLUE:1:HILT=engraved", "--json")
    bad, _, err = cli("quote", "SABER-BLUE:1:HILT=gold")

    line = json.loads(out)["lines"][0]
    assert code == 0 and line["now"] == 0 and line["parts"][0]["date"] is not None
    assert bad == 2 and "lines[1].options" in err and "'gold'" in err
