"""The what-if page beside the plan: a scenario form, its answer as tables, errors beside the fields,
and nothing written (SQLite and PostgreSQL, in Chromium)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from pegboard.adapters.db import tables as t
from tests.e2e.web_support import (
    QUIET,
    Workshop,
    assert_accessible,
    served_on_each_database,
    signed_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = QUIET

#: Two green crystals for SO-2, due 7 December (today is 23 November).
CRYSTAL_PO = (
    "po_ref,supplier,sku,quantity,expected_date,unit_cost\nPO-K,Crystal Broker,KYBER-GREEN,2,2026-12-07,400\n"
)


def crystal_po(workshop: Workshop, folder: Path) -> None:
    """A crystal PO for SO-2 and a plan run."""
    path = folder / "pos.csv"
    path.write_text(CRYSTAL_PO)
    workshop.cli("import", "purchase-orders", str(path))
    workshop.cli("plan")


#: The demo after making the green saber, with `crystal_po`.
workshop = served_on_each_database("web-whatif", steps=4, prepare=crystal_po)


def counts(workshop: Workshop) -> dict[str, int]:
    return {table: workshop.count(table) for table in sorted(t.metadata.tables)}


def test_a_late_crystal_po_tried_from_the_plan_page_names_the_order_it_makes_late(
    browser: Browser, workshop: Workshop
) -> None:
    with signed_in(browser, workshop, "viewer") as page:
        page.goto(workshop.url + "/plan")
        before = counts(workshop)  # once signed in: the session row is there
        page.get_by_role("link", name="Try a what-if scenario").click()

        page.get_by_label("Late supply").fill("PO-K:+7")
        page.get_by_role("button", name="Try scenario").click()

        late = page.get_by_role("table", name="Orders that go late, from which date to which")
        assert "SO-2" in late.inner_text() and "15 December" in late.inner_text()
        assert "SO-1" not in late.inner_text()
        expect(page.get_by_text("Nothing was written.")).to_be_visible()
        assert_accessible(page)
        assert counts(workshop) == before


def try_scenario(page: Page, boxes: dict[str, str]) -> int:
    """Fill the scenario boxes named by their labels and try it: the answer's status."""
    for label, entry in boxes.items():
        page.get_by_label(label).fill(entry)
    with page.expect_response(lambda r: "/plan/whatif?" in r.url) as answer:
        page.get_by_role("button", name="Try scenario").click()
    return answer.value.status


def test_an_unknown_po_comes_back_beside_its_field_with_422(browser: Browser, workshop: Workshop) -> None:
    with signed_in(browser, workshop, "viewer") as page:
        page.goto(workshop.url + "/plan/whatif")
        before = counts(workshop)

        status = try_scenario(page, {"Late supply": "PO-404:+7"})

        assert status == 422
        assert page.title().startswith("Error: ")
        expect(page.get_by_role("alert")).to_be_visible()
        assert "PO-404" in page.locator("#late-error").inner_text()
        assert page.get_by_label("Late supply").input_value() == "PO-404:+7"
        assert counts(workshop) == before


def test_every_field_with_a_bad_entry_shows_its_own_error_at_once(
    browser: Browser, workshop: Workshop
) -> None:
    with signed_in(browser, workshop, "viewer") as page:
        page.goto(workshop.url + "/plan/whatif")
        before = counts(workshop)

        boxes = {
            "Demand rise": "SABER-GREEN:+lots",
            "Late supply": "PO-K:soon",
            "Extra order": "SABER-BLUE:-3",
        }
        status = try_scenario(page, boxes)

        assert status == 422
        assert "+lots" in page.locator("#demand-error").inner_text()
        assert "soon" in page.locator("#late-error").inner_text()
        assert "-3" in page.locator("#order-error").inner_text()
        assert page.get_by_label("Extra order").get_attribute("aria-invalid") == "true"
        assert_accessible(page)
        assert counts(workshop) == before


def test_an_unknown_sku_and_an_unknown_po_each_come_back_beside_their_field(
    browser: Browser, workshop: Workshop
) -> None:
    with signed_in(browser, workshop, "viewer") as page:
        page.goto(workshop.url + "/plan/whatif")

        status = try_scenario(page, {"Demand rise": "NO-SUCH-SABER:+50%", "Late supply": "PO-404:+7"})

        assert status == 422
        assert "NO-SUCH-SABER" in page.locator("#demand-error").inner_text()
        assert "PO-404" in page.locator("#late-error").inner_text()
        assert page.locator("#order-error").count() == 0


def test_each_scenario_box_spans_the_form_so_a_dated_entry_shows_whole(
    browser: Browser, workshop: Workshop
) -> None:
    with signed_in(browser, workshop, "viewer") as page:
        page.goto(workshop.url + "/plan/whatif")
        form = page.locator("form.form-panel").bounding_box()

        for label in ("Demand rise", "Late supply", "Extra order"):
            box = page.get_by_label(label).bounding_box()
            assert form is not None and box is not None
            assert box["width"] > 0.8 * form["width"], label
