"""`pegboard shopify import | held | retry`: exports taken idempotently, held orders listed and retried."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pegboard.entrypoints.cli import main
from tests.shopify_server import order_json

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the CLI in-process against the test database; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", db_url, "--today", "2026-11-23", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def kettles(cli: Cli, tmp_path: Path) -> None:
    """KETTLE and MUG in the catalogue, 5 kettles on the shelf."""
    items = "sku,name,procurement\nKETTLE,Kettle,buy\nMUG,Mug,buy\n"
    assert cli("import", "items", write(tmp_path, "items.csv", items))[0] == 0
    assert cli("import", "stock", write(tmp_path, "stock.csv", "sku,quantity\nKETTLE,5\n"))[0] == 0


def orders_json(cli: Cli) -> dict[str, Any]:
    code, out, _ = cli("orders", "--json")
    assert code == 0
    return {o["order_ref"]: o for o in json.loads(out)}


def test_import_places_an_export_and_a_second_run_places_nothing_more(cli: Cli, tmp_path: Path) -> None:
    kettles(cli, tmp_path)
    export = write(
        tmp_path,
        "orders.json",
        {
            "orders": [
                order_json(5_001_002, "#1002", [("MUG", 1)], created_at="2026-11-23T10:00:00Z"),
                order_json(5_001_001, "#1001", [("KETTLE", 2)]),
                order_json(5_001_003, "#1003", [("TEAPOT", 1)]),
                order_json(5_001_004, "#1004", cancelled_at="2026-11-23T09:30:00Z"),
            ]
        },
    )

    code, out, _ = cli("shopify", "import", export)
    again_code, again, _ = cli("shopify", "import", export)

    assert code == 0, out
    assert "4 Shopify orders" in out
    assert "2 placed, 0 updated, 0 already known, 1 held, 1 cancelled" in out
    assert again_code == 0
    assert "0 placed, 0 updated, 3 already known, 1 held, 0 cancelled" in again  # still held
    orders = orders_json(cli)
    assert set(orders) == {"SHOP-1001", "SHOP-1002"}
    assert [(line["sku"], line["allocated"]) for line in orders["SHOP-1001"]["lines"]] == [("KETTLE", 2)]


def test_import_takes_a_bare_list_and_picks_up_a_missed_update(cli: Cli, tmp_path: Path) -> None:
    kettles(cli, tmp_path)
    cli("shopify", "import", write(tmp_path, "first.json", [order_json(lines=[("KETTLE", 3)])]))
    newer = order_json(lines=[("KETTLE", 3)], current={"KETTLE": 1}, updated_at="2026-11-23T15:00:00Z")

    code, out, _ = cli("shopify", "import", write(tmp_path, "later.json", [newer]))

    assert code == 0
    assert "1 updated" in out
    line = orders_json(cli)["SHOP-1001"]["lines"][0]
    assert (line["allocated"], line["cancelled"]) == (1, 2)


def test_a_bad_export_exits_2_naming_the_order_and_field_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    kettles(cli, tmp_path)
    broken = order_json(5_001_002, "#1002")
    broken["line_items"][0]["price"] = "twelve"
    export = write(tmp_path, "orders.json", {"orders": [order_json(), broken]})

    code, out, err = cli("shopify", "import", export)

    assert code == 2
    assert "orders[1].line_items[0].price" in err and "'twelve'" in err
    assert "Traceback" not in err
    assert orders_json(cli) == {}


def test_a_file_that_is_not_json_exits_2(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("shopify", "import", write(tmp_path, "orders.json", "{not json"))

    assert code == 2
    assert "orders.json is not valid JSON" in err


def test_held_lists_held_orders_with_their_problem(cli: Cli, tmp_path: Path) -> None:
    kettles(cli, tmp_path)
    cli("shopify", "import", write(tmp_path, "o.json", [order_json(lines=[("KETTLE", 1), ("GHOST", 2)])]))

    code, out, _ = cli("shopify", "held", "--json")
    table_code, table, _ = cli("shopify", "held")

    assert code == 0 and table_code == 0
    assert [(h["shopify_order_id"], h["order_ref"], h["problem"]) for h in json.loads(out)] == [
        ("5001001", "SHOP-1001", "unknown SKU GHOST")
    ]
    assert "SHOP-1001" in table and "unknown SKU GHOST" in table


def test_retry_exits_1_while_a_sku_is_unknown_and_places_the_order_once_it_exists(
    cli: Cli, tmp_path: Path
) -> None:
    kettles(cli, tmp_path)
    cli("shopify", "import", write(tmp_path, "o.json", [order_json(lines=[("KETTLE", 1), ("GHOST", 2)])]))

    refused, _, err = cli("shopify", "retry", "5001001")
    items = write(tmp_path, "ghost.csv", "sku,name,procurement\nGHOST,Ghost,buy\n")
    assert cli("import", "items", items)[0] == 0
    code, out, _ = cli("shopify", "retry")

    assert refused == 1 and "still held" in err
    assert code == 0
    assert "5001001 (SHOP-1001): placed" in out
    assert cli("shopify", "held", "--json")[1].strip() == "[]"
    assert set(orders_json(cli)) == {"SHOP-1001"}


def test_retry_of_an_unknown_shopify_order_exits_2(cli: Cli) -> None:
    code, _, err = cli("shopify", "retry", "42")

    assert code == 2
    assert "unknown Shopify order '42'" in err
