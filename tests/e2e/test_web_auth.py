"""Signing in to the web app, refusals by role, throttled failures and cross-site writes, in Chromium
against `pegboard serve` on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from playwright.sync_api import expect

from tests.e2e.web_support import (
    PASSWORD,
    QUIET,
    Workshop,
    served_on_each_database,
    sign_in,
    signed_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = QUIET


shop = served_on_each_database("web-auth", steps=2)


def test_a_page_for_someone_signed_out_asks_them_to_sign_in_and_then_goes_there(
    shop: Workshop, browser: Browser
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(shop.url + "/orders?status=all")
        assert page.url == shop.url + "/login?next=/orders%3Fstatus%3Dall"

        page.get_by_label("Username").fill("op")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        page.wait_for_url(shop.url + "/orders?status=all")
        expect(page.get_by_role("link", name="SO-1", exact=True)).to_be_visible()
        (cookie,) = [c for c in context.cookies() if c["name"] == "pegboard_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]
    finally:
        context.close()


def test_a_wrong_password_is_refused_with_the_error_beside_the_field(
    shop: Workshop, browser: Browser
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(shop.url + "/login")
        page.get_by_label("Username").fill("viewer")
        page.get_by_label("Password").fill("not-the-password")
        with page.expect_response(
            lambda r: r.url.endswith("/login") and r.request.method == "POST"
        ) as answer:
            page.get_by_role("button", name="Sign in").click()

        assert answer.value.status == 422
        assert page.title().startswith("Error: ")
        assert "not right" in page.get_by_role("alert").inner_text()
        assert page.get_by_label("Username").get_attribute("aria-describedby") == "username-error"
        assert "not right" in page.locator("#username-error").inner_text()
        assert page.get_by_label("Username").input_value() == "viewer"
        assert not [c for c in context.cookies() if c["name"] == "pegboard_session"]
    finally:
        context.close()


def test_after_five_failures_even_the_right_password_waits_and_the_message_says_so(shop: Workshop) -> None:
    wrong = [
        httpx.post(shop.url + "/login", data={"username": "locked", "password": "guess"}).status_code
        for _ in range(5)
    ]

    refused = httpx.post(shop.url + "/login", data={"username": "locked", "password": PASSWORD})

    assert wrong == [422] * 5
    assert refused.status_code == 429
    assert "Wait 15 minute(s), then try again" in refused.text
    assert "pegboard_session" not in refused.cookies


def test_a_viewer_sees_no_write_controls_and_the_server_refuses_their_writes(
    shop: Workshop, browser: Browser
) -> None:
    with signed_in(browser, shop, "viewer") as page:
        page.goto(shop.url + "/orders/SO-1")
        expect(page.get_by_role("heading", name="Order SO-1")).to_be_visible()
        assert page.get_by_role("button", name="Ship", exact=True).count() == 0
        assert page.get_by_role("button", name="Cancel order").count() == 0
        page.goto(shop.url + "/orders")
        assert page.get_by_role("link", name="New order").count() == 0

    cookies = shop.cookies("viewer")
    shipped = httpx.post(shop.url + "/orders/SO-1/ship", cookies=cookies, data={"tracking": "X"})
    placed = httpx.post(
        shop.url + "/orders/new",
        cookies=cookies,
        data={"order_ref": "SO-V", "customer": "V", "sku-1": "HILT"},
    )

    assert shipped.status_code == 403 and "viewer" in shipped.text
    assert placed.status_code == 403
    assert shop.count("shipments") == 0
    assert shop.count("sales_orders", order_ref="SO-V") == 0


def test_a_write_sent_from_another_site_is_refused(shop: Workshop) -> None:
    cookies = shop.cookies("op")
    url = shop.url + "/orders/SO-1/priority"

    by_origin = httpx.post(
        url, cookies=cookies, data={"priority": "7"}, headers={"Origin": "http://evil.example"}
    )
    by_fetch = httpx.post(
        url, cookies=cookies, data={"priority": "7"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    same_site = httpx.post(
        url,
        cookies=cookies,
        data={"priority": "0"},
        headers={"Origin": shop.url, "Sec-Fetch-Site": "same-origin"},
    )

    assert by_origin.status_code == 403 and by_fetch.status_code == 403
    assert shop.count("sales_orders", order_ref="SO-1", priority=7) == 0
    assert same_site.status_code == 303


def test_signing_out_ends_the_session_for_good(shop: Workshop, browser: Browser) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, shop.url, "boss")
        (cookie,) = [c for c in context.cookies() if c["name"] == "pegboard_session"]

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(shop.url + "/login")
        again = httpx.get(shop.url + "/", cookies={"pegboard_session": cookie["value"]})

        assert again.status_code == 303 and again.headers["location"] == "/login?next=/"
    finally:
        context.close()


def test_an_admin_adds_a_user_who_then_signs_in_and_disables_them_after_one_question(
    shop: Workshop, browser: Browser
) -> None:
    with signed_in(browser, shop, "boss") as page:
        page.goto(shop.url + "/settings")
        page.get_by_label("Username").fill("rey")
        page.get_by_label("Role").select_option("viewer")
        page.get_by_label("First password").fill("short")
        page.get_by_role("button", name="Add user").click()
        assert "at least 8 characters" in page.locator("#password-error").inner_text()
        assert page.get_by_label("Username").input_value() == "rey"

        page.get_by_label("First password").fill("a-long-password")
        page.get_by_role("button", name="Add user").click()
        expect(page.get_by_role("status")).to_have_text("User rey (viewer) added.")
        assert shop.cookies_for("rey", "a-long-password").status_code == 303

        page.get_by_role("button", name="Disable rey").click()
        expect(page.get_by_role("heading", name="Disable rey?")).to_be_visible()
        page.get_by_role("button", name="Yes, disable the user").click()
        expect(page.get_by_role("status")).to_have_text("User rey disabled.")
        assert shop.cookies_for("rey", "a-long-password").status_code == 422
        assert shop.count("audit_log", actor="boss", action="disabled user", ref="rey") == 1

    operator = httpx.get(shop.url + "/settings", cookies=shop.cookies("op"))
    assert operator.status_code == 403
