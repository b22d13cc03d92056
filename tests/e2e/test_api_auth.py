"""Bearer tokens: every /api/v1 request needs one; viewers read, operators and admins also write."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute

from pegboard.services import tokens
from tests.e2e.test_api_support import (
    Api,
    assert_error,
    make_items,
    open_api,
    order_body,
    row_counts,
    set_stock,
)


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def api_routes(api: Api, method: str) -> list[str]:
    """Every /api/v1 path with this method, its parameters filled with a placeholder."""
    paths = [
        route.path
        for route in api.client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, APIRoute)
        and method in (route.methods or set())
        and route.path.startswith("/api/v1")
    ]
    return [re.sub(r"\{[^}]+\}", "X", path) for path in paths]


def test_every_write_without_a_token_is_a_401_before_the_body_is_looked_at(api: Api) -> None:
    before = row_counts(api.pb)

    for path in api_routes(api, "POST"):
        response = api.client.post(path, json={})

        assert_error(response, 401, "unauthorised")
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert row_counts(api.pb) == before


def test_every_read_without_a_token_is_a_401(api: Api) -> None:
    for path in api_routes(api, "GET"):
        assert_error(api.client.get(path), 401, "unauthorised")


def test_every_write_with_a_viewer_token_is_a_403(api: Api) -> None:
    before = row_counts(api.pb)

    for path in api_routes(api, "POST"):
        assert_error(api.client.post(path, json={}, headers=api.headers(api.viewer)), 403, "forbidden")
    assert row_counts(api.pb) == before


@pytest.mark.parametrize(
    "header", ["Bearer pgb_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "pgb_raw"]
)
def test_an_unknown_or_malformed_token_is_a_401_and_writes_nothing(api: Api, header: str) -> None:
    make_items(api.pb, "KETTLE")
    before = row_counts(api.pb)

    response = api.client.post(
        "/api/v1/orders", json=order_body("SO-1", ("KETTLE", 1)), headers={"Authorization": header}
    )

    assert_error(response, 401, "unauthorised")
    assert row_counts(api.pb) == before


def test_a_viewer_reads_and_an_operator_and_an_admin_write(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=2)

    by_operator = api.post("/orders", order_body("SO-1", ("KETTLE", 1)), token="operator")
    by_admin = api.post("/orders", order_body("SO-2", ("KETTLE", 1)), token="admin")
    read = api.get("/orders", token="viewer")

    assert (by_operator.status_code, by_admin.status_code, read.status_code) == (201, 201, 200)
    assert [order["order_ref"] for order in read.json()] == ["SO-1", "SO-2"]


def test_a_revoked_token_is_refused(api: Api) -> None:
    with api.pb.uow() as uow:
        uow.tokens.revoke("view")
        uow.commit()

    response = api.get("/orders", token="viewer")

    assert_error(response, 401, "unauthorised")


def test_a_viewer_cannot_write_even_with_a_valid_body(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    before = row_counts(api.pb)

    response = api.post("/orders", order_body("SO-1", ("KETTLE", 1)), token="viewer", key="k-1")

    error = assert_error(response, 403, "forbidden")
    assert tokens.Role.OPERATOR.value in error["message"]
    assert row_counts(api.pb) == before


def test_the_landing_page_docs_and_openapi_need_no_token(api: Api) -> None:
    for path in ("/", "/docs", "/openapi.json"):
        assert api.client.get(path).status_code == 200


def revoke(api: Api, name: str) -> None:
    with api.pb.uow() as uow:
        uow.tokens.revoke(name)
        uow.commit()


def test_a_write_token_checked_moments_ago_is_trusted_for_the_cache_window(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    assert api.post("/orders", order_body("SO-1", ("KETTLE", 1))).status_code == 201

    revoke(api, "op")

    assert api.post("/orders", order_body("SO-2", ("KETTLE", 1))).status_code == 201


def test_without_a_token_cache_a_revoked_write_token_is_refused_at_once(db_url: str) -> None:
    for api in open_api(db_url, token_cache_seconds=0):
        make_items(api.pb, "KETTLE")
        assert api.post("/orders", order_body("SO-1", ("KETTLE", 1))).status_code == 201

        revoke(api, "op")

        assert_error(api.post("/orders", order_body("SO-2", ("KETTLE", 1))), 401, "unauthorised")
