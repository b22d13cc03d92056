"""Access: admins list and revoke tokens; idempotency keys belong to the token that sent them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from pegboard.adapters.db import tables as t
from pegboard.entrypoints.cli import main
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


@pytest.fixture
def kettles(api: Api) -> Api:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=4)
    return api


def test_an_admin_lists_every_token_with_its_role_and_never_its_secret(api: Api) -> None:
    api.get("/orders", token="viewer")

    response = api.get("/tokens", token="admin")

    assert response.status_code == 200, response.text
    listed = {token["name"]: token for token in response.json()}
    assert {name: token["role"] for name, token in listed.items()} == {
        "boss": "admin",
        "op": "operator",
        "view": "viewer",
    }
    assert set(listed["view"]) == {"name", "role", "created_at", "last_used_at", "revoked_at"}
    assert listed["view"]["last_used_at"] is not None
    assert listed["op"]["last_used_at"] is None
    for secret in (api.admin, api.operator, api.viewer):
        assert secret not in response.text


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_only_an_admin_manages_tokens(api: Api, role: str) -> None:
    before = row_counts(api.pb)

    listed = api.get("/tokens", token=role)
    revoked = api.client.delete("/api/v1/tokens/op", headers=api.headers(getattr(api, role)))

    assert_error(listed, 403, "forbidden")
    assert_error(revoked, 403, "forbidden")
    assert row_counts(api.pb) == before


def test_a_token_revoked_by_an_admin_is_refused_at_once_though_it_was_just_trusted(kettles: Api) -> None:
    assert kettles.post("/orders", order_body("SO-1", ("KETTLE", 1))).status_code == 201

    revoked = kettles.client.delete("/api/v1/tokens/op", headers=kettles.headers(kettles.admin))
    again = kettles.post("/orders", order_body("SO-2", ("KETTLE", 1)))

    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["name"] == "op" and revoked.json()["revoked_at"] is not None
    assert_error(again, 401, "unauthorised")
    assert kettles.get("/orders/SO-2").status_code == 404


def test_revoking_an_unknown_token_is_a_404(api: Api) -> None:
    response = api.client.delete("/api/v1/tokens/nobody", headers=api.headers(api.admin))

    assert_error(response, 404, "unknown_token", field="name")


def test_a_tokens_use_is_written_at_most_once_a_minute(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("KETTLE", 1)))
    with kettles.pb.engine.begin() as conn:
        conn.execute(update(t.api_tokens).values(last_used_at=None))

    kettles.post("/orders", order_body("SO-2", ("KETTLE", 1)))
    kettles.get("/orders", token="operator")

    listed = {token["name"]: token for token in kettles.get("/tokens", token="admin").json()}
    assert listed["op"]["last_used_at"] is None


def test_the_same_key_from_two_tokens_is_two_requests(kettles: Api) -> None:
    first = kettles.post("/orders", order_body("SO-1", ("KETTLE", 1)), key="k-1", token="operator")

    other = kettles.post("/orders", order_body("SO-2", ("KETTLE", 2)), key="k-1", token="admin")

    assert (first.status_code, other.status_code) == (201, 201)
    assert other.json()["order_ref"] == "SO-2"
    assert "Idempotent-Replayed" not in other.headers
    assert kettles.get("/stock/KETTLE").json()["allocated"] == 3


def test_another_token_never_receives_the_first_callers_stored_answer(kettles: Api) -> None:
    kettles.post("/orders", order_body("SO-1", ("KETTLE", 1)), key="k-1", token="operator")

    same = kettles.post("/orders", order_body("SO-1", ("KETTLE", 1)), key="k-1", token="admin")

    assert same.status_code == 200
    assert "Idempotent-Replayed" not in same.headers
    assert kettles.get("/stock/KETTLE").json()["allocated"] == 1


def test_the_same_json_with_keys_in_another_order_is_the_same_request(kettles: Api) -> None:
    body = order_body("SO-1", ("KETTLE", 1))
    reordered = json.dumps(dict(reversed(list(body.items()))))
    first = kettles.post("/orders", body, key="k-1")

    again = kettles.client.post(
        "/api/v1/orders",
        content=reordered,
        headers=kettles.headers(kettles.operator, "k-1") | {"Content-Type": "application/json"},
    )

    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


def test_the_cli_lists_tokens_and_revokes_one(
    api: Api, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "token", "revoke", "op"]) == 0
    capsys.readouterr()

    assert main(["--db", db_url, "token", "list", "--json"]) == 0
    listed = {token["name"]: token for token in json.loads(capsys.readouterr().out)}

    assert listed["op"]["revoked_at"] is not None and listed["view"]["revoked_at"] is None
    assert listed["boss"]["role"] == "admin"
    assert main(["--db", db_url, "token", "list"]) == 0
    table = capsys.readouterr().out
    assert "boss" in table and api.admin not in table
    assert main(["--db", db_url, "token", "revoke", "nobody"]) == 2
    assert_error(api.post("/orders", order_body("SO-1", ("KETTLE", 1))), 401, "unauthorised")
