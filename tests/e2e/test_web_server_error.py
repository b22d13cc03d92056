"""An unexpected failure on a page: a plain "Something went wrong" page with status 500, the error
logged and never shown; the API's paths keep their JSON answer. Provoked for real: a stock figure
the database holds is not a number (SQLite keeps whatever text is written to a column)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from pegboard.config import Settings
from pegboard.entrypoints.api.app import create_app
from pegboard.services import users
from pegboard.services.tokens import Role, create_token
from tests.builders import make_items
from tests.conftest import MONDAY
from tests.e2e.test_api_support import TestClient

PASSWORD = "correct horse battery staple"


@dataclass
class Broken:
    """A signed-in browser and an API token on a shop whose BLUE-KETTLE row is corrupt."""

    client: TestClient
    token: str


@pytest.fixture
def broken(sqlite_url: str) -> Iterator[Broken]:
    app = create_app(Settings(database_url=sqlite_url), today=MONDAY)
    pb = app.state.pegboard
    make_items(pb, "BLUE-KETTLE")
    users.create_user("ada", Role.ADMIN, PASSWORD, uow=pb.uow())
    token = create_token("shop", Role.VIEWER, uow=pb.uow())
    with pb.engine.begin() as conn:
        conn.execute(text("UPDATE items SET on_hand = 'lots' WHERE sku = 'BLUE-KETTLE'"))
    with TestClient(app, raise_server_exceptions=False, headers={"Origin": "http://testserver"}) as client:
        client.post("/login", data={"username": "ada", "password": PASSWORD}, follow_redirects=False)
        yield Broken(client, token)
    with pb.engine.begin() as conn:  # mended, so the invariants can be checked after the test
        conn.execute(text("UPDATE items SET on_hand = 0 WHERE sku = 'BLUE-KETTLE'"))


def test_a_page_that_fails_shows_something_went_wrong_with_status_500_and_no_trace(
    broken: Broken, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="pegboard.web"):
        answer = broken.client.get("/items/BLUE-KETTLE")

    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Something went wrong</h1>" in answer.text
    assert "Traceback" not in answer.text and "ValueError" not in answer.text and "lots" not in answer.text
    assert any(r.exc_info and "/items/BLUE-KETTLE" in r.getMessage() for r in caplog.records)


def test_an_api_path_that_fails_keeps_its_json_error(broken: Broken) -> None:
    answer = broken.client.get(
        "/api/v1/stock/BLUE-KETTLE", headers={"Authorization": f"Bearer {broken.token}"}
    )

    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal_error"


def test_other_pages_still_work_after_one_failed(broken: Broken) -> None:
    broken.client.get("/items/BLUE-KETTLE")

    assert broken.client.get("/import").status_code == 200
