"""The customer's order-status page, and issuing and revoking its links through REST and the CLI."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser

import pytest

from pegboard.bootstrap import Pegboard
from pegboard.domain.items import Item, Procurement, Supplier
from pegboard.entrypoints import demo
from pegboard.entrypoints.cli import main
from pegboard.services import catalogue, planning, shipping, status_links
from pegboard.services.imports import ImportKind
from pegboard.services.status_links import order_ref_for_link
from pegboard.views.status import order_status
from tests.builders import import_text, make_items, make_order
from tests.e2e.test_api_support import Api, assert_error, open_api, row_counts

TRACKING = "1Z999AA10123456784"
PRIVATE = {"cache-control": "no-store", "referrer-policy": "no-referrer", "x-robots-tag": "noindex"}
#: Every order and customer of the lightsaber workshop: a page must show only its own.
ORDERS = {"SO-1": "Luke", "SO-2": "Leia", "SO-3": "Han"}


class _Page(HTMLParser):
    """The visible text of a page, as a whole and per element id (style and script left out)."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "source"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self.open: list[tuple[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append((tag, dict(attrs).get("id")))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if any(tag in ("style", "script") for tag, _ in self.open):
            return
        self.chunks.append(data)
        for _, ident in self.open:
            if ident:
                self.by_id.setdefault(ident, []).append(data)

    @property
    def text(self) -> str:
        return _squeeze(" ".join(self.chunks))

    def of(self, ident: str) -> str:
        return _squeeze(" ".join(self.by_id[ident]))


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url, public_url="https://shop.example/")


@pytest.fixture
def workshop(api: Api) -> Api:
    """The lightsaber workshop after SO-1's partial shipment (tracked) and SO-3's, then a plan run."""
    pb = api.pb
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    shipping.ship_order("SO-1", tracking=TRACKING, uow=pb.uow(), clock=pb.clock)
    shipping.ship_order("SO-3", uow=pb.uow(), clock=pb.clock)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    return api


def _link(pb: Pegboard, order_ref: str) -> str:
    return status_links.issue_link(order_ref, uow=pb.uow())


def _page(api: Api, token: str, **headers: str) -> tuple[int, _Page, str]:
    response = api.client.get(f"/status/{token}", headers=headers)
    return response.status_code, _Page(response.text), response.text


# --- what the page shows ----------------------------------------------------------------------


def test_the_page_shows_the_lines_what_shipped_with_tracking_and_when_the_rest_comes(workshop: Api) -> None:
    token = _link(workshop.pb, "SO-1")

    status, page, _ = _page(workshop, token)

    assert status == 200
    assert "Order SO-1" in page.text and "For Luke" in page.text
    assert "ordered 23 November 2026" in page.text and "Partly shipped" in page.text
    assert page.of("line-1") == (
        "Green lightsaber SABER-GREEN Ordered 3 Shipped 2 Backordered 1 Expected 24 November 2026 "
        "1 still to come: being made in our workshop, ready 24 November 2026"
    )
    assert page.of("line-2") == "Blue lightsaber SABER-BLUE Ordered 1 Shipped 1"
    assert (
        f"Shipped 23 November 2026 Tracking number: {TRACKING} 2 × Green lightsaber 1 × Blue lightsaber"
        in page.text
    )


def test_an_open_term_line_says_date_to_be_confirmed_and_what_it_waits_for(workshop: Api) -> None:
    token = _link(workshop.pb, "SO-2")

    status, page, _ = _page(workshop, token)

    assert status == 200
    assert page.of("line-1") == (
        "Green lightsaber SABER-GREEN Ordered 2 Shipped 0 Backordered 2 "
        "2 still to come: waiting for Green kyber crystal from our supplier, date to be confirmed"
    )
    assert "Expected" not in page.text
    assert "Nothing has shipped yet." in page.text


def test_a_crystal_po_gives_the_waiting_line_its_date_and_names_the_crystal(workshop: Api) -> None:
    pb = workshop.pb
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date,unit_cost\n"
        "PO-1,Crystal Broker,KYBER-GREEN,2,2026-12-07,400\n",
    )
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    token = _link(pb, "SO-2")

    _, page, _ = _page(workshop, token)

    assert page.of("line-1").endswith(
        "Expected 8 December 2026 2 still to come: waiting for Green kyber crystal from our supplier, "
        "then made in our workshop, ready 8 December 2026"
    )


