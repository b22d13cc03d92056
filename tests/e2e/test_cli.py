"""The `pegboard` command: contracts of DESIGN.md, exit codes, and never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from pegboard.adapters.db.engine import normalise_url
from pegboard.entrypoints.cli import main

Cli = Callable[..., tuple[int, str, str]]

TODAY = "2026-11-23"


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the CLI in-process against the test database; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", db_url, "--today", TODAY, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def workshop(cli: Cli, tmp_path: Path) -> None:
    """The lightsaber workshop's catalogue, stock and orders, imported through the CLI."""
    from pegboard.entrypoints import demo

    for kind, text in demo.CATALOGUE:
        assert cli("import", kind.value, write(tmp_path, f"{kind.value}.csv", text))[0] == 0
    orders = demo.orders_csv(date.fromisoformat(TODAY))
    assert cli("import", "orders", write(tmp_path, "orders.csv", orders))[0] == 0


def test_init_creates_the_database_and_can_run_again(cli: Cli) -> None:
    assert cli("init")[0] == 0
    assert cli("init")[0] == 0


def test_orders_json_follows_the_contract(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)

    code, out, _ = cli("orders", "--json")

    assert code == 0
    orders = {o["order_ref"]: o for o in json.loads(out)}
    assert set(orders) == {"SO-1", "SO-2", "SO-3"}
    so1 = orders["SO-1"]
    assert {"order_ref", "customer", "status", "ship_policy", "lines"} <= so1.keys()
    assert so1["status"] == "open" and so1["ship_policy"] == "partial"
    green = next(line for line in so1["lines"] if line["sku"] == "SABER-GREEN")
    assert {k: green[k] for k in ("quantity", "allocated", "shipped", "backordered", "cancelled")} == {
        "quantity": 3,
        "allocated": 2,
        "shipped": 0,
        "backordered": 1,
        "cancelled": 0,
    }


def test_backorders_json_lists_what_waits_since_when(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)

    code, out, _ = cli("backorders", "--json")

    assert code == 0
    found = [(b["order_ref"], b["sku"], b["quantity"], b["opened_at"]) for b in json.loads(out)]
    assert found == [("SO-1", "SABER-GREEN", 1, TODAY), ("SO-2", "SABER-GREEN", 2, TODAY)]


def test_ship_then_nothing_left_to_ship_is_a_refusal(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)

    assert cli("ship", "SO-3", "--tracking", "TRK-9")[0] == 0
    code, _, err = cli("ship", "SO-3")

    assert code == 1
    assert "SO-3" in err and "Traceback" not in err


def test_an_order_with_nothing_allocated_cannot_ship(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)

    code, _, err = cli("ship", "SO-2")

    assert code == 1 and "nothing is allocated" in err


def test_receive_make_complete_and_supply_json(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)
    po = "po_ref,supplier,sku,quantity,expected_date\nPO-1,Crystal Broker,KYBER-GREEN,2,2026-12-07\n"
    assert cli("import", "purchase-orders", write(tmp_path, "po.csv", po))[0] == 0

    code, out, _ = cli("make", "SABER-GREEN", "1")
    assert code == 0 and out.strip() == "MO-1"
    assert cli("receive", "PO-1", "KYBER-GREEN", "1")[0] == 0
    code, out, _ = cli("supply", "--json")

    assert code == 0
    supply = {(s["ref"], s["sku"]): s for s in json.loads(out)}
    assert {"ref", "kind", "sku", "quantity", "received", "expected_date", "status"} <= supply[
        "PO-1", "KYBER-GREEN"
    ].keys()
    assert supply["PO-1", "KYBER-GREEN"]["received"] == 1
    assert supply["MO-1", "SABER-GREEN"]["kind"] == "mo"
    assert supply["MO-1", "SABER-GREEN"]["expected_date"] == "2026-11-24"

    assert cli("complete", "MO-1")[0] == 0
    code, out, _ = cli("orders", "--json")
    so1 = next(o for o in json.loads(out) if o["order_ref"] == "SO-1")
    assert next(line for line in so1["lines"] if line["sku"] == "SABER-GREEN")["allocated"] == 3


