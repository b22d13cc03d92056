"""The availability snippet on a shop's product page, in Chromium: a page served by the test (another
origin) includes our script, which shows the line `pegboard serve` answers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import pytest

from tests.e2e.test_pages_in_browser import free_port
from tests.e2e.web_support import Workshop, chromium, served_workshop

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)

PRODUCT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lightsabers</title></head>
<body>
<h1>Blue lightsaber</h1>
<label for="qty">Quantity</label> <input id="qty" type="number" value="1">
<p id="blue" data-pegboard-availability data-sku="SABER-BLUE" data-quantity-from="#qty"
   aria-live="polite">Checking availability</p>
<h2>Green lightsaber</h2>
<p id="green" data-pegboard-availability data-sku="SABER-GREEN" aria-live="polite"></p>
<h2>Crystal</h2>
<p id="crystal" data-pegboard-availability data-sku="KYBER-GREEN">Ask us</p>
<script src="{pegboard}/static/availability.js" defer></script>
</body></html>
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workshop]:
    with served_workshop("sqlite", tmp_path_factory.mktemp("availability"), steps=2, users=False) as served:
        yield served


@pytest.fixture(scope="module")
def product_page(shop: Workshop) -> Iterator[str]:
    """A shop's product page on its own origin, including the snippet."""
    body = PRODUCT_PAGE.replace("{pegboard}", shop.url).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/products/saber"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(shop: Workshop) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_the_product_page_shows_the_availability_line_and_follows_the_quantity(
    browser: Browser, product_page: str
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(product_page)

        blue, green = page.locator("#blue"), page.locator("#green")
        expect(blue).to_have_text("In stock, ships today")
        expect(blue).to_have_attribute("data-in-stock", "true")
        expect(green).to_have_text(
            "Made to order: the delivery date will be confirmed when our supplier gives one"
        )
        expect(green).to_have_attribute("data-in-stock", "false")

        page.get_by_label("Quantity").fill("40")
        page.get_by_label("Quantity").dispatch_event("change")

        expect(blue).to_contain_text("Made to order")
        expect(blue).to_have_attribute("data-in-stock", "false")
    finally:
        page.close()


def test_a_sku_not_on_sale_leaves_the_themes_words(browser: Browser, product_page: str) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(product_page)

        expect(page.locator("#blue")).to_have_attribute("data-in-stock", "true")
        expect(page.locator("#crystal")).to_have_text("Ask us")
        expect(page.locator("#crystal")).not_to_have_attribute("data-in-stock", "false")
    finally:
        page.close()