def test_a_line_served_by_two_supplies_lists_each_part_and_promises_the_later_date(api: Api) -> None:
    pb = api.pb
    make_items(pb, "KETTLE")
    make_order(pb, "SO-9", ("KETTLE", 3))
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date,unit_cost\nPO-1,Acme,KETTLE,1,2026-12-01,5\n",
    )
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    _, page, _ = _page(api, _link(pb, "SO-9"))

    assert page.of("line-1") == (
        "Kettle KETTLE Ordered 3 Shipped 0 Backordered 3 Expected 1 December 2026 "
        "3 still to come: waiting for Kettle from our supplier, due 1 December 2026 "
        "1: waiting for Kettle from our supplier, due 1 December 2026 "
        "2: waiting for Kettle from our supplier, due 26 November 2026"
    )


def test_a_line_not_planned_yet_has_its_date_to_be_confirmed_and_reserved_stock_ships_next(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    import_text(api.pb, ImportKind.STOCK, "sku,quantity\nKETTLE,1\n")
    make_order(api.pb, "SO-9", ("KETTLE", 3))

    _, page, _ = _page(api, _link(api.pb, "SO-9"))

    assert page.of("line-1") == (
        "Kettle KETTLE Ordered 3 Shipped 0 Ready 1 Backordered 2 "
        "1 reserved for you, ships with the next parcel. 2 still to come: date to be confirmed"
    )
    assert "In progress" in page.text


def test_a_preorder_line_says_when_the_item_is_released(api: Api) -> None:
    pb = api.pb
    catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=pb.uow())
    catalogue.save_items(
        [Item("WINTER", "Winter saber", Procurement.BUY, supplier="Acme", release_date=date(2027, 3, 1))],
        uow=pb.uow(),
    )
    make_order(pb, "SO-9", ("WINTER", 2))
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    _, page, _ = _page(api, _link(pb, "SO-9"))

    assert page.of("line-1") == (
        "Winter saber WINTER Ordered 2 Shipped 0 Preordered 2 Expected 1 March 2027 "
        "2 still to come: preorder, released on 1 March 2027"
    )


def test_a_drop_shipped_line_says_which_supplier_ships_it_and_when(api: Api) -> None:
    pb = api.pb
    catalogue.save_suppliers([Supplier("Crystal Broker", lead_time_days=5)], uow=pb.uow())
    catalogue.save_items(
        [Item("GEODE", "Crystal geode", Procurement.DROPSHIP, supplier="Crystal Broker")], uow=pb.uow()
    )
    make_order(pb, "SO-9", ("GEODE", 2))
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    _, page, _ = _page(api, _link(pb, "SO-9"))

    assert page.of("line-1").endswith(
        "Expected 28 November 2026 2 still to come: ships directly from Crystal Broker, due 28 November 2026"
    )


def test_the_status_query_gives_plain_quantities_shipments_and_promises(workshop: Api) -> None:
    with workshop.pb.reader() as uow:
        found = order_status(uow.connection, "SO-1")
        unknown = order_status(uow.connection, "SO-404")

    assert unknown is None
    assert found is not None
    assert (found.order_ref, found.customer, found.ordered_on, found.status) == (
        "SO-1",
        "Luke",
        date(2026, 11, 23),
        "partially_shipped",
    )
    green, blue = found.lines
    assert (green.ordered, green.shipped, green.allocated, green.backordered, green.cancelled) == (
        3,
        2,
        0,
        1,
        0,
    )
    assert green.promised_date == date(2026, 11, 24)
    assert green.explanation == "being made in our workshop, ready 24 November 2026"
    assert (blue.shipped, blue.waiting, blue.promised_date, blue.explanation) == (1, 0, None, None)
    [shipment] = found.shipments
    assert (shipment.shipped_on, shipment.tracking) == (date(2026, 11, 23), TRACKING)
    assert [(s.sku, s.quantity) for s in shipment.lines] == [("SABER-GREEN", 2), ("SABER-BLUE", 1)]


# --- privacy ----------------------------------------------------------------------------------


def test_a_token_shows_its_own_order_and_nothing_of_any_other(workshop: Api) -> None:
    tokens = {ref: _link(workshop.pb, ref) for ref in ORDERS}

    for ref, token in tokens.items():
        _, page, html = _page(workshop, token)

        assert f"Order {ref}" in page.text and ORDERS[ref] in page.text
        for other, customer in ORDERS.items():
            if other != ref:
                assert other not in html and customer not in html


def test_a_revoked_token_gets_the_same_404_page_as_an_unknown_one(workshop: Api) -> None:
    token = _link(workshop.pb, "SO-1")
    status_links.revoke_links("SO-1", uow=workshop.pb.uow())

    revoked = workshop.client.get(f"/status/{token}")
    unknown = workshop.client.get(f"/status/{secrets.token_urlsafe(32)}")

    assert revoked.status_code == unknown.status_code == 404
    assert revoked.text == unknown.text
    assert "This link is not valid" in revoked.text