def test_reschedule_and_stock_history(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)
    po = "po_ref,supplier,sku,quantity,expected_date\nPO-1,Crystal Broker,KYBER-GREEN,2,2026-12-07\n"
    cli("import", "purchase-orders", write(tmp_path, "po.csv", po))

    assert cli("reschedule", "PO-1", "2026-12-14")[0] == 0
    assert cli("adjust", "HILT", "9", "--reason", "dropped one")[0] == 0
    code, out, _ = cli("stock", "HILT", "--json")

    assert code == 0
    figures = json.loads(out)
    assert (figures["on_hand"], figures["allocated"], figures["available"]) == (9, 0, 9)
    assert figures["movements"][0]["reason"] == "dropped one"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("receive", "PO-404", "HILT", "1"), "PO-404"),
        (("ship", "SO-404"), "SO-404"),
        (("stock", "NOPE"), "NOPE"),
        (("make", "SABER-GREEN", "--", "-1"), "negative"),
        (("make", "SABER-GREEN", "-1"), "-1"),
        (("make", "SABER-GREEN", "abc"), "not a number"),
        (("make", "HILT", "1"), "not a make item"),
        (("reschedule", "PO-1", "next week"), "not a date"),
        (("adjust", "HILT", "10000000000", "--reason", "x"), "larger than"),
        (("import", "widgets", "x.csv"), "widgets"),
    ],
)
def test_bad_input_exits_2_and_names_the_problem(
    cli: Cli, tmp_path: Path, args: tuple[str, ...], needle: str
) -> None:
    workshop(cli, tmp_path)

    code, _, err = cli(*args)

    assert code == 2, err
    assert needle in err and "Traceback" not in err


def test_a_bad_csv_exits_2_and_imports_nothing(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)
    bad = "order_ref,customer,sku,quantity\nSO-9,Rey,SABER-BLUE,1\nSO-10,Finn,SABER-BLUE,0\n"

    code, _, err = cli("import", "orders", write(tmp_path, "bad.csv", bad))

    assert code == 2 and "line 3" in err and "'quantity'" in err
    assert "SO-9" not in cli("orders", "--json")[1]


def test_complete_first_policy_is_taken_from_the_option(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)
    po = "po_ref,supplier,sku,quantity,expected_date\nPO-1,Crystal Broker,KYBER-GREEN,5,2026-12-07\n"
    cli("import", "purchase-orders", write(tmp_path, "po.csv", po))

    code, _, err = cli("receive", "PO-1", "KYBER-GREEN", "1", "--policy", "complete-first")

    assert code == 0, err


def test_the_demo_tells_the_lightsaber_story(cli: Cli) -> None:
    code, out, _ = cli("demo")

    assert code == 0
    assert "SO-1 waits for 1 SABER-GREEN" in out
    assert "completes SO-2" in out
    assert cli("demo")[0] == 1


