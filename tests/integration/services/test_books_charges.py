"""Tax, shipping, discounts, preorder deposits and the shop's payments in the books, on SQLite and
PostgreSQL: each comes in with the order (REST, CSV, Shopify) and is booked as the order ships,
is cancelled or is paid; bad input names its field and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from pegboard.adapters.shopify import mapping
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.items import Item, Procurement, Supplier
from pegboard.domain.quantities import to_money
from pegboard.services import books, catalogue, orders, shipping, shopify
from pegboard.services.imports import ImportKind
from tests.builders import import_text, make_order, set_stock
from tests.e2e.test_api_support import Api, open_api, row_counts
from tests.integration.services.test_books import cli, make_kettles
from tests.shopify_server import order_json


def balances_of(pb: Pegboard, order_ref: str) -> dict[str, Decimal]:
    """The order's balance per account (debit positive), leaving out accounts at zero."""
    with pb.reader() as uow:
        found = uow.journal.order_balances(order_ref)
    return {account: amount for account, amount in sorted(found.items()) if amount}


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def test_tax_and_shipping_are_owed_with_what_ships_and_a_discount_reduces_revenue(api: Api) -> None:
    make_kettles(api.pb)  # 3 kettles on hand at a cost of 4
    body = {
        "order_ref": "SO-1",
        "customer": "Ada",
        "lines": [{"sku": "KETTLE", "quantity": 5, "unit_price": "10", "tax": "9.50", "discount": "2.50"}],
        "shipping": "4.90",
        "shipping_tax": "0.93",
    }
    assert api.post("/orders", body).status_code in (200, 201)
    # Ada pays everything: 50 - 2.50 + 9.50 + 4.90 + 0.93 = 62.83.
    books.pay("SO-1", Decimal("62.83"), uow=api.pb.uow(), clock=api.pb.clock)

    shipping.ship_order("SO-1", uow=api.pb.uow(), clock=api.pb.clock)

    # 3 of 5 kettles ship: 30 of revenue, 3/5 of the discount (1.50) and of the tax (5.70), and
    # all of the shipping with its tax; the rest of the deposit waits for the last 2 kettles.
    assert balances_of(api.pb, "SO-1") == {
        "1000": Decimal("62.83"),
        "1200": Decimal(-12),
        "2100": Decimal("-22.80"),  # 62.83 - (30 - 1.50 + 5.70 + 4.90 + 0.93)
        "2200": Decimal("-6.63"),
        "4000": Decimal(-30),
        "4050": Decimal("1.50"),
        "4100": Decimal("-4.90"),
        "5000": Decimal(12),
    }

    # The last two kettles arrive and ship: the deposit is used up to the cent.
    set_stock(api.pb, KETTLE=2)
    shipping.ship_order("SO-1", uow=api.pb.uow(), clock=api.pb.clock)
    after = balances_of(api.pb, "SO-1")
    assert "2100" not in after and "1100" not in after
    assert (after["4000"], after["4050"], after["2200"]) == (Decimal(-50), Decimal("2.50"), Decimal("-10.43"))


def test_cancelling_before_anything_ships_makes_shipping_and_tax_due_back_too(pb: Pegboard) -> None:
    make_kettles(pb)
    catalogue.save_items([Item("MUG", "Mug", Procurement.BUY, supplier="Acme")], uow=pb.uow())
    import_text(
        pb,
        ImportKind.ORDERS,
        "order_ref,sku,quantity,unit_price,tax,discount,shipping,shipping_tax\n"
        "SO-1,KETTLE,1,10,1.90,,4.90,\n"
        "SO-1,MUG,1,20,3.80,1,,\n",
    )
    books.pay("SO-1", Decimal("39.60"), uow=pb.uow(), clock=pb.clock)  # 30 - 1 + 5.70 + 4.90

    orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO)

    assert balances_of(pb, "SO-1") == {"1000": Decimal("39.60"), "2150": Decimal("-39.60")}


@pytest.mark.parametrize(
    ("column", "value"),
    [("tax", "-1"), ("discount", "ten"), ("shipping", "1e3"), ("shipping_tax", "-0.01")],
)
def test_a_bad_amount_in_an_orders_csv_names_its_row_and_column_and_writes_nothing(
    pb: Pegboard, db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Any, column: str, value: str
) -> None:
    make_kettles(pb)
    path = tmp_path / "orders.csv"
    path.write_text(f"order_ref,sku,quantity,{column}\nSO-1,KETTLE,1,{value}\n")
    before = row_counts(pb)

    code = cli(db_url, "import", "orders", str(path))

    assert code == 2
    err = capsys.readouterr().err
    assert f"line 2: row 1, field '{column}'" in err
    assert row_counts(pb) == before


def test_bad_amounts_in_an_order_body_are_refused_with_the_field_named(api: Api) -> None:
    make_kettles(api.pb)
    before = row_counts(api.pb)
    line = {"sku": "KETTLE", "quantity": 1, "unit_price": "10"}

    negative_tax = api.post("/orders", {"order_ref": "SO-1", "lines": [{**line, "tax": "-1"}]})
    words = api.post("/orders", {"order_ref": "SO-2", "lines": [line], "shipping": "a lot"})
    too_much = api.post("/orders", {"order_ref": "SO-3", "lines": [{**line, "discount": "10.01"}]})

    assert negative_tax.status_code == 422 and "tax" in negative_tax.text
    assert words.status_code == 422 and "shipping" in words.text
    assert too_much.status_code == 422 and "discount" in too_much.text
    assert row_counts(api.pb) == before