@pytest.mark.parametrize(
    "token", ["x", "A" * 43, "SO-1", "%2E%2E", "..%2Fapi%2Fv1%2Forders", "t" * 5000, "0" * 64, "' OR 1=1 --"]
)
def test_unknown_tokens_get_a_plain_404_without_any_order_data(workshop: Api, token: str) -> None:
    _link(workshop.pb, "SO-1")

    response = workshop.client.get(f"/status/{token}")

    assert response.status_code == 404
    for ref, customer in ORDERS.items():
        assert ref not in response.text and customer not in response.text
    assert "lightsaber" not in response.text.lower()


@pytest.mark.parametrize(
    "path", ["/status/%00", "/status/a%01b", "/status/%0A", "/status/%7F", "/status/%C2%85"]
)
def test_a_link_with_control_characters_gets_the_same_private_404_page_as_an_unknown_one(
    workshop: Api, path: str
) -> None:
    token = _link(workshop.pb, "SO-1")
    unknown = workshop.client.get(f"/status/{secrets.token_urlsafe(32)}")

    for garbled in (workshop.client.get(path), workshop.client.get(f"/status/{token[:20]}%00{token[20:]}")):
        assert garbled.status_code == 404
        assert garbled.headers["content-type"].startswith("text/html")
        assert {name: garbled.headers.get(name) for name in PRIVATE} == PRIVATE
        assert garbled.text == unknown.text and "This link is not valid" in garbled.text
    api_path = workshop.get("/orders/SO%001")
    assert api_path.status_code == 422 and api_path.json()["error"]["field"] == "path"


@pytest.mark.parametrize(
    "path", ["/orders/SO%001", "/items/%00", "/purchase-orders/PO%7F1", "/backorders/%0A"]
)
def test_a_page_address_with_control_characters_gets_a_not_found_page_not_json(
    workshop: Api, path: str
) -> None:
    garbled = workshop.client.get(path)
    api_path = workshop.get("/items/%00")

    assert garbled.status_code == 404
    assert garbled.headers["content-type"].startswith("text/html")
    assert "Not found" in garbled.text and "control character" in garbled.text
    assert api_path.status_code == 422 and api_path.json()["error"]["field"] == "path"


def test_html_in_a_customer_name_is_escaped(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    make_order(api.pb, "SO-9", ("KETTLE", 1), customer="<script>alert('x')</script>")

    _, page, html = _page(api, _link(api.pb, "SO-9"))

    assert "<script" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "For <script>alert('x')</script>" in page.text


def test_the_page_and_its_404_are_private_uncached_and_unindexed(workshop: Api) -> None:
    found = workshop.client.get(f"/status/{_link(workshop.pb, 'SO-1')}")
    missing = workshop.client.get(f"/status/{secrets.token_urlsafe(32)}")

    for response in (found, missing):
        assert {name: response.headers.get(name) for name in PRIVATE} == PRIVATE
        assert response.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in response.headers["content-security-policy"]


def test_the_page_needs_no_api_token_and_ignores_a_bad_one(workshop: Api) -> None:
    token = _link(workshop.pb, "SO-1")

    anonymous, _, _ = _page(workshop, token)
    with_bad_bearer, _, _ = _page(workshop, token, Authorization="Bearer not-a-token")

    assert anonymous == with_bad_bearer == 200


def test_the_page_fits_a_phone_and_loads_nothing_from_elsewhere(workshop: Api) -> None:
    _, _, html = _page(workshop, _link(workshop.pb, "SO-1"))

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<(script|img|iframe|object)\b", html)
    assert not re.search(r"""<link\b(?![^>]*href="data:)""", html)


# --- REST: issue and revoke -------------------------------------------------------------------


def test_an_operator_issues_a_link_whose_url_opens_the_order(workshop: Api) -> None:
    response = workshop.post("/orders/SO-2/status-links")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"url", "token"}
    assert body["url"] == f"https://shop.example/status/{body['token']}"
    assert len(body["token"]) >= 43
    assert response.headers["cache-control"] == "no-store"
    status, page, _ = _page(workshop, body["token"])
    assert status == 200 and "Order SO-2" in page.text


def test_each_request_issues_a_new_link_and_earlier_ones_stay_live(workshop: Api) -> None:
    first = workshop.post("/orders/SO-1/status-links").json()["token"]
    second = workshop.post("/orders/SO-1/status-links").json()["token"]

    assert first != second
    assert _page(workshop, first)[0] == _page(workshop, second)[0] == 200


