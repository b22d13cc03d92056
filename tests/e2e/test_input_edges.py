"""Every edge (CLI, REST) refuses what the database could not hold: dates out of range, control
characters, over-long text; exit 2 or 422 naming the field, never a traceback, SQL or a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, text

from pegboard.adapters.db import tables as t
from pegboard.domain import limits
from pegboard.entrypoints.cli import main
from pegboard.services import orders
from tests.builders import make_items, set_stock
from tests.e2e.test_api_support import Api, assert_error, open_api, order_body, row_counts

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the CLI in-process against the test database; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", db_url, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


@pytest.fixture
def shop(api: Api) -> Api:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=4)
    return api


# The CLI


@pytest.mark.parametrize("day", ["9999-12-31", "1999-12-31", "3000-01-01"])
def test_a_today_outside_the_sane_range_exits_2_naming_the_range(cli: Cli, day: str) -> None:
    code, _, err = cli("--today", day, "plan")

    assert code == 2
    assert f"field '--today', value '{day}': must be between 2000-01-01 and 2999-12-31" in err


def test_a_date_without_dashes_is_not_a_date(cli: Cli) -> None:
    code, _, err = cli("--today", "20260101", "orders")

    assert code == 2 and "is not a date (YYYY-MM-DD)" in err


def test_rescheduling_to_the_year_9999_exits_2_and_changes_nothing(cli: Cli) -> None:
    make_items_via_cli(cli)
    assert cli("--today", "2026-11-23", "make", "KETTLE", "1")[0] == 0

    code, _, err = cli("--today", "2026-11-23", "reschedule", "MO-1", "9999-12-31")

    assert code == 2 and "must be between 2000-01-01 and 2999-12-31" in err and "Traceback" not in err
    assert "2026-11-24" in cli("--today", "2026-11-23", "supply")[1]


def make_items_via_cli(cli: Cli) -> None:
    from pathlib import Path
    from tempfile import TemporaryDirectory

    with TemporaryDirectory() as folder:
        items = Path(folder) / "items.csv"
        items.write_text("sku,name,procurement,lead_time_days\nKETTLE,Kettle,make,1\nLID,Lid,buy,\n")
        boms = Path(folder) / "boms.csv"
        boms.write_text("parent_sku,component_sku,quantity\nKETTLE,LID,1\n")
        assert cli("import", "items", str(items))[0] == 0
        assert cli("import", "boms", str(boms))[0] == 0


@pytest.mark.parametrize(
    ("option", "field", "limit"),
    [("--customer", "customer", limits.CUSTOMER), ("--ship-to", "ship_to", limits.SHIP_TO)],
)
def test_an_over_long_order_field_exits_2_naming_field_and_limit_never_sql(
    cli: Cli, option: str, field: str, limit: int
) -> None:
    make_items_via_cli(cli)

    code, _, err = cli("place", "SO-1", "KETTLE:1", option, "x" * (limit + 1))

    assert code == 2
    assert f"field {field!r}" in err and f"is longer than {limit} characters" in err
    assert "INSERT" not in err and "SQL" not in err


def test_a_control_character_in_a_customer_name_exits_2(cli: Cli) -> None:
    make_items_via_cli(cli)

    code, _, err = cli("place", "SO-1", "KETTLE:1", "--customer", "Ada\x1bLovelace")

    assert code == 2 and "field 'customer'" in err and "U+001B" in err


def test_a_bad_customer_email_exits_2(cli: Cli) -> None:
    make_items_via_cli(cli)

    code, _, err = cli("place", "SO-1", "KETTLE:1", "--email", "ada at example")

    assert code == 2 and "field 'email', value 'ada at example': is not an email address" in err


def test_an_over_long_tracking_number_exits_2_before_shipping(cli: Cli) -> None:
    code, _, err = cli("ship", "SO-1", "--tracking", "T" * (limits.TRACKING + 1))

    assert code == 2 and "field 'tracking'" in err and f"longer than {limits.TRACKING}" in err


# REST


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"order_ref": "SO-\x00"}, "order_ref"),
        ({"customer": "Ada\x00"}, "customer"),
        ({"email": "ada\x00@example.com"}, "email"),
        ({"ship_to": "1 High St\x00"}, "ship_to"),
        ({"sku": "KET\x00TLE"}, "lines[0].sku"),
    ],
)
def test_a_nul_byte_in_an_order_is_a_422_naming_the_field_on_every_database(
    shop: Api, fields: dict[str, Any], field: str
) -> None:
    given = dict(fields)
    sku, ref = given.pop("sku", "KETTLE"), given.pop("order_ref", "SO-1")
    before = row_counts(shop.pb)

    response = shop.post("/orders", order_body(ref, (sku, 1), **given))

    error = assert_error(response, 422, "invalid_value", field=field)
    assert "control character U+0000" in error["message"]
    assert row_counts(shop.pb) == before


def test_an_address_may_hold_line_breaks_but_not_other_control_characters(shop: Api) -> None:
    placed = shop.post("/orders", order_body("SO-1", ("KETTLE", 1), ship_to="1 High St\nLeeds"))
    refused = shop.post("/orders", order_body("SO-2", ("KETTLE", 1), ship_to="1 High St\x07Leeds"))

    assert placed.status_code == 201
    assert_error(refused, 422, "invalid_value", field="ship_to")


def test_a_nul_byte_in_a_sku_query_is_a_422(shop: Api) -> None:
    response = shop.get("/orders", params={"sku": "KET\x00TLE"})

    assert_error(response, 422, "invalid_value", field="sku")


@pytest.mark.parametrize(
    ("path", "body", "field", "limit"),
    [
        ("/items", {"sku": "KETTLE", "name": "Kettle", "procurement": "buy", "unit": "u" * 21}, "unit", 20),
        ("/suppliers", {"name": "s" * (limits.SUPPLIER_NAME + 1)}, "name", limits.SUPPLIER_NAME),
        ("/orders", order_body("SO-1", ("KETTLE", 1), customer="c" * 301), "customer", limits.CUSTOMER),
    ],
)
def test_over_long_text_is_a_422_naming_field_and_limit_never_a_database_error(
    shop: Api, path: str, body: dict[str, Any], field: str, limit: int
) -> None:
    before = row_counts(shop.pb)

    response = shop.post(path, body)

    error = assert_error(response, 422, "invalid_value", field=field)
    assert str(limit) in error["message"]
    assert row_counts(shop.pb) == before


def test_a_tracking_number_longer_than_its_column_is_a_422(shop: Api) -> None:
    shop.post("/orders", order_body("SO-1", ("KETTLE", 1)))

    response = shop.post("/orders/SO-1/ship", {"tracking": "T" * (limits.TRACKING + 1)})

    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "tracking"


@pytest.mark.parametrize("day", ["9999-12-31", "20261214", "1999-01-01"])
def test_a_reschedule_outside_the_sane_range_is_a_422(shop: Api, day: str) -> None:
    po = {"po_ref": "PO-1", "supplier": "Acme", "lines": [{"sku": "KETTLE", "quantity": 5}]}
    assert shop.post("/purchase-orders", po).status_code == 201

    response = shop.post("/supply/PO-1/reschedule", {"date": day})

    assert_error(response, 422, "invalid_value", field="date")


@pytest.mark.parametrize("moment", ["2026-11-20T09:00+02:00", "2026-11-20T09:00Z", "20261120"])
def test_an_order_time_with_an_offset_or_without_dashes_is_refused(shop: Api, moment: str) -> None:
    response = shop.post("/orders", order_body("SO-1", ("KETTLE", 1), ordered_at=moment))

    error = assert_error(response, 422, "invalid_value", field="ordered_at")
    assert "without a time zone" in error["message"]


def test_an_order_time_without_an_offset_is_taken_as_the_shops(shop: Api) -> None:
    response = shop.post("/orders", order_body("SO-1", ("KETTLE", 1), ordered_at="2026-11-20 09:30"))

    assert response.status_code == 201, response.text
    assert response.json()["ordered_at"].startswith("2026-11-20T09:30")


@pytest.mark.parametrize("quantity", ["1_000", "\uff11", "1e3", ".5"])
def test_a_quantity_in_anything_but_plain_digits_is_a_422(shop: Api, quantity: str) -> None:
    response = shop.post("/orders", order_body("SO-1", ("KETTLE", quantity)))

    error = assert_error(response, 422, "invalid_value", field="lines[0].quantity")
    assert "is not a number" in error["message"]


def test_the_openapi_schema_says_quantities_must_be_above_zero(api: Api) -> None:
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]

    quantity = schemas["LineIn"]["properties"]["quantity"]
    number, text = quantity["anyOf"]
    assert number["exclusiveMinimum"] == 0 and number["maximum"] == 1_000_000_000
    assert "0" not in [t for t in ("0", "0.0", "00.000") if __import__("re").match(text["pattern"], t)]
    counted = schemas["CountIn"]["properties"]["quantity"]["anyOf"][0]
    assert counted["minimum"] == 0 and "exclusiveMinimum" not in counted


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("get", "/orders/SO-%00", "path"),
        ("post", "/orders/SO-%00/ship", "path"),
        ("get", "/items/KET%00TLE", "path"),
        ("get", "/purchase-orders/PO%1B1", "path"),
        ("get", "/orders?limit=7%0C", "limit"),
    ],
)
def test_a_control_character_in_a_path_or_query_parameter_is_a_422_naming_it(
    shop: Api, method: str, path: str, field: str
) -> None:
    response = getattr(shop, method)(path)

    error = assert_error(response, 422, "invalid_value", field=field)
    assert "control character" in error["message"]


@pytest.mark.parametrize("priority", ["1_000", "\uff15", "5000"])
def test_a_priority_in_anything_but_plain_digits_in_range_exits_2(cli: Cli, priority: str) -> None:
    make_items_via_cli(cli)

    code, _, err = cli("place", "SO-1", "KETTLE:1", "--priority", priority)

    assert code == 2 and "field 'priority'" in err


def test_a_priority_in_plain_digits_is_taken(cli: Cli) -> None:
    make_items_via_cli(cli)

    assert cli("place", "SO-1", "KETTLE:1", "--priority", "-5")[0] == 0
    assert '"priority": -5' in cli("orders", "--json")[1]


def test_a_database_refusal_never_prints_the_sql_or_its_parameters(
    cli: Cli, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_items_via_cli(cli)

    def place_order_badly(*_: Any, **__: Any) -> Any:
        engine = create_engine(db_url)
        try:
            with engine.begin() as conn:  # a real refusal: NOT NULL name
                conn.execute(insert(t.items).values(sku="SECRET-SKU", procurement="buy"))
        finally:
            engine.dispose()

    monkeypatch.setattr(orders, "place_order", place_order_badly)

    code, _, err = cli("place", "SO-1", "KETTLE:1")

    assert code == 1 and err.startswith("error: the database refused the change")
    assert "INSERT" not in err and "SECRET-SKU" not in err and "[SQL" not in err


def test_a_statement_the_driver_never_received_is_refused_without_its_sql(
    cli: Cli, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_items_via_cli(cli)

    def place_order_unbound(*_: Any, **__: Any) -> Any:
        engine = create_engine(db_url)
        try:
            with engine.begin() as conn:  # no value for :sku: SQLAlchemy refuses before the driver
                conn.execute(text("SELECT name FROM items WHERE sku = :sku AND name = 'SECRET-NAME'"), {})
        finally:
            engine.dispose()

    monkeypatch.setattr(orders, "place_order", place_order_unbound)

    code, _, err = cli("place", "SO-1", "KETTLE:1")

    assert code == 1 and err.strip() == "error: the database refused the change: StatementError"
    assert "SECRET-NAME" not in err and "SELECT" not in err
