"""The plan through REST: a preview for readers, runs and confirmations for operators."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pegboard.entrypoints import demo
from pegboard.services import shipping
from tests.e2e.test_api_support import Api, assert_error, open_api, row_counts


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def lightsaber(api: Api) -> None:
    demo.load_catalogue(api.pb)
    demo.place_orders(api.pb)
    for ref in ("SO-1", "SO-3"):
        shipping.ship_order(ref, uow=api.pb.uow(), clock=api.pb.clock)


def test_a_viewer_previews_the_plan_without_storing_promises(api: Api) -> None:
    lightsaber(api)
    before = row_counts(api.pb)

    answer = api.get("/plan")

    assert answer.status_code == 200
    body = answer.json()
    assert {"promises", "purchase_suggestions", "production_suggestions", "production_queue"} <= body.keys()
    assert {p["order_ref"]: p["date"] for p in body["promises"]} == {"SO-1": "2026-11-24", "SO-2": None}
    assert row_counts(api.pb) == before


def test_an_operator_runs_the_plan_and_its_promises_are_stored(api: Api) -> None:
    lightsaber(api)

    answer = api.post("/plan/runs")

    assert answer.status_code == 200 and answer.json()["changed"] == 2
    assert row_counts(api.pb)["line_promises"] == 2
    assert_error(api.post("/plan/runs", token="viewer"), 403, "forbidden")


def test_one_suppliers_suggested_po_can_be_confirmed_alone(api: Api) -> None:
    lightsaber(api)

    answer = api.post("/plan/confirm", {"supplier": "Crystal Broker"})

    assert answer.status_code == 201 and answer.json()["created"] == ["PO-1"]
    assert row_counts(api.pb)["manufacturing_orders"] == 0
    again = api.post("/plan/confirm", {"supplier": "Crystal Broker"})
    assert_error(again, 409, "nothing_suggested")


def test_one_skus_suggested_mos_can_be_confirmed_alone(api: Api) -> None:
    lightsaber(api)

    answer = api.post("/plan/confirm", {"sku": "SABER-GREEN"})

    assert answer.status_code == 201 and answer.json()["created"] == ["MO-1", "MO-2"]
    assert row_counts(api.pb)["purchase_orders"] == 0
