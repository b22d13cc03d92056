"""An MO whose crystals come late, in Chromium on SQLite and PostgreSQL: its page and its /production
row say the dates the materials allow and why, with the dates the user gave it still shown, at
phone and desktop width."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

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

DAY = date.fromisoformat(TODAY)
#: PO-1's two green crystals; MO-1 makes three sabers with the one crystal on hand and these two.
DUE = DAY + timedelta(days=14)
WAITING = f"waiting for KYBER-GREEN on PO-1 due {DUE}"


def long_day(day: date) -> str:
    """A date of this year as the pages write it ("7 December")."""
    return f"{day.day} {day:%B}"


def late_crystals(workshop: Workshop, folder: Path) -> None:
    """MO-1 for 3 green sabers opened today (its own finish tomorrow), PO-1 of 2 green crystals
    due in 14 days, and a plan run that kept the dates."""
    path = folder / "po.csv"
    path.write_text(f"po_ref,supplier,sku,quantity,expected_date\nPO-1,Crystal Broker,KYBER-GREEN,2,{DUE}\n")
    workshop.cli("import", "purchase-orders", str(path))
    workshop.cli("make", "SABER-GREEN", "3")
    workshop.cli("plan")


#: The demo after its first shipments, with `late_crystals`.
workshop = served_on_each_database("web-late-materials", steps=3, prepare=late_crystals)


def texts(browser: Browser, workshop: Workshop, path: str, width: int, *selectors: str) -> list[str]:
    """The text of each of `selectors` on the page at `path`, seen by the viewer `width` px wide;
    the page is kept as a screenshot, checked by axe-core and must not scroll sideways."""
    with signed_in(browser, workshop, "viewer", viewport={"width": width, "height": 900}) as page:
        page.goto(workshop.url + path)
        found = [page.locator(selector).inner_text() for selector in selectors]
        screenshot(page, f"{path.strip('/').replace('/', '-')}-late-materials-{width}-{workshop.kind}")
        assert_accessible(page)
        sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert sideways <= 0, f"{path} scrolls sideways by {sideways} px at {width} px"
    return found


@pytest.mark.parametrize("width", [375, 1280])
def test_the_mo_page_says_the_date_its_materials_allow_beside_its_own(
    browser: Browser, workshop: Workshop, width: int
) -> None:
    facts, allowed = texts(
        browser, workshop, "/manufacturing-orders/MO-1", width, "dl.facts", "#materials-allow"
    )

    assert long_day(DAY + timedelta(days=1)) in facts  # the finish the user gave it stays
    assert f"Finish {long_day(DUE + timedelta(days=1))} (start {long_day(DUE)})" in allowed
    assert WAITING in allowed


@pytest.mark.parametrize("width", [375, 1280])
def test_the_production_row_says_why_and_keeps_the_mos_own_dates(
    browser: Browser, workshop: Workshop, width: int
) -> None:
    [row] = texts(browser, workshop, "/production", width, "#row-MO-1")

    assert f"Late because\nMaterials come late: {WAITING}" in row
    assert f"start {long_day(DAY)}, finish {long_day(DAY + timedelta(days=1))}" in row
    assert long_day(DUE + timedelta(days=1)) in row  # the plan's finish, as the materials allow


def test_an_mo_whose_materials_are_on_hand_shows_no_materials_line(
    browser: Browser, workshop: Workshop
) -> None:
    workshop.cli("make", "SABER-BLUE", "1")
    with signed_in(browser, workshop, "viewer") as page:
        page.goto(workshop.url + "/manufacturing-orders/MO-2")

        assert page.locator("#materials-allow").count() == 0
        assert "Late because" not in page.locator("main").inner_text()


def test_the_pick_list_shows_what_is_missing_within_a_phones_width(
    browser: Browser, workshop: Workshop
) -> None:
    with signed_in(browser, workshop, "viewer", viewport={"width": 375, "height": 900}) as page:
        page.goto(workshop.url + "/manufacturing-orders/MO-1")
        picks = page.get_by_role("table", name="Components to take from stock for the 3 still to make")
        missing = picks.get_by_role("cell").filter(has_text="Short by")
        card, cell = page.locator(".table-wrap").last.bounding_box(), missing.first.bounding_box()
        screenshot(page, f"manufacturing-order-picks-375-{workshop.kind}")

        assert card is not None and cell is not None
        assert cell["x"] + cell["width"] <= card["x"] + card["width"]
