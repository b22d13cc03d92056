"""The Reports page in a real browser: four charts with their accessible names and tables,
axe-core clean, and a bad filter refused beside its field (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import expect

from pegboard.entrypoints.web.assets import node_modules
from tests.e2e.web_support import (
    ARTEFACTS,
    QUIET,
    Workshop,
    served_on_each_database,
    signed_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = QUIET

CHARTS = ("Open backorders by day", "Backorders by age", "Promise accuracy by week", "Supplier reliability")
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id}: ${v.help} at ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
}"""


shop = served_on_each_database("web-reports", steps=3)


def _axe() -> Path:
    folder = node_modules(os.environ.get("PEGBOARD_ASSETS_DIR"))
    script = None if folder is None else folder / "axe-core" / "axe.min.js"
    if script is None or not script.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail("axe-core is required in CI; `make install` runs npm ci")
        pytest.skip("axe-core is not installed (npm ci)")
    return script


def test_reports_draws_four_named_charts_with_tables_and_passes_axe(shop: Workshop, browser: Browser) -> None:
    with signed_in(browser, shop, "viewer") as page:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
        page.wait_for_url("**/reports")

        for name in CHARTS:
            chart = page.get_by_role("img", name=name)
            chart.wait_for(state="visible")
            assert chart.bounding_box() is not None
        expect(page.get_by_role("table", name="Key figures")).to_be_visible()
        expect(page.get_by_role("table", name="Open backorder lines by age")).to_be_visible()
        folder = ARTEFACTS / "screenshots" / shop.kind
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "reports-1280.png"), full_page=True)
        page.add_script_tag(path=str(_axe()))
        problems = page.evaluate(SERIOUS)

    assert not problems, "\n".join(problems)


def test_a_bad_date_or_unknown_sku_is_refused_beside_its_field(shop: Workshop, browser: Browser) -> None:
    cookies = shop.cookies("viewer")

    bad_date = httpx.get(shop.url + "/reports", params={"from": "2026-13-01"}, cookies=cookies)
    reversed_period = httpx.get(
        shop.url + "/reports", params={"from": "2026-11-20", "to": "2026-11-01"}, cookies=cookies
    )
    unknown = httpx.get(shop.url + "/reports", params={"sku": "TEAPOT"}, cookies=cookies)

    assert bad_date.status_code == 422 and 'id="from-error"' in bad_date.text
    assert reversed_period.status_code == 422 and 'id="from-error"' in reversed_period.text
    assert unknown.status_code == 422 and 'id="sku-error"' in unknown.text and "TEAPOT" in unknown.text
    with signed_in(browser, shop, "viewer") as page:
        page.goto(shop.url + "/reports?sku=TEAPOT")
        expect(page.get_by_role("alert")).to_be_visible()
        assert page.get_by_label("SKU").get_attribute("aria-invalid") == "true"
