"""The supply pages' forms in-process, on SQLite and PostgreSQL: each page whole and as an htmx
fragment, refused forms come back 422 with the error beside the field and nothing written,
and each action goes through its service (POST-redirect-GET)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from pegboard.bootstrap import Pegboard
from pegboard.config import Settings
from pegboard.entrypoints import demo
from pegboard.entrypoints.api.app import create_app
from pegboard.services import shipping, users
from pegboard.services.imports import ImportKind
from pegboard.services.tokens import Role
from tests.builders import import_text
from tests.conftest import MONDAY
from tests.e2e.test_api_support import TestClient, row_counts
from tests.invariants import assert_invariants
from tests.smtp_server import SmtpServer

PASSWORD = "correct horse battery staple"
PAGES = (
    "/backorders",
    "/backorders/SABER-GREEN",
    "/production",
    "/production?view=floor",
    "/manufacturing-orders/MO-1",
    "/manufacturing-orders/MO-1/pick-list",
    "/purchasing",
    "/purchase-orders/PO-1",
    "/items",
    "/items/KYBER-GREEN",
    "/plan",
    "/import",
    "/settings",
)


@dataclass
class Web:
    """A signed-in browser-like client on the lightsaber workshop, and its Pegboard."""

    client: TestClient
    pb: Pegboard

    def post(self, path: str, data: dict[str, str] | None = None, **headers: str) -> httpx.Response:
        answer: httpx.Response = self.client.post(
            path, data=data or {}, headers=headers, follow_redirects=False
        )
        return answer


def open_web(db_url: str, **settings: object) -> Iterator[Web]:
    app = create_app(Settings(database_url=db_url, **settings), today=MONDAY)  # type: ignore[arg-type]
    pb: Pegboard = app.state.pegboard
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    for ref in ("SO-1", "SO-3"):
        shipping.ship_order(ref, uow=pb.uow(), clock=pb.clock)
    due = MONDAY + timedelta(days=14)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity\nPO-1,Crystal Broker,KYBER-GREEN,2\n",
    )
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-2,Passing Traders,HILT,5,{due}\n",
    )
    users.create_user("ada", Role.ADMIN, PASSWORD, uow=pb.uow())
    with TestClient(app, base_url="http://testserver", headers={"Origin": "http://testserver"}) as client:
        signed = client.post(
            "/login", data={"username": "ada", "password": PASSWORD, "next": "/"}, follow_redirects=False
        )
        assert signed.status_code == 303
        client.post("/backorders/SABER-GREEN/make", follow_redirects=False)  # MO-1 and MO-2
        yield Web(client, pb)
        assert_invariants(pb.engine)


@pytest.fixture
def web(db_url: str) -> Iterator[Web]:
    yield from open_web(db_url)


def error_beside(html: str, field: str) -> str:
    """The message shown beside a field, which the field points at with aria-describedby."""
    found = re.search(rf'<p class="error-message" id="{re.escape(field)}-error">(.*?)</p>', html, re.DOTALL)
    assert found, f"no error beside {field}"
    assert re.search(rf'id="{re.escape(field)}"[^>]*aria-describedby="[^"]*{re.escape(field)}-error', html)
    return re.sub(r"<[^>]+>", "", found[1]).replace("Error:", "").strip()


def test_every_supply_page_renders_whole_and_as_an_htmx_fragment(web: Web) -> None:
    for path in PAGES:
        whole = web.client.get(path)
        part = web.client.get(path, headers={"HX-Request": "true"})
        assert whole.status_code == 200 and "<html" in whole.text, path
        assert part.status_code == 200 and "<html" not in part.text and part.text.strip(), path


def test_a_receipt_without_a_number_comes_back_with_the_error_beside_the_field_and_writes_nothing(
    web: Web,
) -> None:
    before = row_counts(web.pb)
    answer = web.post("/purchase-orders/PO-1/receive", {"sku": "KYBER-GREEN", "quantity": "two"})

    assert answer.status_code == 422
    html = answer.text
    assert "<title>Error: PO-1" in html and 'role="alert"' in html
    assert error_beside(html, "quantity").startswith("Enter the quantity as a number")
    assert 'value="two"' in html
    assert row_counts(web.pb) == before


def test_receiving_more_than_ordered_is_refused_by_the_service_beside_the_field(web: Web) -> None:
    before = row_counts(web.pb)
    answer = web.post("/purchase-orders/PO-1/receive", {"sku": "KYBER-GREEN", "quantity": "9"})

    assert answer.status_code == 422
    assert error_beside(answer.text, "quantity")
    assert row_counts(web.pb) == before


def test_a_partial_receipt_redirects_to_the_po_which_shows_it(web: Web) -> None:
    answer = web.post("/purchase-orders/PO-1/receive", {"sku": "KYBER-GREEN", "quantity": "1"})

    assert answer.status_code == 303 and answer.headers["location"] == "/purchase-orders/PO-1"
    page = web.client.get("/purchase-orders/PO-1").text
    assert "Received 1 KYBER-GREEN on PO-1" in page and "Partially received" in page
    assert "<strong>ada</strong> receive (1 KYBER-GREEN)" in page


def test_the_htmx_preview_returns_the_reschedule_form_with_the_affected_orders_and_writes_nothing(
    web: Web,
) -> None:
    web.post("/purchase-orders/PO-1/reschedule", {"new_date": (MONDAY + timedelta(days=14)).isoformat()})
    before = row_counts(web.pb)
    later = (MONDAY + timedelta(days=21)).isoformat()

    answer = web.post("/purchase-orders/PO-1/preview", {"new_date": later}, **{"HX-Request": "true"})

    html = answer.text
    assert answer.status_code == 200 and html.lstrip().startswith("<form")
    assert re.findall(r'href="/orders/(SO-\d+)"', html) == ["SO-2"]
    assert "Nothing has been saved yet" in html and f'value="{later}"' in html
    assert row_counts(web.pb) == before


def test_completing_without_materials_names_what_is_missing(web: Web) -> None:
    answer = web.post("/manufacturing-orders/MO-2/complete", {"quantity-MO-2": "2"})

    assert answer.status_code == 422
    assert "KYBER-GREEN" in error_beside(answer.text, "quantity-MO-2")


def test_a_partial_completion_from_the_queue_returns_to_the_queue(web: Web) -> None:
    answer = web.post("/manufacturing-orders/MO-1/complete", {"quantity-MO-1": "1", "back": "/production"})

    assert answer.status_code == 303 and answer.headers["location"] == "/production"
    assert "MO-1: 1 of 1 SABER-GREEN made" in web.client.get("/production").text


def test_edited_suggestions_become_purchase_orders_and_a_negative_quantity_is_refused(web: Web) -> None:
    web.post("/items/EMITTER/count", {"counted": "0"})  # the MOs now need emitters: buy them
    assert "This plan is out of date" in web.client.get("/purchasing").text
    web.post("/plan/run", {"back": "/purchasing"})  # the page's "Run plan"
    page = web.client.get("/purchasing").text
    fields = dict(re.findall(r'name="((?:sku|supplier)-\d+)" value="([^"]*)"', page))
    before = row_counts(web.pb)

    refused = web.post("/purchasing/order", {**fields, "qty-1": "-3"})
    assert refused.status_code == 422 and "0 or more" in error_beside(refused.text, "qty-1")
    assert row_counts(web.pb) == before

    done = web.post("/purchasing/order", {**fields, "qty-1": "4"})
    assert done.status_code == 303
    with web.pb.reader() as uow:
        po = uow.supply.purchase_order("PO-3")
    assert fields["sku-1"] == "EMITTER" and fields["supplier-1"] == "Passing Traders"
    assert po is not None and [(line.sku, line.quantity) for line in po.lines] == [("EMITTER", 4)]


def test_a_count_goes_through_the_stock_service_and_the_ledger_shows_it(web: Web) -> None:
    answer = web.post("/items/HILT/count", {"counted": "7", "reason": "shelf count"})

    assert answer.status_code == 303
    page = web.client.get("/items/HILT").text
    assert "HILT counted: 7 on hand (-3)" in page and "shelf count" in page
    assert "<strong>ada</strong> count (7)" in page


def test_an_admin_creates_a_token_seen_once_and_revokes_it(web: Web) -> None:
    created = web.post("/settings/tokens", {"token_name": "shop", "token_role": "viewer"})
    token = re.search(r'<code id="new-token">([^<]+)</code>', created.text)
    assert token and token[1].startswith("pgb_")
    assert token[1] not in web.client.get("/settings").text

    revoked = web.post("/settings/tokens/shop/revoke")
    assert revoked.status_code == 303
    assert "revoked" in web.client.get("/settings").text
    again = web.post("/settings/tokens/shop/revoke")
    assert again.status_code == 422


def test_a_test_email_reaches_the_mail_server_and_a_bad_address_is_refused(
    sqlite_url: str, smtp_server: SmtpServer
) -> None:
    for web in open_web(sqlite_url, smtp_host=smtp_server.host, smtp_port=smtp_server.port):
        refused = web.post("/settings/test-email", {"address": "not an address"})
        sent = web.post("/settings/test-email", {"address": "ada@example.com"})

        assert refused.status_code == 422 and "Enter an email address" in error_beside(
            refused.text, "address"
        )
        assert sent.status_code == 303
        assert [m.rcpt_tos for m in smtp_server.messages()] == [("ada@example.com",)]


def test_buy_what_is_missing_orders_the_components_a_sku_waits_for(web: Web) -> None:
    web.post("/items/EMITTER/count", {"counted": "0"})

    answer = web.post("/backorders/SABER-GREEN/buy")

    assert answer.status_code == 303 and answer.headers["location"] == "/backorders"
    page = web.client.get("/backorders").text
    assert "SABER-GREEN: ordered PO-3." in page
    with web.pb.reader() as uow:
        po = uow.supply.purchase_order("PO-3")
    assert po is not None and (po.supplier, [line.sku for line in po.lines]) == (
        "Passing Traders",
        ["EMITTER"],
    )


def test_backorders_leave_the_lines_to_each_skus_own_page_which_its_box_loads_when_opened(web: Web) -> None:
    first = web.client.get("/backorders").text
    whole = web.client.get("/backorders/SABER-GREEN")
    lines = web.client.get("/backorders/SABER-GREEN", headers={"HX-Request": "true"})
    nothing = web.client.get("/backorders/KYBER-BLUE")
    unknown = web.client.get("/backorders/NO-SUCH-SKU")

    assert 'hx-get="/backorders/SABER-GREEN"' in first and 'href="/backorders/SABER-GREEN"' in first
    assert "3 units for 2 orders" in first and 'href="/orders/SO-2"' not in first
    assert whole.status_code == 200 and "3 units for 2 orders" in whole.text
    assert 'href="/orders/SO-1"' in whole.text and 'href="/orders/SO-2"' in whole.text
    assert "Make what you can" in whole.text and "Buy what is missing" in whole.text
    assert lines.status_code == 200 and "<html" not in lines.text and "Make what you can" not in lines.text
    assert 'href="/orders/SO-1"' in lines.text and 'href="/orders/SO-2"' in lines.text
    assert nothing.status_code == 200 and "Nothing waits for KYBER-BLUE" in nothing.text
    assert unknown.status_code == 404 and "NO-SUCH-SKU" in unknown.text


def test_buying_when_nothing_is_missing_is_refused_beside_the_sku(web: Web) -> None:
    before = row_counts(web.pb)

    answer = web.post("/backorders/SABER-GREEN/buy")

    assert answer.status_code == 422 and 'id="sku-SABER-GREEN"' in answer.text
    assert "suggests nothing" in answer.text
    assert row_counts(web.pb) == before


def test_after_a_write_the_supply_pages_say_the_plan_is_out_of_date_and_run_plan_brings_it_back(
    web: Web,
) -> None:
    web.post("/items/HILT/count", {"counted": "1"})
    for path in ("/production", "/purchasing", "/plan"):
        assert "This plan is out of date" in web.client.get(path).text, path

    answer = web.post("/plan/run", {"back": "/production"})

    assert answer.status_code == 303 and answer.headers["location"] == "/production"
    for path in ("/production", "/purchasing", "/plan"):
        page = web.client.get(path).text
        assert "This plan is out of date" not in page and "nothing it reads has changed since" in page, path