def test_a_tax_rate_per_item_taxes_orders_that_bring_no_tax_of_their_own(pb: Pegboard) -> None:
    catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=pb.uow())
    item = Item(
        "KETTLE", "Kettle", Procurement.BUY, cost=to_money(4), supplier="Acme", tax_rate=Decimal("0.19")
    )
    catalogue.save_items([item], uow=pb.uow())
    set_stock(pb, KETTLE=3)
    make_order(pb, "SO-1", ("KETTLE", 3))  # at 10 a unit

    shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)

    assert balances_of(pb, "SO-1")["1100"] == Decimal("35.70")
    assert balances_of(pb, "SO-1")["2200"] == Decimal("-5.70")


def test_a_tax_rate_of_one_or_more_is_refused_naming_the_column(
    pb: Pegboard, db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    path = tmp_path / "items.csv"
    path.write_text("sku,name,procurement,tax_rate\nKETTLE,Kettle,buy,19\n")
    before = row_counts(pb)

    assert cli(db_url, "import", "items", str(path)) == 2

    assert "tax_rate" in capsys.readouterr().err
    assert row_counts(pb) == before


def test_a_preorders_deposit_is_counted_apart_and_shown_in_the_balance(pb: Pegboard) -> None:
    catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=pb.uow())
    lamp = Item("LAMP", "Lamp", Procurement.BUY, supplier="Acme", release_date=date(2027, 3, 1))
    catalogue.save_items([lamp], uow=pb.uow())
    make_order(pb, "SO-1", ("LAMP", 2))

    books.pay("SO-1", Decimal(20), uow=pb.uow(), clock=pb.clock)

    assert balances_of(pb, "SO-1") == {"1000": Decimal(20), "2110": Decimal(-20)}
    names = {line.account: line.name for line in books.trial_balance(pb.reader())}
    assert names["2110"] == "Preorder deposits"


# --- the shop's payments ---------------------------------------------------------------------------


def deliver(pb: Pegboard, payload: dict[str, Any], event_id: str, topic: str = "orders/updated") -> None:
    order = mapping.read_payload(json.dumps(payload))
    shopify.receive_webhook(
        topic, event_id, order, uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO
    )


def shop_order(**changes: Any) -> dict[str, Any]:
    """Shop order #1001: 2 kettles at 19.99 with 3.33 of VAT each line, 4.90 shipping."""
    payload = order_json(lines=[("KETTLE", 2)], **changes)
    payload["shipping_lines"] = [
        {"price": "4.90", "tax_lines": [{"price": "0.98"}], "discount_allocations": []}
    ]
    payload["total_price"] = "49.19"  # 39.98 + 3.33 + 4.90 + 0.98
    return payload


def test_a_paid_shop_order_books_its_payment_once_however_often_the_webhook_comes(pb: Pegboard) -> None:
    make_kettles(pb)
    paid = shop_order(financial_status="paid")

    deliver(pb, paid, "evt-1", "orders/create")
    deliver(pb, paid, "evt-1", "orders/create")  # the same delivery again
    deliver(pb, {**paid, "updated_at": "2026-11-23T10:00:00Z"}, "evt-2")  # a newer version, same money

    assert balances_of(pb, "SHOP-1001") == {"1000": Decimal("49.19"), "2100": Decimal("-49.19")}
    shipping.ship_order("SHOP-1001", uow=pb.uow(), clock=pb.clock)
    shipped = balances_of(pb, "SHOP-1001")
    assert "2100" not in shipped and "1100" not in shipped
    assert (shipped["4000"], shipped["2200"], shipped["4100"]) == (
        Decimal("-39.98"),
        Decimal("-4.31"),
        Decimal("-4.90"),
    )


def test_a_shop_order_cancelled_and_refunded_in_the_shop_books_the_refund_once(pb: Pegboard) -> None:
    make_kettles(pb)
    partly = shop_order(financial_status="partially_paid")
    partly["total_outstanding"] = "29.19"
    deliver(pb, partly, "evt-1")
    assert balances_of(pb, "SHOP-1001") == {"1000": Decimal(20), "2100": Decimal(-20)}

    refunded = shop_order(
        financial_status="refunded",
        cancelled_at="2026-11-23T11:00:00Z",
        updated_at="2026-11-23T11:00:00Z",
    )
    refunded["total_outstanding"] = "29.19"
    refunded["refunds"] = [{"transactions": [{"kind": "refund", "status": "success", "amount": "20.00"}]}]
    deliver(pb, refunded, "evt-2", "orders/cancelled")
    deliver(pb, {**refunded, "updated_at": "2026-11-23T12:00:00Z"}, "evt-3")

    assert balances_of(pb, "SHOP-1001") == {}
    cash = [r for r in books.journal(pb.reader()) if r.order_ref == "SHOP-1001" and r.account == "1000"]
    assert [(r.debit, r.credit) for r in cash] == [(Decimal(20), 0), (0, Decimal(20))]


def test_an_items_labour_cost_and_tax_rate_go_in_and_come_back_through_rest(api: Api) -> None:
    catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=api.pb.uow())
    body = {"sku": "SABER", "name": "Saber", "procurement": "make", "labour_cost": "25", "tax_rate": "0.19"}
    before = row_counts(api.pb)
    refused = api.post("/items", {**body, "tax_rate": "1.5"})
    assert refused.status_code == 422 and "tax_rate" in refused.text
    assert row_counts(api.pb) == before

    assert api.post("/items", body).status_code == 201

    found = api.get("/items/SABER").json()
    assert (found["labour_cost"], found["tax_rate"]) == (25, 0.19)
