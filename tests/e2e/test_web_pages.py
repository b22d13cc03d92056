"""Every page of the web app: whole without htmx and a fragment with it, no serious or critical
axe-core finding, no sideways scrolling on a 375 px phone, and a screenshot at 375 and 1280 px
kept under tests/artefacts/ (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from pegboard.entrypoints.web.assets import node_modules
from tests.e2e.web_support import (
    ARTEFACTS,
    QUIET,
    Workshop,
    served_on_each_database,
    signed_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = QUIET

#: Every page a signed-in person can open in the demo after its first shipments.
PAGES = (
    "/",
    "/orders",
    "/orders/new",
    "/orders/SO-1",
    "/orders/SO-1/cancel",
    "/orders/SO-1/shipments/SO-1-S1",
    "/backorders",
    "/production",
    "/purchasing",
    "/items",
    "/plan",
    "/import",
    "/reports",
    "/settings",
)
WIDTHS = (375, 1280)
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id}: ${v.help} at ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
}"""


shop = served_on_each_database("web-pages", steps=3)


@pytest.fixture(scope="module")
def axe_script() -> Path:
    folder = node_modules(os.environ.get("PEGBOARD_ASSETS_DIR"))
    script = None if folder is None else folder / "axe-core" / "axe.min.js"
    if script is None or not script.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail("axe-core is required in CI; `make install` runs npm ci")
        pytest.skip("axe-core is not installed (npm ci)")
    return script


def _name(path: str) -> str:
    return path.strip("/").replace("/", "_") or "today"


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_whole_without_htmx_and_only_its_fragment_with_it(shop: Workshop, path: str) -> None:
    cookies = shop.cookies("boss")

    whole = httpx.get(shop.url + path, cookies=cookies)
    part = httpx.get(shop.url + path, cookies=cookies, headers={"HX-Request": "true"})

    assert whole.status_code == 200, whole.text
    assert whole.text.lstrip().startswith("<!doctype html>") and 'aria-label="Main"' in whole.text
    assert part.status_code == 200, part.text
    assert "<html" not in part.text and 'aria-label="Main"' not in part.text and part.text.strip()


def _check(page: Page, axe: Path, label: str, folder: Path) -> list[str]:
    problems: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{label}-{width}.png"), full_page=True)
        if width == 375:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{label}: scrolls sideways by {overflow} px at 375 px")
    page.add_script_tag(path=str(axe))
    problems += [f"{label}: {finding}" for finding in page.evaluate(SERIOUS)]
    return problems


def test_every_page_passes_axe_fits_a_phone_and_is_screenshotted(
    shop: Workshop, browser: Browser, axe_script: Path
) -> None:
    folder = ARTEFACTS / "screenshots" / shop.kind
    folder.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(shop.url + "/login")
        problems += _check(page, axe_script, "login", folder)
    finally:
        context.close()
    with signed_in(browser, shop, "boss") as page:
        for path in PAGES:
            response = page.goto(shop.url + path)
            assert response is not None and response.status == 200, path
            problems += _check(page, axe_script, _name(path), folder)
        page.goto(shop.url + "/orders/new")
        page.get_by_role("button", name="Place order").click()
        problems += _check(page, axe_script, "orders_new-refused", folder)

    assert not problems, "\n".join(problems)
    assert len(list(folder.glob("*.png"))) >= 2 * (len(PAGES) + 2)
