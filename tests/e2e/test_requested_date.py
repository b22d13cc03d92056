"""An order's requested date: taken from the orders CSV, the REST API and the new-order form, shown in
the order's JSON and set against the promised date on the orders list and the order page (SQLite and
PostgreSQL)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from pegboard.entrypoints import demo
from pegboard.services import imports, planning
from pegboard.services.imports import ImportKind
from pegboard.services.tokens import Role
from pegboard.services.users import create_user
from pegboard.views.models import late_against_request
from tests.e2e.test_api_support import Api, open_api, order_body, row_counts
from tests.e2e.test_cli import TODAY, Cli, write
from tests.e2e.test_cli import cli as cli  # the fixture: the CLI in-process on the test's database

MONDAY = date.fromisoformat(TODAY)
CRYSTAL_PO = (
    "po_ref,supplier,sku,quantity,expected_date,unit_cost\nPO-1,Crystal Broker,KYBER-GREEN,2,2026-12-07,400\n"
)
HEADER = "order_ref,customer,email,ordered_at,sku,quantity,unit_price,priority,ship_policy,requested_date\n"


def catalogue(cli: Cli, tmp_path: Path) -> None:
    for kind, text in demo.CATALOGUE:
        assert cli("import", kind.value, write(tmp_path, f"{kind.value}.csv", text))[0] == 0


def test_the_orders_csv_takes_a_requested_date_and_the_orders_json_shows_it(cli: Cli, tmp_path: Path) -> None:
    catalogue(cli, tmp_path)
    rows = (
        HEADER
        + f"SO-1,Luke,,{TODAY}T09:00,SABER-GREEN,1,1200,0,partial,2026-12-01\n"
        + f"SO-1,Luke,,{TODAY}T09:00,SABER-BLUE,1,1200,0,partial,\n"
        + f"SO-2,Leia,,{TODAY}T10:00,SABER-BLUE,1,1200,0,partial,\n"
    )

    code, _, err = cli("import", "orders", write(tmp_path, "orders.csv", rows))

    assert code == 0, err
    listed = {o["order_ref"]: o for o in json.loads(cli("orders", "--json")[1])}
    assert listed["SO-1"]["requested_date"] == "2026-12-01"
    assert listed["SO-2"]["requested_date"] is None


def test_a_bad_requested_date_in_the_csv_names_row_column_and_value_and_writes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    catalogue(cli, tmp_path)
    rows = (
        HEADER
        + f"SO-1,Luke,,{TODAY}T09:00,SABER-GREEN,1,1200,0,partial,2026-12-01\n"
        + f"SO-2,Leia,,{TODAY}T10:00,SABER-BLUE,1,1200,0,partial,1 December\n"
    )

    code, _, err = cli("import", "orders", write(tmp_path, "orders.csv", rows))

    assert code == 2
    assert "row 2" in err and "requested_date" in err and "1 December" in err
    assert json.loads(cli("orders", "--json")[1]) == []


def test_place_takes_a_requested_date_and_refuses_a_bad_one_writing_nothing(cli: Cli, tmp_path: Path) -> None:
    catalogue(cli, tmp_path)

    placed = cli("place", "SO-5", "SABER-BLUE:1", "--customer", "Ada", "--requested", "2026-12-24")
    refused = cli("place", "SO-6", "SABER-BLUE:1", "--customer", "Ada", "--requested", "Christmas")

    assert placed[0] == 0, placed[2]
    assert refused[0] == 2 and "--requested" in refused[2] and "Christmas" in refused[2]
    listed = json.loads(cli("orders", "--json")[1])
    assert [(o["order_ref"], o["requested_date"]) for o in listed] == [("SO-5", "2026-12-24")]


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def test_the_api_takes_a_requested_date_and_answers_with_it(api: Api) -> None:
    demo.load_catalogue(api.pb)

    placed = api.post("/orders", order_body("SO-7", ("SABER-BLUE", 1), requested_date="2026-12-24"))
    again = api.post("/orders", order_body("SO-7", ("SABER-BLUE", 1), requested_date="2026-12-24"))
    other_day = api.post("/orders", order_body("SO-7", ("SABER-BLUE", 1), requested_date="2026-12-25"))

    assert placed.status_code == 201, placed.text
    assert placed.json()["requested_date"] == "2026-12-24"
    assert again.status_code == 200
    assert other_day.status_code == 409
    assert api.get("/orders/SO-7").json()["requested_date"] == "2026-12-24"


def test_the_api_refuses_a_bad_requested_date_beside_its_field_and_writes_nothing(api: Api) -> None:
    demo.load_catalogue(api.pb)
    before = row_counts(api.pb)

    refused = api.post("/orders", order_body("SO-7", ("SABER-BLUE", 1), requested_date="24/12/2026"))

    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "requested_date" and "24/12/2026" in error["message"]
    assert row_counts(api.pb) == before


def signed_in_operator(api: Api) -> None:
    create_user("ada", Role.OPERATOR, "long-enough-pw", uow=api.pb.uow())
    api.client.post("/login", data={"username": "ada", "password": "long-enough-pw"})


def new_order(ref: str, quantity: str, requested: str) -> dict[str, str]:
    """The new-order form filled for one line of green sabers."""
    return {
        "order_ref": ref,
        "customer": "Rey",
        "sku-1": "SABER-GREEN",
        "quantity-1": quantity,
        "requested_date": requested,
    }


def test_the_new_order_form_refuses_a_bad_requested_date_beside_the_field(api: Api) -> None:
    demo.load_catalogue(api.pb)
    signed_in_operator(api)

    refused = api.client.post("/orders/new", data=new_order("SO-9", "2", "next week"))

    assert refused.status_code == 422
    assert '<p class="error-message" id="requested_date-error">' in refused.text
    assert "Enter the requested date as YYYY-MM-DD" in refused.text
    assert 'value="next week"' in refused.text
    assert api.get("/orders").json() == []


def test_an_order_promised_after_its_requested_date_is_marked_late_in_words_on_the_list_and_its_page(
    api: Api,
) -> None:
    demo.load_catalogue(api.pb)
    signed_in_operator(api)
    imports.import_csv(
        ImportKind.PURCHASE_ORDERS,
        io.StringIO(CRYSTAL_PO),
        source="po.csv",
        uow=api.pb.uow(),
        clock=api.pb.clock,
        policy=api.pb.policy,
    )

    placed = api.client.post("/orders/new", data=new_order("SO-9", "5", "2026-11-30"))
    on_time = api.client.post("/orders/new", data=new_order("SO-10", "2", "2026-12-31"))
    planning.run_plan(uow=api.pb.uow(), clock=api.pb.clock)
    listed = api.client.get("/orders")
    page = api.client.get("/orders/SO-9")

    assert placed.status_code == 200 and on_time.status_code == 200
    assert api.get("/orders/SO-9").json()["requested_date"] == "2026-11-30"
    so9 = listed.text[listed.text.index('href="/orders/SO-9"') : listed.text.index('href="/orders/SO-10"')]
    assert "30 November" in so9 and "Late: after the requested date" in so9
    so10 = listed.text[listed.text.index('href="/orders/SO-10"') :]
    assert "31 December" in so10 and "Late:" not in so10
    assert "Requested" in page.text and "Late: after the requested date (promised" in page.text


def test_an_open_order_is_late_when_its_promise_or_the_day_itself_passes_the_request() -> None:
    requested = date(2026, 11, 30)

    assert late_against_request(requested, date(2026, 12, 8), still_open=True, today=MONDAY) == (
        "after the requested date"
    )
    assert late_against_request(requested, None, still_open=True, today=date(2026, 12, 1)) == (
        "past the requested date"
    )
    assert late_against_request(requested, date(2026, 11, 29), still_open=True, today=MONDAY) is None
    assert late_against_request(requested, date(2026, 12, 8), still_open=False, today=MONDAY) is None
    assert late_against_request(None, date(2026, 12, 8), still_open=True, today=MONDAY) is None
