"""The books follow what the shop says about an order's money, on SQLite and PostgreSQL: prices
that include tax (Shopify's `taxes_included`) book revenue net of the tax, and tax, shipping or
discounts changed after placing are booked again by a correcting entry (the journal is never
edited); bad input names its field and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from pegboard.adapters.shopify import mapping
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services import books, orders, shipping, shopify
from tests.builders import set_stock
from tests.e2e.test_api_support import Api, open_api, row_counts
from tests.e2e.test_shopify_webhooks import SECRET, post_webhook
from tests.integration.services.test_books import make_kettles
from tests.integration.services.test_books_charges import balances_of
from tests.shopify_server import order_json

REF = "SHOP-1001"


def deliver(pb: Pegboard, payload: dict[str, Any], topic: str = "orders/updated") -> None:
    order = mapping.read_payload(json.dumps(payload))
    shopify.receive_webhook(
        topic,
        f"evt-{payload['updated_at']}",
        order,
        uow=pb.uow(),
        clock=pb.clock,
        policy=AllocationPolicy.FIFO,
    )


def shop_order(*, line_tax: str, shipping_tax: str, total: str, **fields: Any) -> dict[str, Any]:
    """Paid shop order #1001: 2 kettles at 19.99 and 4.90 of shipping, with these taxes."""
    payload = order_json(lines=[("KETTLE", 2)])
    payload["line_items"][0]["tax_lines"] = [{"title": "VAT", "price": line_tax, "rate": "0.2"}]
    payload["shipping_lines"] = [
        {"price": "4.90", "tax_lines": [{"price": shipping_tax}], "discount_allocations": []}
    ]
    payload["total_price"] = total
    return {**payload, **fields}


def edited(payload: dict[str, Any], at: str, **line: Any) -> dict[str, Any]:
    """The order as the shop describes it after an edit at `at`, with these line item fields."""
    return {**payload, "updated_at": at, "line_items": [{**payload["line_items"][0], **line}]}


def entries_of(pb: Pegboard, order_ref: str) -> list[tuple[int, str, Decimal, Decimal, str]]:
    return [
        (row.entry, row.account, row.debit, row.credit, row.memo)
        for row in books.journal(pb.reader())
        if row.order_ref == order_ref
    ]


# --- prices that include tax ---------------------------------------------------------------------


def tax_included_order() -> dict[str, Any]:
    """VAT is inside the prices: 6.66 of the kettles' 39.98 and 0.82 of the shipping's 4.90."""
    return shop_order(line_tax="6.66", shipping_tax="0.82", total="44.88", taxes_included=True)


def test_prices_that_include_tax_book_revenue_net_of_it_and_the_tax_as_collected(pb: Pegboard) -> None:
    make_kettles(pb)  # 3 on hand at a cost of 4
    deliver(pb, tax_included_order(), "orders/create")
    assert balances_of(pb, REF) == {"1000": Decimal("44.88"), "2100": Decimal("-44.88")}

    shipping.ship_order(REF, uow=pb.uow(), clock=pb.clock)

    # The customer paid 44.88, all of it earned: 33.32 of goods, 7.48 of tax, 4.08 of shipping.
    assert balances_of(pb, REF) == {
        "1000": Decimal("44.88"),
        "1200": Decimal(-8),
        "2200": Decimal("-7.48"),
        "4000": Decimal("-33.32"),
        "4100": Decimal("-4.08"),
        "5000": Decimal(8),
    }


def test_a_part_shipped_at_prices_with_tax_earns_its_share_and_the_rest_is_due_back_whole(
    pb: Pegboard,
) -> None:
    make_kettles(pb)
    set_stock(pb, KETTLE=1)
    deliver(pb, tax_included_order(), "orders/create")

    shipping.ship_order(REF, uow=pb.uow(), clock=pb.clock)
    orders.cancel_order(REF, uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO)

    # One kettle (19.99, of which 3.33 is tax) and the shipping (4.90, of which 0.82 is tax)
    # are earned; the other kettle's 19.99, its tax included, is due back.
    balances = balances_of(pb, REF)
    assert (balances["4000"], balances["2200"], balances["4100"]) == (
        Decimal("-16.66"),
        Decimal("-4.15"),
        Decimal("-4.08"),
    )
    assert balances["2150"] == Decimal("-19.99") and "2100" not in balances


# --- tax, shipping and discounts changed in the shop after placing -------------------------------


def taxed_order() -> dict[str, Any]:
    """Tax on top of the prices: 3.33 on the kettles, 0.98 on the shipping; paid 49.19."""
    return shop_order(line_tax="3.33", shipping_tax="0.98", total="49.19")


