"""The lightsaber story clicked through the supply pages in Chromium, on SQLite and PostgreSQL:
run and confirm the plan, complete the MO, give the crystal PO its date, preview its slip
(only SO-2 moves, nothing written), save, receive, make the sabers, and SO-2 ships."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

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
    from playwright.sync_api import Browser, Page

pytestmark = QUIET


shop = served_on_each_database("web-story", steps=3)


def words(day: date) -> str:
    """A date as the pages write it this year: "7 December"."""
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]  # fmt: skip
    return f"{day.day} {months[day.month - 1]}"


def flash(page: Page) -> str:
    return str(page.get_by_role("status").first.inner_text())


def test_the_lightsaber_story_runs_through_the_supply_pages(browser: Browser, shop: Workshop) -> None:
    with signed_in(browser, shop, "op") as page:
        story(page, shop)


def story(page: Page, served: Workshop) -> None:
    today = date.fromisoformat(TODAY)

    # Backorders: SO-1 waits for 1 green saber, SO-2 for 2.
    page.goto(served.url + "/backorders")
    green = page.get_by_role("region", name="SABER-GREEN Green lightsaber")
    assert "3 units for 2 orders" in green.inner_text()
    green.get_by_text("2 waiting lines").click()  # the box loads its lines when opened
    lines = green.get_by_role("table", name="Lines waiting for SABER-GREEN")
    lines.get_by_role("link", name="SO-2").wait_for()
    assert lines.get_by_role("link").all_inner_texts() == ["SO-1", "SO-2"]
    screenshot(page, f"story-backorders-{served.kind}")
    assert_accessible(page)

    # Run and confirm the plan: a PO for the crystals and two MOs.
    page.goto(served.url + "/plan")
    page.get_by_role("button", name="Run plan").click()
    assert "Plan run" in flash(page)
    page.get_by_role("button", name="Confirm suggestions").click()
    assert "Created PO-1, MO-1, MO-2" in flash(page)

    # Complete the MO that uses the crystal on hand: SO-1's saber.
    page.goto(served.url + "/manufacturing-orders/MO-1")
    assert "KYBER-GREEN" in page.get_by_role("table").inner_text()
    page.get_by_role("button", name="Complete", exact=True).click()
    assert "MO-1: 1 of 1 SABER-GREEN made" in flash(page)

    # Enter the crystal PO's date: due in 14 days.
    due = today + timedelta(days=14)
    page.goto(served.url + "/purchase-orders/PO-1")
    page.get_by_label("New expected date").fill(due.isoformat())
    page.get_by_role("button", name="Save").click()
    assert f"PO-1 is now expected {words(due)}" in flash(page)

    # Preview a week's slip: only SO-2 moves, and nothing is written.
    before = (served.cli("supply", "--json"), served.count("expected_date_changes"), served.count("outbox"))
    page.get_by_label("New expected date").fill((due + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("status").filter(has_text="If PO-1 comes")
    preview.wait_for()
    assert [link.inner_text() for link in preview.get_by_role("link").all()] == ["SO-2"]
    assert words(due + timedelta(days=8)) in preview.inner_text()
    assert (
        served.cli("supply", "--json"),
        served.count("expected_date_changes"),
        served.count("outbox"),
    ) == before
    screenshot(page, f"story-po-preview-{served.kind}")

    # Save it; then the crystals come in.
    page.get_by_role("button", name="Save").click()
    assert "PO-1 is now expected" in flash(page)
    page.get_by_label("Quantity received").fill("2")
    page.get_by_role("button", name="Receive").click()
    assert "Received 2 KYBER-GREEN on PO-1" in flash(page)
    assert "Received" in page.get_by_role("table").inner_text()

    # Make SO-2's two sabers; SO-2 ships and no backorder is left.
    page.goto(served.url + "/manufacturing-orders/MO-2")
    page.get_by_role("button", name="Complete", exact=True).click()
    assert "MO-2: 2 of 2 SABER-GREEN made" in flash(page)
    page.goto(served.url + "/orders/SO-2")
    page.get_by_role("button", name="Ship", exact=True).click()
    page.wait_for_url(served.url + "/orders/SO-2")
    assert page.get_by_role("button", name="Ship", exact=True).count() == 0
    page.goto(served.url + "/backorders")
    assert "Nothing is on backorder" in page.get_by_role("main").inner_text()
    assert_accessible(page)
