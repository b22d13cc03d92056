"""Quote holds in the web app, in Chromium on SQLite and PostgreSQL: the stock list and the item
page say what part of the allocated stock quotes hold, by which quote and until when; an operator
releases a hold early and its stock goes to the order waiting for it; a viewer sees no release
button and the server refuses their release, as it refuses one sent from another site."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx

from tests.e2e.web_support import (
    QUIET,
    Workshop,
    assert_accessible,
    screenshot,
    served_on_each_database,
    signed_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = QUIET


#: The demo's orders placed: 3 blue sabers free for the tests' quotes to hold.
shop = served_on_each_database("web-holds", steps=3)


def hold(shop: Workshop, quantity: int) -> str:
    held = json.loads(shop.cli("quote", f"SABER-BLUE:{quantity}", "--hold", "60", "--json"))
    return str(held["quote_id"])


def allocated(shop: Workshop, ref: str) -> int:
    [order] = [o for o in json.loads(shop.cli("orders", "--json")) if o["order_ref"] == ref]
    return int(sum(line["allocated"] for line in order["lines"]))


def test_an_operator_sees_the_hold_and_releases_it_to_the_order_waiting(
    browser: Browser, shop: Workshop
) -> None:
    quote_id = hold(shop, 2)
    shop.cli("place", "SO-9", "SABER-BLUE:3")  # 1 is free: 2 wait behind the hold
    assert allocated(shop, "SO-9") == 1

    with signed_in(browser, shop, "op", viewport={"width": 1280, "height": 900}) as page:
        page.goto(shop.url + "/items?q=SABER-BLUE")
        row = page.get_by_role("row").filter(has_text="SABER-BLUE")
        assert "2 held" in row.inner_text()

        page.goto(shop.url + "/items/SABER-BLUE")
        assert "1 to orders, 2 held for quotes" in page.locator("ul.figures").inner_text()
        holds = page.get_by_role("table", name="Quote holds on SABER-BLUE, soonest to end first")
        cells = holds.get_by_role("row").nth(1).inner_text()
        assert quote_id in cells and "\t2\t" in cells
        assert_accessible(page)
        screenshot(page, f"holds-item-1280-{shop.kind}")
        page.set_viewport_size({"width": 375, "height": 800})
        screenshot(page, f"holds-item-375-{shop.kind}")
        page.goto(shop.url + "/items?q=SABER")
        screenshot(page, f"holds-items-375-{shop.kind}")
        page.goto(shop.url + "/items/SABER-BLUE")

        page.get_by_role("button", name=f"Release hold {quote_id}").click()

        assert (
            f"Hold of quote {quote_id} released (2 SABER-BLUE)"
            in page.get_by_role("status").first.inner_text()
        )
        assert page.get_by_role("region", name="Held for quotes").count() == 0
        assert quote_id in page.get_by_role("region", name="History").inner_text()
    assert allocated(shop, "SO-9") == 3
    assert shop.count("quote_holds", quote_id=quote_id, status="released") == 1
    assert json.loads(shop.cli("stock", "SABER-BLUE", "--json"))["available"] == 0

    # Released once: a second release is refused, saying how the hold ended, and changes nothing.
    with httpx.Client(cookies=shop.cookies("op"), follow_redirects=True) as client:
        again = client.post(f"{shop.url}/items/SABER-BLUE/holds/{quote_id}/release")
    assert again.status_code == 200 and "has ended already (released)" in again.text


def test_a_viewer_sees_the_hold_but_cannot_release_it_nor_can_another_site(
    browser: Browser, shop: Workshop
) -> None:
    shop.cli("count", "SABER-BLUE", "9")
    quote_id = hold(shop, 1)

    with signed_in(browser, shop, "viewer") as page:
        page.goto(shop.url + "/items/SABER-BLUE")
        assert (
            quote_id
            in page.get_by_role("table", name="Quote holds on SABER-BLUE, soonest to end first").inner_text()
        )
        assert page.get_by_role("button", name=f"Release hold {quote_id}").count() == 0

    url = f"{shop.url}/items/SABER-BLUE/holds/{quote_id}/release"
    by_viewer = httpx.post(url, cookies=shop.cookies("viewer"))
    from_elsewhere = httpx.post(url, cookies=shop.cookies("op"), headers={"Origin": "http://evil.example"})
    with httpx.Client(cookies=shop.cookies("op"), follow_redirects=True) as client:
        unknown = client.post(f"{shop.url}/items/SABER-BLUE/holds/Q-NOSUCH/release")

    assert by_viewer.status_code == 403 and from_elsewhere.status_code == 403
    assert shop.count("quote_holds", quote_id=quote_id, status="held") == 1
    assert (
        unknown.status_code == 200
        and "Q-NOSUCH" in unknown.text
        and "is not a quote with a hold" in unknown.text
    )
