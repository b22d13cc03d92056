"""What a browser gets when a page cannot be shown: an HTML page, never the API's JSON.

The customers' status pages answer a path with no token, or a method they do not take, with
their own private "link not valid" page; a database that cannot be reached gives a 503 page that
says to try again, on the app's pages and on the status page, while the API keeps its JSON 503.
Provoked for real: the database is dropped under a running app."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text

from pegboard.adapters.db.scratch import scratch_postgres_database
from pegboard.config import Settings
from pegboard.entrypoints.api.app import create_app
from pegboard.entrypoints.web.status import PRIVATE_HEADERS
from pegboard.services import status_links, users
from pegboard.services.tokens import Role, create_token
from tests.builders import make_items, make_order
from tests.conftest import MONDAY, POSTGRES_ADMIN_URL
from tests.e2e.test_api_support import TestClient

PASSWORD = "correct horse battery staple"


@dataclass
class Shop:
    """A signed-in browser, an API token and a live status link, on one app."""

    client: TestClient
    token: str
    link: str
    url: str


def open_shop(url: str) -> Iterator[Shop]:
    app = create_app(Settings(database_url=url), today=MONDAY)
    pb = app.state.pegboard
    make_items(pb, "BLUE-KETTLE")
    make_order(pb, "SO-1", ("BLUE-KETTLE", 1))
    users.create_user("ada", Role.ADMIN, PASSWORD, uow=pb.uow())
    token = create_token("shop", Role.VIEWER, uow=pb.uow())
    link = status_links.issue_link("SO-1", uow=pb.uow())
    with TestClient(app, raise_server_exceptions=False, headers={"Origin": "http://testserver"}) as client:
        client.post("/login", data={"username": "ada", "password": PASSWORD}, follow_redirects=False)
        yield Shop(client, token, link, url)


@pytest.fixture
def shop(sqlite_url: str) -> Iterator[Shop]:
    yield from open_shop(sqlite_url)


@pytest.fixture
def gone(postgres_database: str) -> Iterator[Shop]:
    """A shop on a PostgreSQL database of its own, dropped once the browser has signed in."""
    with scratch_postgres_database(POSTGRES_ADMIN_URL, prefix="pegboard_test_") as url:
        for shop in open_shop(url):
            admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
            admin.dispose()
            yield shop


@pytest.mark.parametrize("path", ["/status/", "/status/a/b", "/status/..%2Fapi%2Fv1%2Forders"])
def test_a_status_path_without_a_token_gets_the_private_link_not_valid_page(shop: Shop, path: str) -> None:
    answer = shop.client.get(path)

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>This link is not valid</h1>" in answer.text
    assert answer.headers["Cache-Control"] == PRIVATE_HEADERS["Cache-Control"]
    assert answer.headers["X-Robots-Tag"] == "noindex"


def test_a_post_to_a_status_page_is_refused_with_a_page_naming_the_allowed_method(shop: Shop) -> None:
    answer = shop.client.post(f"/status/{shop.link}")

    assert answer.status_code == 405
    assert answer.headers["content-type"].startswith("text/html")
    assert "GET" in answer.headers["Allow"]
    assert "SO-1" not in answer.text
    assert "Open the link from our email" in answer.text


def test_an_unknown_api_path_keeps_its_json_404(shop: Shop) -> None:
    answer = shop.client.get("/api/v1/nothing-here", headers={"Authorization": f"Bearer {shop.token}"})

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/", "/backorders", "/orders/SO-1"])
def test_a_page_on_an_unreachable_database_says_busy_with_503_and_retry_after(
    gone: Shop, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="pegboard.web"):
        answer = gone.client.get(path)

    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["Retry-After"] == "1"
    assert "<h1>Busy just now</h1>" in answer.text
    assert "Traceback" not in answer.text and "OperationalError" not in answer.text
    assert any("database busy or unreachable" in r.getMessage() for r in caplog.records)


def test_the_status_page_on_an_unreachable_database_says_busy_in_its_own_style(gone: Shop) -> None:
    answer = gone.client.get(f"/status/{gone.link}")

    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["Retry-After"] == "1" and answer.headers["X-Robots-Tag"] == "noindex"
    assert "<h1>Busy just now</h1>" in answer.text and 'class="shop"' in answer.text


def test_the_api_on_an_unreachable_database_keeps_its_json_503(gone: Shop) -> None:
    answer = gone.client.get("/api/v1/orders", headers={"Authorization": f"Bearer {gone.token}"})

    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable"
