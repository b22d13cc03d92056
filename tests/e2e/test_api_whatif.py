"""What-if through REST (`POST /api/v1/whatif`): the CLI's JSON for any reader; bad parts are 422."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from pegboard.entrypoints import demo
from pegboard.services import planning
from pegboard.services.imports import ImportKind
from tests.builders import import_text
from tests.e2e.test_api_support import Api, open_api, row_counts
from tests.integration.services.test_reliable_promises import gem_po, planned_promise, workshop_with


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def crystal_workshop(api: Api) -> str:
    """The lightsaber workshop with PO-K (2 green crystals for SO-2) due in 14 days, planned."""
    demo.load_catalogue(api.pb)
    demo.place_orders(api.pb)
    due = api.pb.clock.today() + timedelta(days=14)
    import_text(
        api.pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date,unit_cost\n"
        f"PO-K,Crystal Broker,KYBER-GREEN,2,{due},400\n",
    )
    planning.run_plan(uow=api.pb.uow(), clock=api.pb.clock)
    return (due + timedelta(days=1)).isoformat()


def test_a_viewer_tries_a_late_supplier_and_nothing_is_written(api: Api) -> None:
    promised = crystal_workshop(api)
    later = (api.pb.clock.today() + timedelta(days=22)).isoformat()
    before = row_counts(api.pb)

    answer = api.post("/whatif", {"late": ["Crystal Broker:+7"]}, token="viewer")

    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert [(o["order_ref"], o["from"], o["to"]) for o in found["late_orders"]] == [("SO-2", promised, later)]
    assert found["scenario"] == {"demand": [], "late": ["Crystal Broker:+7"], "order": []}
    assert found["open_term"] == [] and found["extra"] == []
    assert row_counts(api.pb) == before


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"demand": ["SABER-BLUE:+lots%"]}, "+lots%"),
        ({"demand": ["SABER-BLUE:+10%:2026-13-01..2026-12-01"]}, "2026-13-01..2026-12-01"),
        ({"late": ["Nobody:+3"]}, "Nobody"),
        ({"order": ["NOPE:1"]}, "NOPE"),
        ({}, "scenario"),
    ],
)
def test_a_bad_part_is_422_naming_it_and_nothing_is_written(
    api: Api, body: dict[str, list[str]], named: str
) -> None:
    crystal_workshop(api)
    before = row_counts(api.pb)

    answer = api.post("/whatif", body, token="viewer")

    assert answer.status_code == 422, answer.text
    assert named in answer.text
    assert row_counts(api.pb) == before


def test_the_lines_named_carry_their_stated_dates_beside_the_reliability_adjusted_ones(api: Api) -> None:
    workshop_with(api.pb, late_receipts=6, unpredictable_receipts=0)
    due = gem_po(api.pb)  # Late Gems says 10 days and takes 12: PO-12 counts 2 days late
    planned_promise(api.pb, "GEM")

    answer = api.post("/whatif", {"late": ["PO-12:+3"]}, token="viewer")

    assert answer.status_code == 200, answer.text
    [late] = answer.json()["late_orders"]
    [line] = late["lines"]
    assert (line["order_ref"], line["sku"]) == ("SO-GEM", "GEM")
    assert (line["from"], line["to"]) == (day(due, 2), day(due, 5))
    assert (line["stated_from"], line["stated_to"]) == (day(due, 0), day(due, 3))


def day(start: date, days: int) -> str:
    return (start + timedelta(days=days)).isoformat()
