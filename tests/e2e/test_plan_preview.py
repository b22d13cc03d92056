"""A plan preview tells nobody: `plan --preview` and `GET /api/v1/plan` compute, and write nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from pegboard.adapters.clock import FixedClock
from pegboard.adapters.db.tables import metadata
from pegboard.bootstrap import Pegboard
from pegboard.domain.items import Item, Procurement, Supplier
from pegboard.entrypoints import demo
from pegboard.entrypoints.cli import main
from pegboard.services import catalogue, planning, shipping
from tests.builders import make_order, set_stock
from tests.conftest import MONDAY
from tests.e2e.test_api_support import Api, open_api, row_counts

#: The shop is set up and planned on MONDAY; the CLI's preview looks at it three days on.
LATER = (MONDAY + timedelta(days=3)).isoformat()


def everything(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as text (a token's last use is not the shop's data)."""
    with engine.connect() as conn:
        return {
            table.name: sorted(
                tuple(str(v) for k, v in row._mapping.items() if "last_used" not in k)
                for row in conn.execute(select(table))
            )
            for table in metadata.sorted_tables
        }


def a_shop_a_plan_run_would_change(pb: Pegboard) -> None:
    """The lightsaber workshop planned once, and a preorder released two days on, with stock on hand."""
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    for ref in ("SO-1", "SO-3"):
        shipping.ship_order(ref, uow=pb.uow(), clock=pb.clock)
    catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=pb.uow())
    release = pb.clock.today() + timedelta(days=2)
    lamp = Item("GALAXY-LAMP", "Galaxy lamp", Procurement.BUY, supplier="Acme", release_date=release)
    catalogue.save_items([lamp], uow=pb.uow())
    set_stock(pb, GALAXY_LAMP=2)
    make_order(pb, "SO-4", ("GALAXY-LAMP", 1))
    planning.run_plan(uow=pb.uow(), clock=pb.clock)


def cli(pb: Pegboard, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", pb.settings.database_url, "--today", LATER, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_plan_preview_writes_nothing_though_a_plan_run_would(
    pb: Pegboard, capsys: pytest.CaptureFixture[str]
) -> None:
    a_shop_a_plan_run_would_change(pb)
    before = everything(pb.engine)
    counts = row_counts(pb)

    code, out, _ = cli(pb, capsys, "plan", "--preview", "--json")

    assert code == 0
    body = json.loads(out)
    assert {"promises", "purchase_suggestions", "production_suggestions", "production_queue"} <= body.keys()
    assert body["preview"] is True and body["changed"] >= 1 and body["new_dates"] >= 1
    assert row_counts(pb) == counts
    assert everything(pb.engine) == before
    code, out, _ = cli(pb, capsys, "plan", "--preview")
    assert code == 0 and "Preview: nothing stored, nobody told." in out
    assert everything(pb.engine) == before
    # The same shop, planned for real: promises move, customers are told, the preorder is released.
    assert cli(pb, capsys, "plan", "--json")[0] == 0
    after = row_counts(pb)
    assert after["outbox"] > counts["outbox"]
    assert everything(pb.engine)["line_promises"] != before["line_promises"]
    assert everything(pb.engine)["order_lines"] != before["order_lines"]


def test_plan_preview_cannot_confirm_suggestions(pb: Pegboard, capsys: pytest.CaptureFixture[str]) -> None:
    a_shop_a_plan_run_would_change(pb)
    before = everything(pb.engine)

    code, _, err = cli(pb, capsys, "plan", "--preview", "--confirm")

    assert code == 2
    assert "--preview and --confirm cannot go together" in err
    assert everything(pb.engine) == before


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def test_the_plan_over_rest_says_what_a_run_would_change_and_writes_nothing(api: Api) -> None:
    a_shop_a_plan_run_would_change(replace(api.pb, clock=FixedClock(MONDAY - timedelta(days=3))))
    before = everything(api.pb.engine)

    answer = api.get("/plan")

    assert answer.status_code == 200
    body = answer.json()
    assert {"promises", "purchase_suggestions", "production_suggestions", "production_queue"} <= body.keys()
    assert body["preview"] is True and body["changed"] >= 1 and body["new_dates"] >= 1
    assert everything(api.pb.engine) == before
    ran = api.post("/plan/runs")
    assert ran.status_code == 200
    assert (ran.json()["changed"], ran.json()["new_dates"]) == (body["changed"], body["new_dates"])
    assert everything(api.pb.engine)["outbox"] != before["outbox"]
