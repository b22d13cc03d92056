"""The books on SQLite and PostgreSQL: payments, shipments, receipts, cancellations and refunds
book balanced entries in the same transaction; bad input writes nothing."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import ActionRefused, InvalidValue, LedgerRuleBroken, UnknownOrder
from pegboard.domain.items import Item, Procurement, Supplier
from pegboard.domain.quantities import to_money
from pegboard.entrypoints.cli import main
from pegboard.services import books, catalogue, orders, purchasing, shipping
from pegboard.services.imports import ImportKind
from pegboard.services.runner import with_retries
from tests.builders import import_text, make_order, set_stock
from tests.e2e.test_api_support import Api, assert_error, open_api, row_counts
from tests.integration.db.test_fault_injection import everything, failing_on


def make_kettles(pb: Pegboard) -> None:
    """KETTLE costs 4 and 3 are on hand; orders for it are priced 10 a unit (tests/builders.py)."""
    catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=pb.uow())
    catalogue.save_items(
        [
            Item(
                "KETTLE", "Kettle", Procurement.BUY, price=to_money("12"), cost=to_money("4"), supplier="Acme"
            )
        ],
        uow=pb.uow(),
    )
    set_stock(pb, KETTLE=3)


def entries(pb: Pegboard, order_ref: str | None = None) -> list[tuple[int, str, Decimal]]:
    """(entry, account, debit - credit) per journal line, leaving out the opening count."""
    rows = books.journal(pb.reader())
    counts = {row.entry for row in rows if row.account == "3900"}
    return [
        (row.entry, row.account, row.debit - row.credit)
        for row in rows
        if (row.order_ref == order_ref if order_ref else row.entry not in counts)
    ]


def cli(db_url: str, *args: str) -> int:
    return main(["--db", db_url, "--today", "2026-11-23", *args])


def test_money_received_before_shipment_is_held_as_the_orders_deposit(pb: Pegboard) -> None:
    make_kettles(pb)
    make_order(pb, "SO-1", ("KETTLE", 5))

    paid = books.pay("SO-1", Decimal("50"), method="card", reference="T-1", uow=pb.uow(), clock=pb.clock)

    assert (paid.deposit, paid.receivable) == (Decimal("50"), Decimal(0))
    assert entries(pb, "SO-1") == [(2, "1000", 50), (2, "2100", -50)]


def test_a_shipment_turns_its_part_of_the_deposit_into_revenue_and_books_its_cost(pb: Pegboard) -> None:
    make_kettles(pb)
    make_order(pb, "SO-1", ("KETTLE", 5))
    books.pay("SO-1", Decimal("50"), uow=pb.uow(), clock=pb.clock)

    shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)

    assert entries(pb, "SO-1")[2:] == [(3, "2100", 30), (3, "4000", -30), (3, "5000", 12), (3, "1200", -12)]


def test_a_shipment_of_an_unpaid_order_is_owed_and_a_later_payment_settles_it(pb: Pegboard) -> None:
    make_kettles(pb)
    make_order(pb, "SO-1", ("KETTLE", 2))
    shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)

    paid = books.pay("SO-1", Decimal("20"), uow=pb.uow(), clock=pb.clock)

    assert entries(pb, "SO-1")[:2] == [(2, "1100", 20), (2, "4000", -20)]
    assert entries(pb, "SO-1")[4:] == [(3, "1000", 20), (3, "1100", -20)]
    assert (paid.deposit, paid.receivable) == (0, 0)


def test_cancelling_a_paid_remainder_makes_a_refund_due_that_refund_pays(pb: Pegboard) -> None:
    make_kettles(pb)
    make_order(pb, "SO-1", ("KETTLE", 5))
    books.pay("SO-1", Decimal("50"), uow=pb.uow(), clock=pb.clock)
    shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)

    orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    done = books.refund("SO-1", uow=pb.uow(), clock=pb.clock)

    assert entries(pb, "SO-1")[6:] == [(4, "2100", 20), (4, "2150", -20), (5, "2150", 20), (5, "1000", -20)]
    assert (done.deposit, done.refund_due) == (0, 0)


def test_a_receipt_books_inventory_at_the_po_unit_cost_owed_to_the_supplier(pb: Pegboard) -> None:
    make_kettles(pb)
    import_text(
        pb, ImportKind.PURCHASE_ORDERS, "po_ref,supplier,sku,quantity,unit_cost\nPO-7,Acme,KETTLE,10,3.5\n"
    )

    purchasing.receive("PO-7", "KETTLE", Decimal(4), uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    assert entries(pb) == [(2, "1200", 14), (2, "2000", -14)]


def test_every_entry_balances_and_the_trial_balance_totals_are_equal(pb: Pegboard) -> None:
    make_kettles(pb)
    make_order(pb, "SO-1", ("KETTLE", 5))
    books.pay("SO-1", Decimal("33.33"), uow=pb.uow(), clock=pb.clock)
    shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)
    orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    lines = books.trial_balance(pb.reader())

    per_entry: dict[int, Decimal] = {}
    for entry, _, amount in entries(pb):
        per_entry[entry] = per_entry.get(entry, Decimal(0)) + amount
    assert set(per_entry.values()) == {Decimal(0)}
    assert sum(line.debit for line in lines) == sum(line.credit for line in lines)
    by_account = {line.account: line.balance for line in lines}
    assert by_account["2150"] == Decimal("-3.33")  # paid 33.33, shipped 30: 3.33 is due back
    assert by_account["2100"] == 0


def test_a_drop_ship_books_revenue_at_the_suppliers_dispatch_and_cost_from_the_po(pb: Pegboard) -> None:
    catalogue.save_suppliers([Supplier("Chair Co", lead_time_days=5)], uow=pb.uow())
    catalogue.save_items(
        [Item("CHAIR", "Chair", Procurement.DROPSHIP, supplier="Chair Co", cost=to_money("40"))], uow=pb.uow()
    )
    make_order(pb, "SO-1", ("CHAIR", 2))
    books.pay("SO-1", Decimal("20"), uow=pb.uow(), clock=pb.clock)
    with pb.reader() as uow:
        (po,) = uow.supply.dropship_orders("SO-1")

    purchasing.receive(po.po_ref, "CHAIR", Decimal(1), uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    assert entries(pb, "SO-1")[2:] == [(2, "2100", 10), (2, "4000", -10), (2, "5000", 40), (2, "2000", -40)]


def test_a_shipment_that_fails_after_its_entry_is_booked_leaves_no_entry(pb: Pegboard) -> None:
    make_kettles(pb)
    make_order(pb, "SO-1", ("KETTLE", 2))
    books.pay("SO-1", Decimal("20"), uow=pb.uow(), clock=pb.clock)
    before = everything(pb.engine)

    # The outbox row is written after the journal's: its failure must take the entry with it.
    with failing_on(pb.engine, "outbox", "INSERT", 1), pytest.raises(DBAPIError, match="injected fault"):
        shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)

    assert everything(pb.engine) == before


@pytest.mark.parametrize("statement", ["UPDATE journal_lines SET debit = 0", "DELETE FROM journal_entries"])
def test_the_journal_refuses_every_update_and_delete(pb: Pegboard, statement: str) -> None:
    make_kettles(pb)
    make_order(pb, "SO-1", ("KETTLE", 1))
    books.pay("SO-1", Decimal("10"), uow=pb.uow(), clock=pb.clock)

    with pytest.raises(LedgerRuleBroken) as refused, pb.uow() as uow:
        uow.connection.execute(text(statement))

    assert refused.value.rule == "journal_append_only"

    assert len(entries(pb, "SO-1")) == 2


def test_a_refund_above_what_was_paid_names_the_amount_and_writes_nothing(pb: Pegboard) -> None:
    make_kettles(pb)
    make_order(pb, "SO-1", ("KETTLE", 5))
    books.pay("SO-1", Decimal("50"), uow=pb.uow(), clock=pb.clock)
    before = row_counts(pb)

    with pytest.raises(InvalidValue) as refused:
        books.refund("SO-1", Decimal("50.01"), uow=pb.uow(), clock=pb.clock)

    assert refused.value.field == "amount"
    assert row_counts(pb) == before


def test_a_cancelled_order_takes_no_payment(pb: Pegboard) -> None:
    make_kettles(pb)
    make_order(pb, "SO-1", ("KETTLE", 5))
    orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    with pytest.raises(ActionRefused):
        books.pay("SO-1", Decimal("5"), uow=pb.uow(), clock=pb.clock)
    with pytest.raises(UnknownOrder):
        books.pay("SO-404", Decimal("5"), uow=pb.uow(), clock=pb.clock)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("pay", "SO-1", "--", "-5"), "'amount'"),
        (("pay", "SO-1", "-5"), "'amount'"),
        (("pay", "SO-1", "-5", "--method", "card"), "'amount'"),
        (("pay", "SO-1", "10.005"), "'amount'"),
        (("pay", "SO-1", "1e3"), "'amount'"),
        (("refund", "SO-1", "-1"), "'amount'"),
        (("refund", "SO-1", "0.001"), "'amount'"),
        (("refund", "SO-1", "ten"), "'amount'"),
        (("refund", "SO-404"), "'order_ref'"),
        (("pay", "SO-1", "ten"), "'amount'"),
        (("pay", "SO-1", "0"), "'amount'"),
        (("pay", "SO-404", "5"), "'order_ref'"),
        (("refund", "SO-1", "50.01"), "'amount'"),
        (("refund", "SO-1", "--", "-1"), "'amount'"),
        (("journal", "--from", "2026-12-01", "--to", "2026-11-01"), "'--from'"),
        (("journal", "--to", "yesterday"), "'--to'"),
    ],
)
def test_bad_input_on_the_command_line_exits_2_naming_the_field_and_writes_nothing(
    pb: Pegboard, db_url: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], field: str
) -> None:
    make_kettles(pb)
    make_order(pb, "SO-1", ("KETTLE", 5))
    books.pay("SO-1", Decimal("50"), uow=pb.uow(), clock=pb.clock)
    before = row_counts(pb)

    code = cli(db_url, *args)

    assert code == 2
    assert field in capsys.readouterr().err
    assert row_counts(pb) == before


def test_journal_json_and_csv_list_the_same_lines_and_balance_totals_agree(
    pb: Pegboard, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    make_kettles(pb)
    make_order(pb, "SO-1", ("KETTLE", 5))
    assert cli(db_url, "pay", "SO-1", "50", "--method", "card", "--reference", "T-1") == 0
    capsys.readouterr()

    assert cli(db_url, "journal", "--json", "--from", "2026-11-23", "--to", "2026-11-23") == 0
    as_json = json.loads(capsys.readouterr().out)
    assert cli(db_url, "journal", "--csv") == 0
    as_csv = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert cli(db_url, "balance", "--json") == 0
    balance = json.loads(capsys.readouterr().out)

    assert list(as_csv[0]) == ["date", "entry", "account", "debit", "credit", "order_ref", "memo"]
    assert [(r["entry"], r["account"], r["debit"], r["credit"]) for r in as_json] == [
        (int(r["entry"]), r["account"], Decimal(r["debit"]), Decimal(r["credit"])) for r in as_csv
    ]
    assert as_json[-1] == {
        "date": "2026-11-23",
        "entry": 2,
        "account": "2100",
        "account_name": "Customer deposits",
        "debit": 0,
        "credit": 50,
        "order_ref": "SO-1",
        "memo": "payment by card (T-1)",
    }
    assert balance["total_debit"] == balance["total_credit"] == 62  # the count (12) and the payment
    assert cli(db_url, "journal", "--json", "--from", "2026-11-24") == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def test_payments_through_rest_book_a_deposit_and_refuse_bad_input_writing_nothing(api: Api) -> None:
    make_kettles(api.pb)
    make_order(api.pb, "SO-1", ("KETTLE", 5))

    paid = api.post("/orders/SO-1/payments", {"amount": "50", "method": "card"})
    before = row_counts(api.pb)
    negative = api.post("/orders/SO-1/payments", {"amount": -5})
    unknown = api.post("/orders/SO-404/payments", {"amount": 5})
    too_much = api.post("/orders/SO-1/refunds", {"amount": 60})

    assert paid.status_code == 201, paid.text
    assert paid.json() == {"order_ref": "SO-1", "entry": 2, "deposit": 50, "receivable": 0, "refund_due": 0}
    assert negative.status_code == 422 and "amount" in negative.text
    assert_error(unknown, 404, "unknown_order", field="order_ref")
    assert_error(too_much, 422, "invalid_value", field="amount")
    assert row_counts(api.pb) == before
    journal: list[dict[str, Any]] = api.get("/journal").json()
    assert [(r["entry"], r["account"], r["debit"], r["credit"]) for r in journal][-2:] == [
        (2, "1000", 50, 0),
        (2, "2100", 0, 50),
    ]
    assert api.get("/balance").json()["balanced"] is True


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/orders/SO-1/payments", {"amount": -5}, 422, "amount"),
        ("/orders/SO-1/payments", {"amount": "-5"}, 422, "amount"),
        ("/orders/SO-1/payments", {"amount": "ten"}, 422, "amount"),
        ("/orders/SO-1/payments", {"amount": 0}, 422, "amount"),
        ("/orders/SO-1/payments", {"amount": "10.005"}, 422, "amount"),
        ("/orders/SO-1/payments", {}, 422, "amount"),
        ("/orders/SO-404/payments", {"amount": 5}, 404, "order_ref"),
        ("/orders/SO-1/refunds", {"amount": -1}, 422, "amount"),
        ("/orders/SO-1/refunds", {"amount": "ten"}, 422, "amount"),
        ("/orders/SO-1/refunds", {"amount": "0.001"}, 422, "amount"),
        ("/orders/SO-1/refunds", {"amount": 50.01}, 422, "amount"),
        ("/orders/SO-404/refunds", {"amount": 1}, 404, "order_ref"),
    ],
)
def test_bad_payments_and_refunds_through_rest_name_the_field_and_write_nothing(
    api: Api, path: str, body: dict[str, Any], status: int, field: str
) -> None:
    make_kettles(api.pb)
    make_order(api.pb, "SO-1", ("KETTLE", 5))
    assert api.post("/orders/SO-1/payments", {"amount": "50"}).status_code == 201
    before = row_counts(api.pb)

    answer = api.post(path, body)

    assert answer.status_code == status, answer.text
    assert field in answer.text
    assert row_counts(api.pb) == before


def test_payments_at_once_are_numbered_one_after_another_and_none_is_lost(pb: Pegboard) -> None:
    make_kettles(pb)
    refs = [f"SO-{n}" for n in range(1, 9)]
    for ref in refs:
        make_order(pb, ref, ("KETTLE", 1))
    calls = [*refs, "SO-1", "SO-1"]
    barrier = threading.Barrier(len(calls))

    def paying(ref: str) -> books.OrderMoney:
        barrier.wait(timeout=30)
        return with_retries(lambda: books.pay(ref, Decimal("2.5"), uow=pb.uow(), clock=pb.clock))

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        paid = [future.result(timeout=120) for future in [pool.submit(paying, ref) for ref in calls]]

    numbers = sorted(money.entry for money in paid)
    assert numbers == list(range(2, 2 + len(calls)))  # entry 1 is the opening count
    assert entries(pb, "SO-1")[-1][2] == Decimal("-2.5")
    with pb.reader() as uow:
        assert uow.journal.order_balances("SO-1")["2100"] == Decimal("-7.5")


def test_the_valuation_through_rest_lists_each_items_value_and_equals_the_inventory_account(
    api: Api,
) -> None:
    make_kettles(api.pb)
    catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=api.pb.uow())
    import_text(
        api.pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date,unit_cost\nPO-7,Acme,KETTLE,1,2026-12-01,8\n",
    )
    purchasing.receive(
        "PO-7", "KETTLE", Decimal(1), uow=api.pb.uow(), clock=api.pb.clock, policy=api.pb.policy
    )

    now = api.get("/valuation")
    before = api.get("/valuation", params={"as_of": "2026-11-22"})
    bad = api.get("/valuation", params={"as_of": "yesterday"})

    assert now.status_code == 200, now.text
    assert now.json() == {
        "as_of": None,
        "currency": "EUR",
        "items": [{"sku": "KETTLE", "on_hand": 4, "value": 20, "unit_cost": 5}],
        "total": 20,
    }
    assert before.json()["items"] == [] and before.json()["total"] == 0
    assert bad.status_code == 422 and "as_of" in bad.text
    balances = {line["account"]: line["balance"] for line in api.get("/balance").json()["accounts"]}
    assert balances["1200"] == 20


def test_valuation_on_the_cli_prints_what_rest_answers_and_refuses_a_bad_day(
    api: Api, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    make_kettles(api.pb)
    make_order(api.pb, "SO-1", ("KETTLE", 1))
    shipping.ship_order("SO-1", uow=api.pb.uow(), clock=api.pb.clock)
    capsys.readouterr()

    assert cli(db_url, "valuation", "--json") == 0
    printed = json.loads(capsys.readouterr().out)
    assert cli(db_url, "valuation") == 0
    as_table = capsys.readouterr().out
    assert cli(db_url, "valuation", "--as-of", "23/11/2026") == 2
    refused = capsys.readouterr().err

    assert printed == api.get("/valuation").json()
    assert printed["items"] == [{"sku": "KETTLE", "on_hand": 2, "value": 8, "unit_cost": 4}]
    assert "KETTLE" in as_table and "Total" in as_table
    assert "--as-of" in refused


def test_accounts_renamed_in_settings_show_their_new_names_on_the_cli_and_through_rest(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for api in open_api(db_url, account_names={"1000": "Bank", "2100": "Deposits on backorders"}):
        make_kettles(api.pb)
        make_order(api.pb, "SO-1", ("KETTLE", 5))
        assert api.post("/orders/SO-1/payments", {"amount": "50"}).status_code == 201
        names = {a["account"]: a["name"] for a in api.get("/balance").json()["accounts"]}
        journal = {r["account"]: r["account_name"] for r in api.get("/journal").json()}
    monkeypatch.setenv("PEGBOARD_ACCOUNT_NAMES", '{"1000": "Bank"}')
    assert cli(db_url, "balance", "--json") == 0
    on_the_cli = {a["account"]: a["name"] for a in json.loads(capsys.readouterr().out)["accounts"]}

    assert (names["1000"], names["2100"], names["1200"]) == ("Bank", "Deposits on backorders", "Inventory")
    assert (journal["1000"], journal["2100"]) == ("Bank", "Deposits on backorders")
    assert (on_the_cli["1000"], on_the_cli["2100"]) == ("Bank", "Customer deposits")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ('{"1001": "Petty cash"}', "'1001' is not an account code"),
        ("Bank", "not valid JSON"),
        ('{"1000": " "}', "blank"),
    ],
)
def test_a_bad_account_renaming_exits_2_naming_the_setting(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, value: str, says: str
) -> None:
    monkeypatch.setenv("PEGBOARD_ACCOUNT_NAMES", value)

    code = cli(db_url, "balance", "--json")

    err = capsys.readouterr().err
    assert code == 2 and "PEGBOARD_ACCOUNT_NAMES" in err and says in err


def test_paying_part_of_what_a_shipped_order_owes_says_what_is_still_owed(
    pb: Pegboard, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    make_kettles(pb)
    make_order(pb, "SO-1", ("KETTLE", 2))
    shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)
    capsys.readouterr()

    assert cli(db_url, "pay", "SO-1", "5") == 0

    assert "deposit held 0; still owed 15" in capsys.readouterr().out
