"""`GET /api/v1/supply` says how old each MO's feasible dates are: the day of the plan they come
from and whether anything planning reads changed since (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from pegboard.adapters.clock import FixedClock
from pegboard.entrypoints.api.schemas import SupplyOut
from tests.conftest import MONDAY
from tests.e2e.test_api_support import Api, make_workshop, open_api

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def rows(api: Api) -> dict[str, dict[str, Any]]:
    response = api.get("/supply")
    assert response.status_code == 200
    for row in response.json():
        SupplyOut.model_validate(row)
    return {row["ref"]: row for row in response.json()}


def age(row: dict[str, Any]) -> tuple[Any, Any]:
    return row["plan_as_of"], row["plan_out_of_date"]


def test_an_mo_dated_before_any_plan_run_is_dated_today_and_not_out_of_date(api: Api) -> None:
    make_workshop(api.pb)
    assert api.post("/manufacturing-orders", {"sku": "LAMP", "quantity": 2}).status_code == 201

    found = rows(api)

    assert age(found["MO-1"]) == (MONDAY.isoformat(), False)


def test_mo_dates_from_the_stored_plan_say_its_day_and_when_it_went_out_of_date(api: Api) -> None:
    make_workshop(api.pb)
    assert api.post("/manufacturing-orders", {"sku": "LAMP", "quantity": 2}).status_code == 201
    assert api.post("/plan/runs").status_code == 200
    fresh = rows(api)

    api.pb.clock = FixedClock(TUESDAY)
    po = {"po_ref": "PO-1", "supplier": "Acme", "lines": [{"sku": "SHADE", "quantity": 5}]}
    assert api.post("/purchase-orders", po).status_code == 201
    assert api.post("/manufacturing-orders", {"sku": "LAMP", "quantity": 1}).status_code == 201
    stale = rows(api)
    assert api.post("/plan/runs").status_code == 200
    replanned = rows(api)

    assert age(fresh["MO-1"]) == (MONDAY.isoformat(), False)
    assert age(stale["MO-1"]) == (MONDAY.isoformat(), True)
    assert stale["MO-1"]["feasible_due"] == fresh["MO-1"]["feasible_due"]
    assert age(stale["MO-2"]) == (TUESDAY.isoformat(), False)
    assert age(stale["PO-1"]) == (None, None)
    assert age(replanned["MO-1"]) == age(replanned["MO-2"]) == (TUESDAY.isoformat(), False)
