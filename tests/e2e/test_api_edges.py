"""Hostile input at the edge: every answer is a clear 4xx in the one error shape, never a 500."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from pegboard.config import Settings
from pegboard.entrypoints.api.app import create_app
from pegboard.services.tokens import Role, create_token
from tests.conftest import MONDAY
from tests.e2e.test_api_support import (
    Api,
    assert_error,
    make_items,
    open_api,
    order_body,
    row_counts,
    set_stock,
)
from tests.e2e.test_shopify_webhooks import SECRET, post_webhook
from tests.shopify_server import order_json


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url, shopify_secret=SECRET)


def send_json(api: Api, path: str, text: str, *, token: str | None = None) -> Any:
    headers = api.headers(token or api.operator) | {"Content-Type": "application/json"}
    return api.client.post(f"/api/v1{path}", content=text.encode(), headers=headers)


@pytest.mark.parametrize(
    "text",
    [
        '{"order_ref": "SO-\\ud800", "customer": "Ada", "lines": [{"sku": "KETTLE", "quantity": 1}]}',
        '{"order_ref": "SO-1", "customer": "Ada", "lines": [{"sku": "KETTLE", "quantity": "\\udfff"}]}',
        '{"order_ref": "SO-1", "lines": [{"sku": "KETTLE", "quantity": 1}], "customer": "Ada \\ud800"}',
    ],
)
def test_a_lone_surrogate_in_json_is_a_422_that_writes_nothing(api: Api, text: str) -> None:
    make_items(api.pb, "KETTLE")
    before = row_counts(api.pb)

    response = send_json(api, "/orders", text)

    error = assert_error(response, 422, "malformed_json", field="body")
    assert "surrogate" in error["message"]
    assert row_counts(api.pb) == before


def test_a_surrogate_pair_is_a_character_like_any_other(api: Api) -> None:
    make_items(api.pb, "KETTLE")

    response = send_json(
        api, "/orders", json.dumps(order_body("SO-1", ("KETTLE", 1), customer="Ada \U0001f600"))
    )

    assert response.status_code == 201, response.text
    assert response.json()["customer"] == "Ada \U0001f600"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/orders/SO%00", "path"),
        ("/items/KET%00TLE", "path"),
        ("/stock/K%00", "path"),
        ("/boms/K%00", "path"),
        ("/purchase-orders/P%00", "path"),
        ("/manufacturing-orders/M%00", "path"),
        ("/orders?sku=K%00", "sku"),
        ("/supply?sku=K%00", "sku"),
        ("/backorders?sku=%00", "sku"),
        ("/orders?offset=7%0C", "offset"),
        ("/orders?limit=%0910", "limit"),
    ],
)
def test_a_control_character_in_a_path_or_query_is_a_422_naming_the_field(
    api: Api, path: str, field: str
) -> None:
    response = api.get(path)

    error = assert_error(response, 422, "invalid_value", field=field)
    assert "control character" in error["message"]


def test_a_405_lists_every_method_the_path_answers(api: Api) -> None:
    response = api.client.delete("/api/v1/items", headers=api.headers(api.operator))

    assert_error(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == "GET, POST"


def test_openapi_documents_the_status_codes_the_writes_answer(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    paths = api.client.get("/openapi.json").json()["paths"]
    item = {"sku": "KETTLE", "name": "Kettle", "procurement": "buy"}

    created = api.post("/items", item | {"sku": "TEAPOT"})
    replaced = api.post("/items", item)
    supplier = api.post("/suppliers", {"name": "Acme"})
    confirmed = api.post("/plan/confirm", {})

    assert (created.status_code, replaced.status_code, supplier.status_code) == (201, 200, 200)
    assert confirmed.status_code == 201, confirmed.text
    for path in ("/api/v1/items", "/api/v1/suppliers", "/api/v1/boms"):
        assert {"200", "201"} <= set(paths[path]["post"]["responses"])
    assert "201" in paths["/api/v1/plan/confirm"]["post"]["responses"]
    assert "200" not in paths["/api/v1/plan/confirm"]["post"]["responses"]


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("customer", lambda o: o["customer"].update(first_name="A\x00da")),
        ("SKU", lambda o: o["line_items"][0].update(sku="KET\x00TLE")),
        ("email", lambda o: o.update(email="ada\x00@example.com")),
    ],
)
def test_a_shop_order_with_a_nul_is_held_with_the_problem_never_dropped(
    api: Api, field: str, change: Any
) -> None:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=5)
    payload = order_json()
    change(payload)

    response = post_webhook(api, payload)
    retried = api.post("/shopify/held/5001001/retry", {})

    assert response.status_code == 200, response.text
    assert response.json() == {"outcome": "held", "order_ref": "SHOP-1001"}
    held = api.get("/shopify/held").json()
    assert [h["order_ref"] for h in held] == ["SHOP-1001"]
    assert held[0]["problem"].startswith(f"{field} ") and "\\x00" in held[0]["problem"]
    assert retried.status_code == 200 and retried.json()["outcome"] == "held"
    assert api.get("/orders/SHOP-1001").status_code == 404


def test_a_shop_order_with_a_lone_surrogate_is_held_too(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    raw = json.dumps(order_json()).replace('"Ada"', '"Ada\\ud800"').encode()

    response = post_webhook(api, None, raw=raw)

    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "held"
    assert "\\ud800" in api.get("/shopify/held").json()[0]["problem"]


# --- a real server ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(db_url: str) -> Iterator[tuple[str, str]]:
    """The app under uvicorn on a free port, with one route that fails unexpectedly."""
    app = create_app(Settings(database_url=db_url), today=MONDAY)
    token = create_token("op", Role.OPERATOR, uow=app.state.pegboard.uow())

    def broken() -> None:
        raise RuntimeError("a bug nobody foresaw")

    app.add_api_route("/api/v1/broken", broken, methods=["GET"])
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                pytest.fail("uvicorn did not start")
            thread.join(0.05)
        yield f"127.0.0.1:{port}", token
    finally:
        server.should_exit = True
        thread.join(30)


def test_after_an_unexpected_500_the_same_connection_serves_the_next_request(served: tuple[str, str]) -> None:
    host, token = served
    connection = http.client.HTTPConnection(host, timeout=30)
    headers = {"Authorization": f"Bearer {token}"}

    try:
        connection.request("GET", "/api/v1/broken", headers=headers)
        failed = connection.getresponse()
        body = json.loads(failed.read())
        if (failed.getheader("Connection") or "").lower() == "close":
            connection.close()  # said so: the next request opens a new connection
        connection.request("GET", "/api/v1/orders", headers=headers)
        after = connection.getresponse()
        listed = json.loads(after.read())
    finally:
        connection.close()

    assert failed.status == 500
    assert body == {"error": {"code": "internal_error", "message": "an unexpected error occurred"}}
    assert after.status == 200
    assert listed == []


def test_one_httpx_client_gets_a_json_500_and_then_its_answer(served: tuple[str, str]) -> None:
    host, token = served
    with httpx.Client(base_url=f"http://{host}", headers={"Authorization": f"Bearer {token}"}) as client:
        failed = client.get("/api/v1/broken")
        after = client.get("/api/v1/orders")

    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == "internal_error"
    assert after.status_code == 200
