"""`pegboard supply` reads the dates materials allow from the stored plan, and says when that plan
is out of date (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import Cli, cli, workshop, write

__all__ = ["cli"]

CRYSTALS = "po_ref,supplier,sku,quantity,expected_date\nPO-1,Crystal Broker,KYBER-GREEN,2,2026-12-07\n"


def mo_row(cli: Cli) -> dict[str, object]:
    code, out, _ = cli("supply", "--json")
    assert code == 0
    [row] = [r for r in json.loads(out) if r["kind"] == "mo"]
    return dict(row)


def test_supply_says_when_its_dates_come_from_an_out_of_date_plan(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)
    assert cli("import", "purchase-orders", write(tmp_path, "po.csv", CRYSTALS))[0] == 0
    assert cli("make", "SABER-GREEN", "3")[0] == 0
    assert cli("plan")[0] == 0
    kept = mo_row(cli)

    assert cli("reschedule", "PO-1", "2026-12-14")[0] == 0
    stale, stale_text = mo_row(cli), cli("supply")[1]
    assert cli("plan")[0] == 0
    fresh, fresh_text = mo_row(cli), cli("supply")[1]

    assert kept["feasible_due"] == stale["feasible_due"] == "2026-12-08"
    assert "out of date" in " ".join(stale_text.split())
    assert fresh["feasible_due"] == "2026-12-15"
    assert fresh["late_because"] == "waiting for KYBER-GREEN on PO-1 due 2026-12-14"
    assert "out of date" not in " ".join(fresh_text.split())


def test_supply_json_gives_each_mo_the_day_of_its_plan_and_whether_it_is_out_of_date(
    cli: Cli, tmp_path: Path
) -> None:
    workshop(cli, tmp_path)
    assert cli("make", "SABER-GREEN", "3")[0] == 0
    before_any_plan = mo_row(cli)
    assert cli("plan")[0] == 0
    kept = mo_row(cli)

    assert cli("import", "purchase-orders", write(tmp_path, "po.csv", CRYSTALS))[0] == 0
    stale = mo_row(cli)
    code, out, _ = cli("supply", "--json")
    [po] = [r for r in json.loads(out) if r["kind"] == "po"]

    assert (before_any_plan["plan_as_of"], before_any_plan["plan_out_of_date"]) == ("2026-11-23", False)
    assert (kept["plan_as_of"], kept["plan_out_of_date"]) == ("2026-11-23", False)
    assert (stale["plan_as_of"], stale["plan_out_of_date"]) == ("2026-11-23", True)
    assert (po["plan_as_of"], po["plan_out_of_date"]) == (None, None)
