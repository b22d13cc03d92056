"""Every supply page in Chromium at phone and desktop width, checked by axe-core and kept as a
screenshot; the viewer sees no write control and is refused; a bad CSV is shown by row."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.web_support import PASSWORD, Served, assert_accessible, browser, screenshot, served, sign_in

__all__ = ["browser", "served"]

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)

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


@pytest.fixture(scope="module")
def workshop(served: Served) -> Served:
    """The demo after its first shipments, with an open MO (MO-1) and a crystal PO (PO-1) due in 14 days."""
    served.cli("make", "SABER-GREEN", "1")
    due = date.today() + timedelta(days=14)
    path = (
        served.db.removeprefix("sqlite:///") + ".po.csv" if served.db.startswith("sqlite") else "/tmp/po.csv"
    )
    with open(path, "w") as po:
        po.write(f"po_ref,supplier,sku,quantity,expected_date\nPO-1,Crystal Broker,KYBER-GREEN,2,{due}\n")
    served.cli("import", "purchase-orders", path)
    return served


@pytest.mark.parametrize("width", [375, 1280])
def test_every_supply_page_reads_well_and_passes_axe(browser: Any, workshop: Served, width: int) -> None:
    page = sign_in(browser, workshop, "ada", width=width)
    for name, path in PAGES.items():
        response = page.goto(workshop.url + path)
        assert response is not None and response.status == 200, path
        if name == "item":
            page.get_by_role("img", name="Projected stock").wait_for()
        screenshot(page, f"{name}-{width}")
        assert_accessible(page)
    page.context.close()


def test_the_item_page_reads_without_javascript_with_its_projection_as_a_table(
    browser: Any, workshop: Served
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(workshop.url + "/login")
    page.get_by_label("Username").fill("vera")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(workshop.url + "/items/KYBER-GREEN")

    table = page.get_by_role("table", name="Projected stock by date")
    assert "Available after" in table.inner_text()
    assert page.get_by_role("img", name="Projected stock").count() == 0  # the chart box stays hidden
    context.close()


def test_a_viewer_sees_no_write_control_and_their_writes_are_refused(browser: Any, workshop: Served) -> None:
    page = sign_in(browser, workshop, "vera")
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
    page.context.close()


def test_a_bad_csv_is_listed_by_row_column_and_value_and_nothing_is_written(
    browser: Any, workshop: Served, tmp_path: Any
) -> None:
    page = sign_in(browser, workshop, "otto")
    bad = tmp_path / "stock.csv"
    bad.write_text("sku,quantity\nHILT,7\nEMITTER,lots\n")
    before = workshop.cli("stock", "HILT", "--json")

    page.goto(workshop.url + "/import")
    page.get_by_label("What the file holds").select_option("stock")
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()

    assert page.title().startswith("Error: ")
    problems = page.get_by_role("table", name="Each problem by line, row, column and value")
    cells = problems.get_by_role("row").nth(1).get_by_role("cell").all_inner_texts()
    assert cells[:4] == ["3", "2", "quantity", "lots"]
    assert page.get_by_role("alert").is_visible()
    assert workshop.cli("stock", "HILT", "--json") == before
    screenshot(page, "import-error-1280")
    assert_accessible(page)
    page.context.close()


def test_a_cross_site_post_is_refused(workshop: Served) -> None:
    answer = httpx.post(
        workshop.url + "/plan/run", headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    )
    assert answer.status_code == 403
