"""The order-status page on a phone: Debian's Chromium, driven by Playwright, on `pegboard serve`."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest

from tests.e2e.test_pages_in_browser import CHROMIUM, free_port
from tests.e2e.web_support import chromium, run_cli
from tests.serving import served

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ViewportSize

# The Playwright driver's pipes are closed by the garbage collector, not by Playwright itself.
pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)

TODAY = "2026-11-23"
PHONE: ViewportSize = {"width": 375, "height": 667}
LONG_NAME = "Maximiliana-Konstantinopolitanische-Dudelsackpfeifergesellschaft-Vorsitzende"
LONG_TRACKING = "1Z999AA101234567841234567890123456789012345678901234567890"


@dataclass(frozen=True)
class Shop:
    """A served workshop and a status link for two of its orders."""

    url: str
    so1: str
    so9: str


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """The demo workshop after its first shipments and a plan; SO-9 has a long name and tracking number."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI; `make test` installs Debian's chromium")
        pytest.skip("Chromium is not installed")
    db = f"sqlite:///{tmp_path_factory.mktemp('status-browser') / 'status.db'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PEGBOARD_PUBLIC_URL": url}
    # The set-up commands run in this process (each new process would import pegboard again).
    run_cli(db, "demo", "--steps", "3")
    run_cli(db, "place", "SO-9", "SABER-BLUE:1", "--customer", LONG_NAME)
    run_cli(db, "ship", "SO-9", "--tracking", LONG_TRACKING)
    run_cli(db, "plan")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEGBOARD_PUBLIC_URL", url)
        so1, so9 = (run_cli(db, "status-link", ref).strip() for ref in ("SO-1", "SO-9"))
    links = Shop(url, so1, so9)
    process = subprocess.Popen(
        [sys.executable, "-m", "pegboard.entrypoints.cli", "serve", "--port", str(port), "--db", db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**env, "PEGBOARD_TODAY": TODAY},
    )
    try:
        if not served(url + "/login", ok=True):
            pytest.fail("pegboard serve did not answer within 60 s")
        yield links
    finally:
        process.terminate()
        process.wait(timeout=30)
        gc.collect()


@pytest.fixture(scope="module")
def browser(shop: Shop) -> Iterator[Browser]:
    """One headless Chromium for the module; each visit opens its own context (its own cookies)."""
    with chromium() as launched:
        yield launched


def _visit_on_a_phone(browser: Browser, url: str) -> tuple[dict[str, object], set[str]]:
    """Open `url` at 375x667; what is visible and how wide the page is, and where requests went."""
    from playwright.sync_api import expect

    places: set[str] = set()
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.on("request", lambda r: places.add(f"{urlparse(r.url).scheme}://{urlparse(r.url).netloc}"))
        response = page.goto(url)
        assert response is not None
        heading = page.locator("h1")
        expect(heading).to_be_visible()
        found: dict[str, object] = {
            "status": response.status,
            "heading": heading.inner_text(),
            "text": page.locator("main").inner_text(),
            "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
            "body_width": page.evaluate("document.body.scrollWidth"),
            "viewport_width": page.evaluate("window.innerWidth"),
            "visible": {
                text: page.get_by_text(text).first.is_visible()
                for text in ("Green lightsaber", "Shipments", "Expected")
            },
        }
    finally:
        context.close()
    return found, places


def _only_here(places: set[str], url: str) -> bool:
    here = f"http://{urlparse(url).netloc}"
    return all(place == here or place.startswith("data://") for place in places)


def test_the_status_page_reads_well_on_a_phone_without_sideways_scrolling(
    shop: Shop, browser: Browser
) -> None:
    found, places = _visit_on_a_phone(browser, shop.so1)

    assert found["status"] == 200
    assert found["heading"] == "Order SO-1"
    text = str(found["text"])
    assert "Green lightsaber" in text
    assert "1 still to come: being made in our workshop, ready 24 November 2026" in text
    assert "Shipped 23 November 2026" in text
    assert found["visible"] == {"Green lightsaber": True, "Shipments": True, "Expected": True}
    assert found["viewport_width"] == PHONE["width"]
    assert int(str(found["scroll_width"])) <= PHONE["width"]
    assert int(str(found["body_width"])) <= PHONE["width"]
    assert _only_here(places, shop.url), f"the page loaded something from elsewhere: {places}"


def test_long_names_and_tracking_numbers_wrap_instead_of_widening_the_page(
    shop: Shop, browser: Browser
) -> None:
    found, places = _visit_on_a_phone(browser, shop.so9)

    assert found["status"] == 200
    assert LONG_TRACKING in str(found["text"]).replace("\n", "")
    assert int(str(found["scroll_width"])) <= PHONE["width"]
    assert _only_here(places, shop.url), f"the page loaded something from elsewhere: {places}"


def test_an_unknown_link_shows_the_plain_not_found_page_on_a_phone(shop: Shop, browser: Browser) -> None:
    found, places = _visit_on_a_phone(browser, shop.url + "/status/" + "N" * 43)

    assert found["status"] == 404
    assert found["heading"] == "This link is not valid"
    assert int(str(found["scroll_width"])) <= PHONE["width"]
    assert _only_here(places, shop.url), f"the page loaded something from elsewhere: {places}"
