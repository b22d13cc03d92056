"""The product-page availability line: public, short-lived in caches, rate limited, telling nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from pegboard.entrypoints import demo
from pegboard.entrypoints.api.routes.public import Throttle
from pegboard.services.imports import ImportKind
from pegboard.services.quoting import QuoteRequest, quote
from tests.builders import import_text
from tests.e2e.test_api_support import Api, open_api, row_counts

KEYS = {"sku", "quantity", "date", "in_stock", "message"}


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def lightsaber(api: Api) -> None:
    demo.load_catalogue(api.pb)
    demo.place_orders(api.pb)


def public(api: Api, sku: str, quantity: object = None) -> Any:
    query = {} if quantity is None else {"quantity": quantity}
    return api.client.get(f"/public/availability/{sku}", params=query)


def test_an_item_in_stock_ships_today_and_anyone_may_read_and_cache_it(api: Api) -> None:
    lightsaber(api)

    answer = public(api, "SABER-BLUE", 2)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "sku": "SABER-BLUE",
        "quantity": 2,
        "date": api.pb.clock.today().isoformat(),
        "in_stock": True,
        "message": "In stock, ships today",
    }
    assert answer.headers["cache-control"] == "public, max-age=60"
    assert answer.headers["access-control-allow-origin"] == "*"


def test_a_green_saber_is_made_to_order_with_no_date_until_crystals_are_ordered(api: Api) -> None:
    lightsaber(api)

    before = public(api, "SABER-GREEN").json()
    due = api.pb.clock.today() + timedelta(days=14)
    import_text(
        api.pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-9,Crystal Broker,KYBER-GREEN,3,{due}\n",
    )
    after = public(api, "SABER-GREEN").json()

    assert before["date"] is None and before["in_stock"] is False
    assert before["message"].startswith("Made to order: the delivery date will be confirmed")
    ships = due + timedelta(days=1)
    assert after["date"] == ships.isoformat()
    assert after["message"] == f"Made to order: ships by {ships.day} {ships.strftime('%B')}"


def test_the_answer_leaks_no_stock_figure_order_or_other_sku(api: Api) -> None:
    lightsaber(api)

    answers = [public(api, "SABER-BLUE", 1), public(api, "SABER-GREEN", 1)]

    for answer in answers:
        assert set(answer.json()) == KEYS
        for secret in ("KYBER", "HILT", "EMITTER", "SO-", "Luke", "Crystal Broker", "PO-", "MO-"):
            assert secret not in answer.text
    # 3 blue sabers are free; no answer says so.
    assert all('"3"' not in a.text and ": 3" not in a.text for a in answers)


def test_unknown_skus_and_items_not_on_sale_are_the_same_404(api: Api) -> None:
    lightsaber(api)

    unknown, material = public(api, "NO-SUCH-SABER"), public(api, "KYBER-GREEN")

    assert unknown.status_code == material.status_code == 404
    assert (
        unknown.json()
        == material.json()
        == {"error": {"code": "not_found", "message": "no product on sale has this SKU"}}
    )


def test_a_bad_quantity_is_a_422_naming_the_field_and_nothing_is_written(api: Api) -> None:
    lightsaber(api)
    before = row_counts(api.pb)

    answers = [public(api, "SABER-BLUE", q) for q in ("0", "-1", "many", "2000000")]

    for answer in answers:
        assert answer.status_code == 422
        assert answer.json()["error"]["field"] == "quantity"
    assert row_counts(api.pb) == before


def test_the_stock_count_is_shown_only_where_the_shop_allows_it(db_url: str) -> None:
    for api in open_api(db_url, public_stock_counts=True):
        lightsaber(api)

        found = public(api, "SABER-BLUE", 1).json()

        assert found["available"] == 3


def test_the_shop_can_turn_the_line_off(db_url: str) -> None:
    for api in open_api(db_url, public_availability=False):
        lightsaber(api)

        assert public(api, "SABER-BLUE", 1).status_code == 404


def test_a_client_asking_too_often_is_told_to_wait(db_url: str) -> None:
    for api in open_api(db_url, public_requests_per_minute=3):
        lightsaber(api)

        answers = [public(api, "SABER-BLUE", 1) for _ in range(4)]

        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert 1 <= int(answers[3].headers["retry-after"]) <= 60
        assert answers[3].json()["error"]["code"] == "rate_limited"


def test_the_limit_is_kept_per_client_address() -> None:
    throttle = Throttle(2, window=60)

    first = [throttle.wait("203.0.113.1") for _ in range(3)]
    other = throttle.wait("203.0.113.2")

    assert first[:2] == [0, 0] and first[2] > 0
    assert other == 0


def test_the_line_comes_from_the_kept_leftover_and_agrees_with_the_quote(api: Api) -> None:
    lightsaber(api)
    due = api.pb.clock.today() + timedelta(days=14)
    import_text(
        api.pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-9,Crystal Broker,KYBER-GREEN,3,{due}\n",
    )
    asked = (("SABER-GREEN", 1), ("SABER-GREEN", 3), ("SABER-BLUE", 4), ("SABER-BLUE", 9))

    lines = [public(api, sku, quantity).json() for sku, quantity in asked]
    kept = api.pb.leftovers
    from_leftover = kept.answered
    quotes = [quoted(api, sku, quantity) for sku, quantity in asked]

    # No line is in stock whole (3 blue sabers are free): each was answered from the leftover.
    assert (from_leftover, kept.planned) == (4, 0)
    for line, found, (_, quantity) in zip(lines, quotes, asked, strict=True):
        assert set(line) == KEYS
        assert line["date"] == found["date"]
        assert line["in_stock"] == (found["lines"][0]["now"] == quantity)
    # Nothing beyond the line: no stock figure, order, supply or other SKU.
    for secret in ("KYBER", "HILT", "SO-", "PO-", "MO-", "Crystal Broker", "available"):
        assert all(secret not in str(line) for line in lines)


def test_after_an_order_the_line_follows_it_and_still_agrees_with_the_quote(api: Api) -> None:
    lightsaber(api)
    before = public(api, "SABER-BLUE", 4).json()
    planned_before = quoted(api, "SABER-BLUE", 4, leftover=False)
    built = api.pb.leftovers.built

    placed = api.post(
        "/orders",
        {"order_ref": "SO-9", "customer": "Rey", "lines": [{"sku": "SABER-BLUE", "quantity": 3}]},
    )
    after = public(api, "SABER-BLUE", 4).json()

    assert placed.status_code == 201, placed.text
    assert (api.pb.leftovers.built, api.pb.leftovers.followed) == (built, 1)
    assert before["date"] == planned_before["date"]
    assert after["date"] == quoted(api, "SABER-BLUE", 4, leftover=False)["date"]
    # SO-9 took the 3 free sabers: the kept leftover knows it.
    assert quoted(api, "SABER-BLUE", 4)["lines"][0]["now"] == 0


def quoted(api: Api, sku: str, quantity: int, *, leftover: bool = True) -> Any:
    """The quote of one line, through the server (its kept leftover) or planned in full."""
    if leftover:
        return api.post("/quotes", {"lines": [{"sku": sku, "quantity": quantity}]}, token="viewer").json()
    request = QuoteRequest(((sku, Decimal(quantity)),))
    found = quote(request, uow=api.pb.reader(), clock=api.pb.clock)
    return {"date": None if found.date is None else found.date.isoformat()}