def test_the_installed_command_reports_errors_without_a_traceback(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    command = [sys.executable, "-m", "pegboard.entrypoints.cli"]
    subprocess.run([*command, "init", "--db", db], check=True, capture_output=True, timeout=60)

    done = subprocess.run([*command, "ship", "SO-1", "--db", db], capture_output=True, text=True, timeout=60)
    bad_day = subprocess.run(
        [*command, "orders", "--db", db, "--today", "2026-02-30"], capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 2 and "SO-1" in done.stderr and "Traceback" not in done.stderr
    assert bad_day.returncode == 2 and "--today" in bad_day.stderr


def test_a_plan_run_in_process_keeps_nothing_after_it_and_the_installed_command_prints_it_whole(
    cli: Cli, tmp_path: Path, db_url: str
) -> None:
    """`pegboard plan` ends its process without freeing the plan (`collector.leave_until_exit`):
    its output is still written whole, with its exit code; run in process, nothing stays kept."""
    from pegboard.planning.collector import kept_until_exit, leave_until_exit

    workshop(cli, tmp_path)
    in_process = json.loads(cli("plan", "--json")[1])
    leave_until_exit("a later plan's snapshot")
    assert kept_until_exit() == []
    assert cli("cancel", "SO-3")[0] == 0  # the plan is out of date: the next one is planned whole

    command = [sys.executable, "-m", "pegboard.entrypoints.cli", "--db", db_url, "--today", TODAY]
    done = subprocess.run([*command, "plan", "--json"], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0 and done.stderr == ""
    plan = json.loads(done.stdout)
    assert {p["order_ref"] for p in plan["promises"]} == {p["order_ref"] for p in in_process["promises"]} - {
        "SO-3"
    }


def test_token_create_prints_a_token_once(cli: Cli) -> None:
    code, out, _ = cli("token", "create", "--name", "shop", "--role", "viewer")

    assert code == 0 and out.startswith("pgb_")
    assert cli("token", "create", "--name", "shop", "--role", "viewer")[0] == 2


def test_plan_json_follows_the_contract_and_confirm_creates_the_orders(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)
    assert cli("ship", "SO-1")[0] == 0 and cli("ship", "SO-3")[0] == 0

    code, out, _ = cli("plan", "--json")
    confirmed = json.loads(cli("plan", "--json", "--confirm")[1])

    assert code == 0
    plan = json.loads(out)
    promises = {p["order_ref"]: p for p in plan["promises"]}
    assert {"order_ref", "sku", "quantity", "date", "reason"} <= promises["SO-2"].keys()
    assert (promises["SO-1"]["date"], promises["SO-2"]["date"]) == ("2026-11-24", None)
    assert {"supplier", "sku", "quantity", "order_date", "expected_date"} <= plan["purchase_suggestions"][
        0
    ].keys()
    assert {"sku", "quantity", "start_date", "finish_date"} <= plan["production_suggestions"][0].keys()
    entry = plan["production_queue"][0]
    assert {"ref", "sku", "quantity", "start_date", "finish_date", "completes", "missing"} <= entry.keys()
    assert entry["completes"] == ["SO-1"]
    assert sorted(confirmed["created"]) == ["MO-1", "MO-2", "PO-1"]
    assert cli("plan")[0] == 0


def test_receiving_a_sku_that_is_not_on_the_po_says_so(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)
    po = "po_ref,supplier,sku,quantity,expected_date\nPO-1,Crystal Broker,KYBER-GREEN,2,2026-12-07\n"
    assert cli("import", "purchase-orders", write(tmp_path, "po.csv", po))[0] == 0

    code, _, err = cli("receive", "PO-1", "HILT", "1")

    assert code == 2
    assert "'HILT'" in err and "is not on purchase order PO-1" in err and "unknown" not in err


def test_cancelling_a_sku_that_is_not_on_the_order_is_bad_input(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)

    code, _, err = cli("cancel", "SO-1", "NOPE")
    assert cli("cancel", "SO-3", "SABER-BLUE")[0] == 0
    again, _, _ = cli("cancel", "SO-3", "SABER-BLUE")

    assert code == 2 and "'NOPE'" in err and "is not on order SO-1" in err
    assert again == 1  # on the order, but nothing left to cancel: a refusal


def test_rescheduling_an_unknown_ref_names_the_ref_field(cli: Cli, tmp_path: Path) -> None:
    workshop(cli, tmp_path)

    code, _, err = cli("reschedule", "NOPE", "2026-12-20")

    assert code == 2 and "field 'ref'" in err and "'NOPE'" in err and "mo_ref" not in err


def test_a_database_error_never_prints_sql_or_parameters(cli: Cli, db_url: str) -> None:
    engine = create_engine(normalise_url(db_url))
    with engine.begin() as conn:
        conn.execute(sql("ALTER TABLE api_tokens RENAME TO api_tokens_away"))
    try:
        code, out, err = cli("token", "create", "--name", "shop", "--role", "viewer")
    finally:
        with engine.begin() as conn:
            conn.execute(sql("ALTER TABLE api_tokens_away RENAME TO api_tokens"))
        engine.dispose()

    assert code == 1 and "api_tokens" in err
    for leak in ("INSERT", "[SQL", "parameters", "sha256", "Traceback", "LINE 1"):
        assert leak not in err + out