def test_issuing_a_link_needs_an_operator(workshop: Api) -> None:
    before = row_counts(workshop.pb)

    as_viewer = workshop.post("/orders/SO-1/status-links", token="viewer")
    anonymous = workshop.post("/orders/SO-1/status-links", token=None)

    assert_error(as_viewer, 403, "forbidden")
    assert_error(anonymous, 401, "unauthorised")
    assert row_counts(workshop.pb) == before


def test_a_link_for_an_unknown_order_is_a_404_that_writes_nothing(workshop: Api) -> None:
    before = row_counts(workshop.pb)

    issued = workshop.post("/orders/SO-404/status-links")
    revoked = workshop.client.delete(
        "/api/v1/orders/SO-404/status-links", headers=workshop.headers(workshop.operator)
    )

    assert assert_error(issued, 404, "unknown_order", field="order_ref")["ref"] == "SO-404"
    assert_error(revoked, 404, "unknown_order", field="order_ref")
    assert row_counts(workshop.pb) == before


def test_an_operator_revokes_every_link_of_an_order_and_only_of_that_order(workshop: Api) -> None:
    mine = [workshop.post("/orders/SO-1/status-links").json()["token"] for _ in range(2)]
    other = workshop.post("/orders/SO-2/status-links").json()["token"]
    headers = workshop.headers(workshop.operator)

    response = workshop.client.delete("/api/v1/orders/SO-1/status-links", headers=headers)
    again = workshop.client.delete("/api/v1/orders/SO-1/status-links", headers=headers)

    assert response.status_code == 200
    assert response.json() == {"order_ref": "SO-1", "revoked": 2}
    assert again.json() == {"order_ref": "SO-1", "revoked": 0}
    assert [_page(workshop, token)[0] for token in mine] == [404, 404]
    assert _page(workshop, other)[0] == 200


def test_revoking_links_needs_an_operator(workshop: Api) -> None:
    token = _link(workshop.pb, "SO-1")

    response = workshop.client.delete(
        "/api/v1/orders/SO-1/status-links", headers=workshop.headers(workshop.viewer)
    )

    assert_error(response, 403, "forbidden")
    assert _page(workshop, token)[0] == 200


# --- CLI: issue and revoke --------------------------------------------------------------------


@pytest.fixture
def cli_workshop(pb: Pegboard) -> Pegboard:
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    return pb


def _cli(capsys: pytest.CaptureFixture[str], pb: Pegboard, *args: str) -> tuple[int, str, str]:
    code = main(["--db", pb.settings.database_url, "--today", "2026-11-23", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _opens(pb: Pegboard, token: str) -> str | None:
    with pb.reader() as uow:
        return order_ref_for_link(token, uow=uow)


def test_the_cli_prints_the_full_url_of_a_new_link(
    cli_workshop: Pegboard, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEGBOARD_PUBLIC_URL", "https://shop.example")

    code, out, _ = _cli(capsys, cli_workshop, "status-link", "SO-2")

    assert code == 0
    url = out.strip()
    assert re.fullmatch(r"https://shop\.example/status/[A-Za-z0-9_-]{43}", url), url
    assert _opens(cli_workshop, url.rsplit("/", 1)[1]) == "SO-2"


def test_the_cli_revokes_every_link_and_says_how_many(
    cli_workshop: Pegboard, capsys: pytest.CaptureFixture[str]
) -> None:
    tokens = [
        _cli(capsys, cli_workshop, "status-link", "SO-1")[1].strip().rsplit("/", 1)[1] for _ in range(2)
    ]
    kept = _link(cli_workshop, "SO-2")

    code, out, _ = _cli(capsys, cli_workshop, "status-link", "SO-1", "--revoke")

    assert code == 0
    assert "Revoked 2 status link(s) of SO-1" in out
    assert [_opens(cli_workshop, token) for token in tokens] == [None, None]
    assert _opens(cli_workshop, kept) == "SO-2"


def test_the_cli_refuses_an_unknown_order_with_exit_2_and_writes_nothing(
    cli_workshop: Pegboard, capsys: pytest.CaptureFixture[str]
) -> None:
    before = row_counts(cli_workshop)

    issued = _cli(capsys, cli_workshop, "status-link", "SO-404")
    revoked = _cli(capsys, cli_workshop, "status-link", "SO-404", "--revoke")

    for code, out, err in (issued, revoked):
        assert code == 2
        assert out == ""
        assert "unknown order 'SO-404'" in err and "Traceback" not in err
    assert row_counts(cli_workshop) == before
