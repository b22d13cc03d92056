"""`pegboard supply` reads the dates materials allow from the stored plan, and says when that plan
is out of date (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
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


def test_plan_lists_the_first_hundred_promises_and_every_one_with_all(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)
    many = "order_ref,customer,sku,quantity\n" + "".join(f"SO-{n},Poe,SABER-BLUE,1\n" for n in range(10, 130))
    assert cli("import", "orders", write(tmp_path, "many.csv", many))[0] == 0

    code, first, _ = cli("plan")
    assert code == 0
    code, every, _ = cli("plan", "--all")
    assert code == 0
    promised = json.loads(cli("plan", "--json")[1])["promises"]

    assert len(promised) > 100
    assert f"first 100 of {len(promised)}: --all lists every one" in " ".join(first.split())
    assert f"Promises ({len(promised)})" in every
    assert promise_rows(first) == [p["order_ref"] for p in promised[:100]]
    assert promise_rows(every) == [p["order_ref"] for p in promised]


def promise_rows(text: str) -> list[str]:
    """The order refs of the promises table's rows, the first table `pegboard plan` prints."""
    promises = re.split(r"Suggested|Production queue", text)[0]
    return re.findall(r"^\W*(SO-\d+)\b", promises, flags=re.MULTILINE)


def test_plan_lists_the_first_hundred_suggested_po_lines_and_every_one_with_all(
    cli: Cli, tmp_path: Path
) -> None:
    workshop(cli, tmp_path)
    parts = [f"PART-{n:03}" for n in range(105)]
    items = "sku,name,procurement,unit,price,cost,lead_time_days,supplier\n" + "".join(
        f"{sku},Part {sku},buy,pcs,10,5,3,Passing Traders\n" for sku in parts
    )
    orders = "order_ref,customer,sku,quantity\n" + "".join(f"SO-P{sku},Poe,{sku},1\n" for sku in parts)
    assert cli("import", "items", write(tmp_path, "parts.csv", items))[0] == 0
    assert cli("import", "orders", write(tmp_path, "parts-orders.csv", orders))[0] == 0
    purchases = json.loads(cli("plan", "--json")[1])["purchase_suggestions"]

    first, every = cli("plan")[1], cli("plan", "--all")[1]

    assert len(purchases) > 100
    assert f"Suggested PO lines: first 100 of {len(purchases)}: --all lists every one" in " ".join(
        first.split()
    )
    assert len(suggested_po_rows(first)) == 100
    assert suggested_po_rows(every) == sorted(f"{p['supplier']} {p['sku']}" for p in purchases)
    assert "first 100 of" not in " ".join(every.split())


def suggested_po_rows(text: str) -> list[str]:
    """Each suggested PO line `pegboard plan` prints, as "supplier sku", in the order printed."""
    rows: list[str] = []
    for part in re.split(r"Suggested PO: ", text.split("Suggested MOs")[0])[1:]:
        supplier = part.splitlines()[0].strip()
        rows += [
            f"{supplier} {sku}" for sku in re.findall(r"^\W*([A-Z][A-Z0-9-]+)\s", part, flags=re.MULTILINE)
        ]
    return rows
