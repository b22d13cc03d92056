"""Shared helpers for the API tests (no tests here): an app on a fresh database, tokens, checks."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from starlette.exceptions import StarletteDeprecationWarning

from pegboard.adapters.db.tables import metadata
from pegboard.bootstrap import Pegboard
from pegboard.config import Settings
from pegboard.domain.items import BomLine, Item, Procurement, Supplier
from pegboard.domain.quantities import to_quantity
from pegboard.entrypoints.api.app import create_app
from pegboard.services import catalogue
from pegboard.services.tokens import Role, create_token
from tests.builders import make_items, set_stock
from tests.conftest import MONDAY
from tests.invariants import assert_invariants

with warnings.catch_warnings():
    # Starlette asks for the httpx2 package; until it is installed it warns on import.
    warnings.filterwarnings("ignore", message=".*httpx2.*", category=StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = ["MONDAY", "TestClient", "make_items", "set_stock"]


@dataclass
class Api:
    """A test client on a fresh database, with one token per role."""

    client: TestClient
    pb: Pegboard
    operator: str
    viewer: str
    admin: str

    def headers(self, token: str | None, key: str | None = None) -> dict[str, str]:
        found = {"Authorization": f"Bearer {token}"} if token else {}
        if key is not None:
            found["Idempotency-Key"] = key
        return found

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        token: str | None = "operator",
        **kw: Any,
    ) -> Any:
        """POST as the operator (or `token`: a role name, a raw token, or None for no header)."""
        raw = getattr(self, token, token) if token in ("operator", "viewer", "admin") else token
        return self.client.post(
            f"/api/v1{path}", json=body, headers=self.headers(raw, key) | kw.pop("headers", {}), **kw
        )

    def get(self, path: str, *, token: str | None = "viewer", **kw: Any) -> Any:
        """GET as a viewer (or `token`, as for `post`)."""
        raw = getattr(self, token, token) if token in ("operator", "viewer", "admin") else token
        return self.client.get(f"/api/v1{path}", headers=self.headers(raw), **kw)


def open_api(db_url: str, **settings: Any) -> Iterator[Api]:
    """An Api on `db_url` with the business date fixed to MONDAY; invariants are checked after."""
    app = create_app(Settings(database_url=db_url, **settings), today=MONDAY)
    pb: Pegboard = app.state.pegboard
    with TestClient(app) as client:
        api = Api(
            client,
            pb,
            operator=create_token("op", Role.OPERATOR, uow=pb.uow()),
            viewer=create_token("view", Role.VIEWER, uow=pb.uow()),
            admin=create_token("boss", Role.ADMIN, uow=pb.uow()),
        )
        yield api
        assert_invariants(pb.engine)


#: Every table's row count in one query: one round trip instead of one a table (42), which mattered
#: where a test counts after every step (the stateful rules count twice per plan run).
_COUNT_ROWS = select(
    *(
        select(func.count()).select_from(table).scalar_subquery().label(table.name)
        for table in metadata.sorted_tables
    )
)


def row_counts(pb: Pegboard) -> dict[str, int]:
    """How many rows each table holds, to show that a refused request wrote nothing."""
    with pb.engine.connect() as conn:
        return dict(conn.execute(_COUNT_ROWS).one()._mapping)


def assert_error(response: Any, status: int, code: str, *, field: str | None = None) -> dict[str, Any]:
    """The answer is an error of the one shape, with this status, code (and field)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    if field is not None:
        assert error.get("field") == field, error
    return error


def order_body(ref: str, *lines: tuple[str, Any], **fields: Any) -> dict[str, Any]:
    """A POST /orders body with (sku, quantity) lines."""
    return {
        "order_ref": ref,
        "customer": "Ada",
        "email": "ada@example.com",
        "lines": [{"sku": sku, "quantity": quantity, "unit_price": "10"} for sku, quantity in lines],
        **fields,
    }


def make_workshop(pb: Pegboard) -> None:
    """A small make item: LAMP = 1 SHADE + 2 BULB, one day to make; SHADE and BULB are bought."""
    catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=pb.uow())
    catalogue.save_items(
        [
            Item("LAMP", "Lamp", Procurement.MAKE, lead_time_days=1),
            Item("SHADE", "Shade", Procurement.BUY, supplier="Acme"),
            Item("BULB", "Bulb", Procurement.BUY, supplier="Acme"),
        ],
        uow=pb.uow(),
    )
    catalogue.save_boms(
        {"LAMP": [BomLine("SHADE", to_quantity("1")), BomLine("BULB", to_quantity("2"))]},
        uow=pb.uow(),
    )
