"""Every supply page in Chromium at phone and desktop width, checked by axe-core and kept as a
screenshot; the item page reads without JavaScript; the viewer sees no write control and is
refused; a bad CSV is shown by row, column and value with nothing written (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.web_support import (
    QUIET,
    TODAY,
    Workshop,
    assert_accessible,
    screenshot,
    served_on_each_database,
    signed_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = QUIET

PAGES = {
    "backorders": "/backorders",
    "production": "/production",
    "shop-floor": "/production?view=floor",
    "manufacturing-order": "/manufacturing-orders/MO-1",
    "pick-list": "/manufacturing-orders/MO-1/pick-list",
    "purchasing": "/purchasing",
    "purchase-order": "/purchase-orders/PO-1",
    "items": "/items",
    "item": "/items/KYBER-GREEN",
    "plan": "/plan",
    "import": "/import",
    "settings": "/settings",
}


def open_supply(workshop: Workshop, folder: Path) -> None:
    """An open MO (MO-1), a crystal PO (PO-1) due in 14 days, and no emitter left (so the plan
    suggests buying some)."""
    workshop.cli("make", "SABER-GREEN", "1")
    due = date.fromisoformat(TODAY) + timedelta(days=14)
    path = folder / "po.csv"
    path.write_text(f"po_ref,supplier,sku,quantity,expected_date\nPO-1,Crystal Broker,KYBER-GREEN,2,{due}\n")
    workshop.cli("import", "purchase-orders", str(path))
    workshop.cli("adjust", "EMITTER", "0", "--reason", "dropped the box")


#: The demo after its first shipments, with `open_supply`.
workshop = served_on_each_database("web-supply", steps=3, prepare=open_supply)


@pytest.mark.parametrize("width", [375, 1280])
def test_every_supply_page_reads_well_and_passes_axe(
    browser: Browser, workshop: Workshop, width: int
) -> None:
    with signed_in(browser, workshop, "boss", viewport={"width": width, "height": 900}) as page:
        for name, path in PAGES.items():
            response = page.goto(workshop.url + path)
            assert response is not None and response.status == 200, path
            if name == "item":
                page.get_by_role("img", name="Projected stock").wait_for()
            screenshot(page, f"{name}-{width}-{workshop.kind}")
            assert_accessible(page)
            sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert sideways <= 0, f"{path} scrolls sideways by {sideways} px at {width} px"


def test_the_item_page_reads_without_javascript_with_its_projection_as_a_table(
    browser: Browser, workshop: Workshop
) -> None:
    with signed_in(browser, workshop, "viewer", java_script_enabled=False) as page:
        page.goto(workshop.url + "/items/KYBER-GREEN")

        table = page.get_by_role("table", name="Projected stock by date")
        assert "Available after" in table.inner_text()
        assert page.get_by_role("img", name="Projected stock").count() == 0  # the chart box stays hidden


def test_a_viewer_sees_no_write_control_and_their_writes_are_refused(
    browser: Browser, workshop: Workshop
) -> None:
    with signed_in(browser, workshop, "viewer") as page:
        for path in ("/backorders", "/production", "/purchase-orders/PO-1", "/plan", "/items/KYBER-GREEN"):
            page.goto(workshop.url + path)
            for name in (
                "Receive",
                "Reschedule",
                "Preview",
                "Save",
                "Complete",
                "Run plan",
                "Confirm suggestions",
            ):
                assert page.get_by_role("button", name=name, exact=True).count() == 0, (path, name)
        answer = page.request.post(workshop.url + "/plan/run", headers={"Origin": workshop.url})
        assert answer.status == 403
        settings = page.goto(workshop.url + "/settings")
        assert settings is not None and settings.status == 403


def test_a_bad_csv_is_listed_by_row_column_and_value_and_nothing_is_written(
    browser: Browser, workshop: Workshop, tmp_path: Path
) -> None:
    bad = tmp_path / "stock.csv"
    bad.write_text("sku,quantity\nHILT,7\nEMITTER,lots\n")
    before = workshop.cli("stock", "HILT", "--json")
    with signed_in(browser, workshop, "op") as page:
        page.goto(workshop.url + "/import")
        page.get_by_label("What the file holds").select_option("stock")
        page.get_by_label("CSV file").set_input_files(str(bad))
        page.get_by_role("button", name="Import").click()

        assert page.title().startswith("Error: ")
        problems = page.get_by_role("table", name="Each problem by line, row, column and value")
        cells = problems.get_by_role("row").nth(1).get_by_role("cell").all_inner_texts()
        assert cells[:3] == ["line 3, row 2", "quantity", "lots"]
        expect(page.get_by_role("alert")).to_be_visible()
        screenshot(page, f"import-error-1280-{workshop.kind}")
        assert_accessible(page)
    assert workshop.cli("stock", "HILT", "--json") == before


def test_a_cross_site_post_is_refused(workshop: Workshop) -> None:
    answer = httpx.post(
        workshop.url + "/plan/run", headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    )
    assert answer.status_code == 403


def test_confirming_suggestions_shows_it_is_working_and_is_sent_once(
    browser: Browser, workshop: Workshop
) -> None:
    """At a large workshop the answer takes a while: the button is disabled and the page says so."""
    with signed_in(browser, workshop, "op") as page:
        page.goto(workshop.url + "/plan")
        # The page's own handlers run first; this one, added after them, counts the submissions
        # they let go and holds each (as a slow answer would), so nothing is written.
        page.evaluate(HOLD_SUBMISSIONS)
        button = page.get_by_role("button", name="Confirm suggestions")
        button.click()

        assert button.is_disabled()
        # Nor can a plan run be started meanwhile: it would wait on the same work.
        assert page.get_by_role("button", name="Run plan").is_disabled()
        status = page.get_by_role("status").filter(has_text="Confirming suggestions")
        assert "takes a while" in status.inner_text()
        expect(status).to_be_visible()
        screenshot(page, f"plan-confirming-1280-{workshop.kind}")
        assert_accessible(page)
        # Sent again (by a script: the disabled button cannot be clicked), it is refused.
        page.evaluate("document.querySelector('form[action=\"/plan/confirm\"]').requestSubmit()")
        page.evaluate("document.querySelector('form[action=\"/plan/run\"]').requestSubmit()")
        assert page.evaluate("window.submissions") == 1


#: Counts the submissions no earlier handler refused, and keeps the page where it is.
HOLD_SUBMISSIONS = """document.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) window.submissions = (window.submissions || 0) + 1;
    event.preventDefault();
})"""
