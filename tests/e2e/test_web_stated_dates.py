"""The stated date beside the promised one, in Chromium on SQLite and PostgreSQL: when a
supplier's history moves a promise off the date its PO states, the order page and the backorders
pages say both ("PO-8 due 30 November; promised 2 December"), and `whatif --json` names the
stated dates of the lines it makes late; a promise nothing moved shows no stated date."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from pegboard.bootstrap import bootstrap
from pegboard.config import Settings
from pegboard.domain.quantities import to_quantity
from pegboard.services import orders, planning
from pegboard.services.imports import ImportKind
from tests.builders import import_text
from tests.conftest import MONDAY
from tests.e2e.web_support import TODAY, Workshop, assert_accessible, chromium, served_workshop, signed_in
from tests.integration.services.test_reliable_promises import history, on

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)

DUE = MONDAY + timedelta(days=7)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workshop]:
    """The demo's orders shipped; Crystal Broker's last five blue crystals came 2 days after the
    date their POs stated; PO-8 brings 20 blue crystals on DUE; SO-9 waits for 20; planned."""
    assert MONDAY.isoformat() == TODAY
    with served_workshop(request.param, tmp_path_factory.mktemp("web-stated"), steps=3) as served:
        pb = bootstrap(Settings(database_url=served.db), today=MONDAY)
        try:
            history(pb, "KYBER-BLUE", "Crystal Broker", receipts=5, stated=10, took=12)
            on(pb, MONDAY)
            import_text(
                pb,
                ImportKind.PURCHASE_ORDERS,
                f"po_ref,supplier,sku,quantity,expected_date\nPO-8,Crystal Broker,KYBER-BLUE,20,{DUE}\n",
            )
            on_hand = Decimal(json.loads(served.cli("stock", "KYBER-BLUE", "--json"))["available"])
            line = orders.LineDraft("KYBER-BLUE", to_quantity(int(on_hand) + 5))
            orders.place_order(
                orders.OrderDraft(order_ref="SO-9", customer="Rey", lines=(line,)),
                uow=pb.uow(),
                clock=pb.clock,
            )
            planning.run_plan(uow=pb.uow(), clock=pb.clock)
        finally:
            pb.close()
        yield served


@pytest.fixture(scope="module")
def browser(shop: Workshop) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_the_order_and_backorders_pages_show_the_stated_date_beside_the_promised_one(
    browser: Browser, shop: Workshop
) -> None:
    words = "PO-8 due 30 November; promised 2 December"

    with signed_in(browser, shop, "viewer", viewport={"width": 1280, "height": 900}) as page:
        page.goto(shop.url + "/orders/SO-9")
        promise = page.get_by_role("row").filter(has_text="KYBER-BLUE").inner_text()
        assert "2 December" in promise and words in promise
        assert_accessible(page)

        page.goto(shop.url + "/orders/SO-2")
        assert "promised" not in page.get_by_role("row").filter(has_text="SABER-GREEN").inner_text()

        page.goto(shop.url + "/backorders/KYBER-BLUE")
        waiting = page.get_by_role("table", name="Lines waiting for KYBER-BLUE")
        assert words in waiting.get_by_role("row").filter(has_text="SO-9").inner_text()


def test_whatif_json_names_the_stated_dates_of_the_lines_it_makes_late(shop: Workshop) -> None:
    found = json.loads(shop.cli("whatif", "--late", "PO-8:+3", "--json"))

    [late] = [o for o in found["late_orders"] if o["order_ref"] == "SO-9"]
    [line] = late["lines"]
    assert (line["from"], line["to"]) == ("2026-12-02", "2026-12-05")
    assert (line["stated_from"], line["stated_to"]) == ("2026-11-30", "2026-12-03")


def test_a_skus_waiting_lines_fit_a_phone_with_the_stated_date_beside_the_promise(
    browser: Browser, shop: Workshop
) -> None:
    with signed_in(browser, shop, "viewer", viewport={"width": 375, "height": 800}) as page:
        page.goto(shop.url + "/backorders/KYBER-BLUE")
        waiting = page.get_by_role("table", name="Lines waiting for KYBER-BLUE")
        promise = waiting.get_by_role("cell").filter(has_text="promised 2 December")
        card, cell = page.locator(".table-wrap").bounding_box(), promise.bounding_box()

        assert card is not None and cell is not None
        assert cell["x"] + cell["width"] <= card["x"] + card["width"]
        assert_accessible(page)
