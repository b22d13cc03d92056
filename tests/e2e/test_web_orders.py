"""Orders in the browser: the ranked list, a new order, and shipping and cancelling from an order's page,
on the lightsaber demo after its orders are placed (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.e2e.web_support import (
    QUIET,
    Workshop,
    assert_accessible,
    screenshot,
    served_on_each_database,
    signed_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

pytestmark = QUIET


shop = served_on_each_database("web-orders", steps=2)


@pytest.fixture
def page(shop: Workshop, browser: Browser) -> Iterator[Page]:
    with signed_in(browser, shop, "op") as signed:
        yield signed


def order_refs(page: Page) -> list[str]:
    return [link.inner_text() for link in page.locator("#orders-results tbody tr td:first-child a").all()]


def test_orders_are_listed_by_priority_then_date_and_link_to_their_pages(shop: Workshop, page: Page) -> None:
    page.goto(shop.url + "/orders")

    assert order_refs(page) == ["SO-1", "SO-2", "SO-3"]
    assert page.get_by_role("link", name="SO-2", exact=True).get_attribute("href") == "/orders/SO-2"
    row = page.locator("tr", has=page.get_by_role("link", name="SO-2", exact=True))
    assert "open term" in row.inner_text()
    assert (
        "all in stock"
        in page.locator("tr", has=page.get_by_role("link", name="SO-3", exact=True)).inner_text()
    )


def test_the_filters_narrow_the_list_with_and_without_javascript(shop: Workshop, browser: Browser) -> None:
    with signed_in(browser, shop, "op", java_script_enabled=False) as page:
        page.goto(shop.url + "/orders")
        page.get_by_label("Backordered only").check()
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**backordered=1*")
        assert order_refs(page) == ["SO-1", "SO-2"]

    with signed_in(browser, shop, "op") as page:
        page.goto(shop.url + "/orders")
        page.get_by_label("Search").fill("leia")
        page.wait_for_url("**q=leia*")
        assert order_refs(page) == ["SO-2"]


def test_a_higher_priority_set_without_javascript_ranks_the_order_first(
    shop: Workshop, browser: Browser
) -> None:
    with signed_in(browser, shop, "op", java_script_enabled=False) as page:
        page.goto(shop.url + "/orders")
        page.get_by_label("Priority of SO-3").fill("5")
        page.get_by_role("button", name="Set priority of SO-3").click()

        page.wait_for_url(shop.url + "/orders")
        assert order_refs(page) == ["SO-3", "SO-1", "SO-2"]
        assert "SO-3 now has priority 5." in page.get_by_role("status").inner_text()
        page.get_by_label("Priority of SO-3").fill("0")
        page.get_by_role("button", name="Set priority of SO-3").click()
        page.wait_for_url(shop.url + "/orders")
        assert order_refs(page) == ["SO-1", "SO-2", "SO-3"]


def test_an_operator_ships_so1_from_its_order_page_and_the_parcel_has_a_packing_slip(
    shop: Workshop, page: Page
) -> None:
    page.goto(shop.url + "/orders/SO-1")
    page.get_by_label("Tracking number (optional)").fill("1Z999")
    page.get_by_role("button", name="Ship", exact=True).click()

    expect(page.get_by_role("status")).to_have_text("Shipped SO-1-S1.")
    shipments = page.locator("section", has=page.get_by_role("heading", name="Shipments"))
    assert "1Z999" in shipments.inner_text() and "2 × SABER-GREEN, 1 × SABER-BLUE" in shipments.inner_text()
    assert page.get_by_role("button", name="Ship", exact=True).count() == 0
    assert (
        "op shipped" in page.locator("section", has=page.get_by_role("heading", name="History")).inner_text()
    )
    assert shop.count("audit_log", actor="op", action="shipped", ref="SO-1") == 1

    page.get_by_role("link", name="Packing slip for SO-1-S1").click()
    expect(page.get_by_role("heading", name="Packing slip SO-1-S1")).to_be_visible()
    assert "SABER-GREEN" in page.locator("section, table").last.inner_text()


def test_cancelling_an_order_asks_once_before_anything_changes(shop: Workshop, page: Page) -> None:
    page.goto(shop.url + "/orders/SO-3")
    page.get_by_role("button", name="Cancel order").click()

    expect(page.get_by_role("heading", name="Cancel order SO-3?")).to_be_visible()
    assert shop.count("sales_orders", order_ref="SO-3", status="cancelled") == 0
    page.get_by_role("link", name="No, go back").click()
    page.get_by_role("button", name="Cancel order").click()
    page.get_by_role("button", name="Yes, cancel the order").click()

    expect(page.get_by_role("status")).to_have_text("Order SO-3 cancelled.")
    assert shop.count("sales_orders", order_ref="SO-3", status="cancelled") == 1
    assert page.get_by_role("button", name="Cancel order").count() == 0


def test_a_bad_new_order_comes_back_with_each_error_beside_its_field_and_nothing_written(
    shop: Workshop, page: Page
) -> None:
    orders_before = shop.count("sales_orders")
    page.goto(shop.url + "/orders/new")
    page.get_by_label("Order reference").fill("SO-50")
    page.get_by_label("SKU, line 1").fill("SABER-GREEN")
    page.get_by_label("Quantity, line 1").fill("0")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Place order").click()

    assert answer.value.status == 422
    assert page.title().startswith("Error: ")
    summary = page.get_by_role("alert")
    assert summary.get_by_role("link", name="Enter the customer's name").get_attribute("href") == "#customer"
    quantity = page.get_by_label("Quantity, line 1")
    assert quantity.get_attribute("aria-describedby") == "quantity-1-error"
    assert page.locator("#quantity-1-error").inner_text().endswith("Enter a quantity above 0 for line 1")
    assert page.get_by_label("SKU, line 1").input_value() == "SABER-GREEN"
    assert page.get_by_label("Order reference").input_value() == "SO-50"
    assert shop.count("sales_orders") == orders_before

    page.get_by_label("Customer").fill("Chewie")
    page.get_by_label("SKU, line 1").fill("SABER-PINK")
    page.get_by_label("Quantity, line 1").fill("1")
    page.get_by_role("button", name="Place order").click()

    assert "No item has SKU SABER-PINK" in page.locator("#sku-1-error").inner_text()
    assert shop.count("sales_orders") == orders_before


def test_a_new_order_is_placed_and_its_page_shows_what_waits(shop: Workshop, page: Page) -> None:
    page.goto(shop.url + "/orders/new")
    page.get_by_label("Order reference").fill("SO-51")
    page.get_by_label("Customer").fill("Han")
    page.get_by_label("SKU, line 1").fill("SABER-GREEN")
    page.get_by_label("Quantity, line 1").fill("2")
    page.get_by_role("button", name="Place order").click()

    page.wait_for_url(shop.url + "/orders/SO-51")
    expect(page.get_by_role("status")).to_have_text("Order SO-51 placed. 2 unit(s) on backorder.")
    lines = page.locator("section", has=page.get_by_role("heading", name="Lines")).inner_text()
    assert "SABER-GREEN" in lines and "open term" in lines
    assert shop.count("audit_log", actor="op", action="placed order", ref="SO-51") == 1


def test_dragging_an_order_above_another_ranks_it_there(shop: Workshop, page: Page) -> None:
    page.goto(shop.url + "/orders")
    before = order_refs(page)
    last, first = before[-1], before[0]
    handle = page.locator("tr", has=page.get_by_role("link", name=last, exact=True)).locator(
        "[data-drag-handle]"
    )
    target = page.locator("tr", has=page.get_by_role("link", name=first, exact=True))

    with page.expect_navigation():
        handle.drag_to(target, target_position={"x": 10, "y": 3})

    assert order_refs(page)[0] == last
    assert f"{last} now has priority 1." in page.get_by_role("status").inner_text()


def test_a_bad_csv_comes_back_listing_its_bad_rows_and_nothing_is_written(shop: Workshop, page: Page) -> None:
    orders_before = shop.count("sales_orders")
    bad = (
        "order_ref,customer,sku,quantity\n"
        "SO-60,Poe,SABER-BLUE,1\n"
        "SO-61,Finn,SABER-BLUE,lots\n"
        "SO-62,Rose,SABER-BLUE,none\n"
    )
    page.goto(shop.url + "/import")
    page.get_by_label("What the file holds").select_option("orders")
    page.get_by_label("CSV file").set_input_files(
        {"name": "phone-orders.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Import").click()

    assert answer.value.status == 422
    problems = page.locator(
        "section", has=page.get_by_role("heading", name="Problems in the file")
    ).inner_text()
    assert "line 3" in problems and "lots" in problems and "line 4" in problems and "none" in problems
    assert "phone-orders.csv has problems; nothing was imported" in page.locator("#file-error").inner_text()
    assert shop.count("sales_orders") == orders_before


def reddish(locator: Locator) -> bool:
    """The element's text colour is mostly red."""
    colour = locator.evaluate("element => getComputedStyle(element).color")
    red, green, blue = (int(v) for v in re.findall(r"\d+", colour)[:3])
    return red > 2 * green and red > 2 * blue


def test_an_order_past_its_requested_date_is_late_in_red_and_in_words(shop: Workshop, page: Page) -> None:
    page.goto(shop.url + "/orders/new")
    page.get_by_label("Order reference").fill("SO-70")
    page.get_by_label("Customer").fill("Rey")
    page.get_by_label("Requested date (optional)").fill("2026-11-20")
    page.get_by_label("SKU, line 1").fill("SABER-GREEN")
    page.get_by_label("Quantity, line 1").fill("1")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(shop.url + "/orders/SO-70")

    facts = page.locator("dl.facts")
    assert "Late: past the requested date" in facts.inner_text()
    assert reddish(facts.get_by_text("Late: past the requested date"))
    page.goto(shop.url + "/orders")
    requested = page.locator("tr", has=page.get_by_role("link", name="SO-70", exact=True)).locator(
        "td[data-label=Requested]"
    )
    assert "20 November" in requested.inner_text()
    assert reddish(requested.get_by_text("Late: past the requested date"))
    on_time = page.locator("tr", has=page.get_by_role("link", name="SO-2", exact=True))
    assert "Late" not in on_time.locator("td[data-label=Requested]").inner_text()
    screenshot(page, f"orders-requested-late-{shop.kind}")
    assert_accessible(page)