def test_lower_tax_and_free_shipping_before_anything_ships_make_the_difference_due_back(
    pb: Pegboard,
) -> None:
    make_kettles(pb)
    set_stock(pb, KETTLE=0)
    paid = taxed_order()
    deliver(pb, paid, "orders/create")

    cheaper = edited(paid, "2026-11-23T10:00:00Z", tax_lines=[{"title": "VAT", "price": "2.00"}])
    cheaper["shipping_lines"] = []
    deliver(pb, cheaper)
    deliver(pb, cheaper)  # the same version again changes nothing

    # Now owed: 39.98 + 2.00; the deposit holds 49.19, so 7.21 is due back.
    assert balances_of(pb, REF) == {
        "1000": Decimal("49.19"),
        "2100": Decimal("-41.98"),
        "2150": Decimal("-7.21"),
    }
    set_stock(pb, KETTLE=2)
    shipping.ship_order(REF, uow=pb.uow(), clock=pb.clock)
    shipped = balances_of(pb, REF)
    assert "2100" not in shipped and "1100" not in shipped and "4100" not in shipped
    assert (shipped["4000"], shipped["2200"]) == (Decimal("-39.98"), Decimal("-2.00"))


def test_a_discount_given_after_shipping_is_booked_by_a_correcting_entry_and_due_back(
    pb: Pegboard,
) -> None:
    make_kettles(pb)
    paid = taxed_order()
    deliver(pb, paid, "orders/create")
    shipping.ship_order(REF, uow=pb.uow(), clock=pb.clock)
    booked = entries_of(pb, REF)

    # The merchant gives 5.00 off the kettles in the shop; the tax on them falls to 2.33.
    discounted = edited(
        paid,
        "2026-11-24T10:00:00Z",
        discount_allocations=[{"amount": "5.00"}],
        tax_lines=[{"title": "VAT", "price": "2.33"}],
    )
    deliver(pb, discounted)
    deliver(pb, {**discounted, "updated_at": "2026-11-24T11:00:00Z"})  # a newer, same version

    after = entries_of(pb, REF)
    assert after[: len(booked)] == booked  # nothing booked before is edited
    correcting = after[len(booked) :]
    assert {(account, debit, credit) for _, account, debit, credit, _ in correcting} == {
        ("4050", Decimal("5.00"), Decimal(0)),  # the discount reduces revenue
        ("2200", Decimal("1.00"), Decimal(0)),  # less tax collected
        ("2100", Decimal(0), Decimal("6.00")),  # the customer's money, back on deposit ...
        ("2100", Decimal("6.00"), Decimal(0)),  # ... and from there due back
        ("2150", Decimal(0), Decimal("6.00")),
    }
    assert balances_of(pb, REF) == {
        "1000": Decimal("49.19"),
        "1200": Decimal(-8),
        "2150": Decimal("-6.00"),
        "2200": Decimal("-3.31"),
        "4000": Decimal("-39.98"),
        "4050": Decimal("5.00"),
        "4100": Decimal("-4.90"),
        "5000": Decimal(8),
    }


def test_more_tax_after_shipping_is_owed_by_the_customer(pb: Pegboard) -> None:
    make_kettles(pb)
    paid = taxed_order()
    deliver(pb, paid, "orders/create")
    shipping.ship_order(REF, uow=pb.uow(), clock=pb.clock)

    deliver(pb, edited(paid, "2026-11-24T10:00:00Z", tax_lines=[{"title": "VAT", "price": "4.00"}]))

    balances = balances_of(pb, REF)
    assert (balances["2200"], balances["1100"]) == (Decimal("-4.98"), Decimal("0.67"))
    assert "2150" not in balances


# --- bad input -------------------------------------------------------------------------------


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url, shopify_secret=SECRET, notify_interval_seconds=0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"taxes_included": "yes"}, "taxes_included"),
        ({"taxes_included": True, "tax": "40.00"}, "line_items[0].tax_lines"),
        ({"taxes_included": True, "shipping_tax": "5.00"}, "shipping_lines"),
        ({"tax": "-1"}, "line_items[0].tax_lines[0].price"),
        ({"tax": "lots"}, "line_items[0].tax_lines[0].price"),
    ],
)
def test_bad_taxes_in_a_shop_order_are_refused_naming_the_field_and_write_nothing(
    api: Api, change: dict[str, Any], field: str
) -> None:
    make_kettles(api.pb)
    change = dict(change)  # the same parameters serve both databases
    taxes = {"line_tax": change.pop("tax", "3.33"), "shipping_tax": change.pop("shipping_tax", "0.98")}
    payload = shop_order(**taxes, total="49.19")
    before = row_counts(api.pb)

    response = post_webhook(api, {**payload, **change})

    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["field"] == field
    assert row_counts(api.pb) == before


def test_a_bad_tax_in_an_edit_is_refused_and_the_books_stay_as_they_were(api: Api) -> None:
    make_kettles(api.pb)
    paid = taxed_order()
    assert post_webhook(api, paid).status_code == 200
    before = row_counts(api.pb)

    bad = edited(paid, "2026-11-24T10:00:00Z", tax_lines=[{"title": "VAT", "price": "-2.00"}])
    response = post_webhook(api, bad, topic="orders/updated", event_id="evt-2")

    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["field"] == "line_items[0].tax_lines[0].price"
    assert row_counts(api.pb) == before
