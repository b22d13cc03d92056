"""Supplier reliability, forecasts and reorder points over REST: the same JSON as the CLI's
`--json`, apply writes exactly what was proposed and records the token's name, bad input is a 422
naming the field with nothing written, and viewers cannot write (SQLite and PostgreSQL).

The twelve weeks of bolt history are seeded once per database; the tests that write leave the
items as a later test expects them (applied reorder points are re-proposed unchanged).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.entrypoints.api.app import create_app
from pegboard.entrypoints.cli import main
from pegboard.services.tokens import Role, create_token
from tests.conftest import empty_postgres
from tests.e2e.test_api_support import TestClient, assert_error, row_counts
from tests.integration.services.learning_story import TODAY, bolts_with_history

OPERATOR = "ops-bot"


class Shop:
    """The bolt history served by the API (viewer and operator tokens) and reachable by the CLI."""

    def __init__(self, db_url: str, client: TestClient, pb: Pegboard, viewer: str, operator: str) -> None:
        self.db_url, self.client, self.pb = db_url, client, pb
        self.tokens = {"viewer": viewer, "operator": operator}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params=params, headers=self._auth("viewer"))

    def post(self, path: str, *, token: str = "operator", **params: Any) -> Any:
        return self.client.post(f"/api/v1{path}", params=params, headers=self._auth(token))

    def put(self, path: str, body: Any, *, token: str = "operator") -> Any:
        return self.client.put(f"/api/v1{path}", json=body, headers=self._auth(token))

    def cli(self, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
        code = main(["--db", self.db_url, "--today", TODAY.isoformat(), *args, "--json"])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        return json.loads(captured.out)

    def items(self) -> dict[str, tuple[Any, ...]]:
        """Each item's safety stock, reorder point and own service level, as stored."""
        it = t.items
        with self.pb.engine.connect() as conn:
            rows = conn.execute(select(it.c.sku, it.c.safety_stock, it.c.reorder_point, it.c.service_level))
            return {r.sku: (r.safety_stock, r.reorder_point, r.service_level) for r in rows}

    def _auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def _database(kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty migrated database of this kind for the module."""
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("learning") / "pegboard.db"
        shutil.copy(Path(request.getfixturevalue("sqlite_template")), path)
        return f"sqlite:///{path}"
    url = str(request.getfixturevalue("postgres_database"))
    empty_postgres(url)
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """Twelve weeks of bolt orders and receipts from a steady and an erratic supplier, seeded once."""
    db_url = _database(request.param, request, tmp_path_factory)
    board = bootstrap(Settings(database_url=db_url), today=TODAY)
    try:
        bolts_with_history(board)
    finally:
        board.close()
    app = create_app(Settings(database_url=db_url), today=TODAY)
    pb: Pegboard = app.state.pegboard
    with TestClient(app) as client:
        viewer = create_token("reader", Role.VIEWER, uow=pb.uow())
        operator = create_token(OPERATOR, Role.OPERATOR, uow=pb.uow())
        yield Shop(db_url, client, pb, viewer, operator)


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def test_the_cli_and_the_api_give_the_same_json(shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    pairs = [
        (shop.cli(capsys, "suppliers"), shop.get("/suppliers/reliability")),
        (
            shop.cli(capsys, "forecast", "BOLT-STEADY", "--weeks", "4"),
            shop.get("/forecasts", sku="BOLT-STEADY", weeks=4),
        ),
        (
            shop.cli(capsys, "forecast", "--daily", "--weeks", "1"),
            shop.get("/forecasts", daily="true", weeks=1),
        ),
        (shop.cli(capsys, "reorder-points"), shop.get("/reorder-points")),
        (
            shop.cli(capsys, "reorder-points", "--service-level", "0.8"),
            shop.get("/reorder-points", service_level=0.8),
        ),
    ]

    for cli, answer in pairs:
        assert _ok(answer) == cli
    suppliers, steady, daily, default, low = (answer.json() for _, answer in pairs)
    assert [s["supplier"] for s in suppliers] == ["Erratic Ltd", "Steady Co"]
    assert [f["date"] for f in steady[0]["forecast"]] == [
        "2026-11-23",
        "2026-11-30",
        "2026-12-07",
        "2026-12-14",
    ]
    assert {f["sku"] for f in daily} == {"BOLT-ERRATIC", "BOLT-STEADY"}
    assert all(f["bucket"] == "day" and len(f["forecast"]) == 7 for f in daily)
    assert {r["service_level"] for r in default} == {0.95} and {r["service_level"] for r in low} == {0.8}


def test_the_existing_supplier_list_is_unchanged(shop: Shop) -> None:
    listed = _ok(shop.get("/suppliers"))

    assert [s["name"] for s in listed] == ["Erratic Ltd", "Steady Co"]
    assert set(listed[0]) == {"name", "email", "lead_time_days"}


def test_apply_writes_exactly_the_proposed_values_and_records_the_tokens_name(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    proposed = {r["sku"]: r for r in _ok(shop.get("/reorder-points", service_level=0.9))}
    before = row_counts(shop.pb)

    applied = {r["sku"]: r for r in _ok(shop.post("/reorder-points/apply", service_level=0.9))}

    stored = shop.items()
    for sku in ("BOLT-ERRATIC", "BOLT-STEADY"):
        assert applied[sku] == {**proposed[sku], "applied": True}
        assert stored[sku][:2] == (proposed[sku]["safety_stock"], proposed[sku]["reorder_point"])
    with shop.pb.engine.connect() as conn:
        changes = conn.execute(
            select(t.reorder_point_changes.c.sku, t.reorder_point_changes.c.applied_by).order_by("sku")
        ).all()
        audit = conn.execute(
            select(t.audit_log.c.actor, t.audit_log.c.ref)
            .where(t.audit_log.c.action == "reorder-points")
            .order_by(t.audit_log.c.ref)
        ).all()
    assert [tuple(c) for c in changes] == [("BOLT-ERRATIC", OPERATOR), ("BOLT-STEADY", OPERATOR)]
    assert [tuple(a) for a in audit] == [(OPERATOR, "BOLT-ERRATIC"), (OPERATOR, "BOLT-STEADY")]
    after = row_counts(shop.pb)
    assert (after["reorder_point_changes"], after["audit_log"]) == (
        before["reorder_point_changes"] + 2,
        before["audit_log"] + 2,
    )
    # Applied once, the proposals are the current values: a second apply changes nothing.
    again = _ok(shop.post("/reorder-points/apply", service_level=0.9))
    assert [r["applied"] for r in again] == [False, False] and row_counts(shop.pb) == after
    assert shop.cli(capsys, "reorder-points", "--service-level", "0.9") == _ok(
        shop.get("/reorder-points", service_level=0.9)
    )


def test_apply_sent_again_with_its_idempotency_key_replays_the_first_answer_and_writes_once(
    shop: Shop,
) -> None:
    def apply(level: float) -> Any:
        return shop.client.post(
            "/api/v1/reorder-points/apply",
            params={"service_level": level},
            headers={"Authorization": f"Bearer {shop.tokens['operator']}", "Idempotency-Key": "rp-1"},
        )

    first = apply(0.8)
    counts, items = row_counts(shop.pb), shop.items()
    again = apply(0.8)
    other = apply(0.85)

    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert {r["service_level"] for r in first.json()} == {0.8}
    assert again.headers.get("idempotent-replayed") == "true"
    assert_error(other, 422, "idempotency_key_reused")
    assert row_counts(shop.pb) == counts and shop.items() == items


def test_an_items_own_service_level_is_set_used_and_recorded_then_put_back(shop: Shop) -> None:
    set_answer = _ok(shop.put("/items/BOLT-STEADY/service-level", {"service_level": 0.97}))
    levels = {r["sku"]: r["service_level"] for r in _ok(shop.get("/reorder-points"))}
    stored = shop.items()["BOLT-STEADY"][2]
    back = _ok(shop.put("/items/BOLT-STEADY/service-level", {"service_level": None}))

    assert set_answer == {"sku": "BOLT-STEADY", "service_level": 0.97} and float(stored) == 0.97
    assert levels == {"BOLT-STEADY": 0.97, "BOLT-ERRATIC": 0.95}
    assert back == {"sku": "BOLT-STEADY", "service_level": None} and shop.items()["BOLT-STEADY"][2] is None
    with shop.pb.engine.connect() as conn:
        audit = conn.execute(
            select(t.audit_log.c.actor, t.audit_log.c.detail)
            .where(t.audit_log.c.action == "service-level")
            .order_by(t.audit_log.c.id)
        ).all()
    assert [tuple(a) for a in audit] == [
        (OPERATOR, "service level 0.97"),
        (OPERATOR, "service level the shop's setting"),
    ]


@pytest.mark.parametrize(
    ("method", "path", "params_or_body", "field"),
    [
        ("get", "/reorder-points", {"service_level": "1.5"}, "service_level"),
        ("post", "/reorder-points/apply", {"service_level": "0"}, "service_level"),
        ("post", "/reorder-points/apply", {"service_level": "1"}, "service_level"),
        ("post", "/reorder-points/apply", {"service_level": "nan"}, "service_level"),
        ("post", "/reorder-points/apply", {"service_level": "most"}, "service_level"),
        ("get", "/forecasts", {"sku": "NO-SUCH-BOLT"}, "sku"),
        ("get", "/forecasts", {"weeks": "0"}, "weeks"),
        ("get", "/forecasts", {"weeks": "53"}, "weeks"),
        ("put", "/items/BOLT-STEADY/service-level", {"service_level": 1.2}, "service_level"),
        ("put", "/items/BOLT-STEADY/service-level", {"service_level": 0}, "service_level"),
        ("put", "/items/BOLT-STEADY/service-level", {"service_level": "high"}, "service_level"),
        ("put", "/items/BOLT-STEADY/service-level", {}, "service_level"),
        ("put", "/items/BOLT-STEADY/service-level", {"service_level": 0.9, "by": "x"}, "by"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_written(
    shop: Shop, method: str, path: str, params_or_body: dict[str, Any], field: str
) -> None:
    before, items = row_counts(shop.pb), shop.items()

    if method == "put":
        answer = shop.put(path, params_or_body)
    else:
        answer = getattr(shop, method)(path, **params_or_body)

    assert_error(answer, 422, "invalid_value", field=field)
    assert row_counts(shop.pb) == before and shop.items() == items


def test_an_unknown_items_service_level_is_a_404_naming_the_sku_and_nothing_is_written(shop: Shop) -> None:
    before = row_counts(shop.pb)

    assert_error(
        shop.put("/items/NO-SUCH-BOLT/service-level", {"service_level": 0.9}), 404, "unknown_sku", field="sku"
    )
    assert row_counts(shop.pb) == before


def test_a_viewer_may_read_but_not_apply_or_set_a_service_level(shop: Shop) -> None:
    before, items = row_counts(shop.pb), shop.items()

    assert_error(shop.post("/reorder-points/apply", token="viewer"), 403, "forbidden")
    assert_error(
        shop.put("/items/BOLT-STEADY/service-level", {"service_level": 0.9}, token="viewer"), 403, "forbidden"
    )
    assert row_counts(shop.pb) == before and shop.items() == items
