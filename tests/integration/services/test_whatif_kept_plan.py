"""What-if takes the plan as it is from the plan kept for today, not planning it again: the same
answer as planning it, and only while nothing planning reads changed since; nothing is written
(both databases)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import update

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.planning import PlanSnapshots
from pegboard.bootstrap import Pegboard
from pegboard.domain.sales import ShipPolicy
from pegboard.planning.kept_plan import pack
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.snapshot import PlanInput
from pegboard.services import planning, whatif
from tests.builders import make_order
from tests.conftest import MONDAY
from tests.integration.services.test_planning import lightsaber_after_first_shipments, order_green_crystals
from tests.integration.services.test_replan_writes import WATCHED, outbox_size, rows_written

DUE = MONDAY + timedelta(days=14)
#: Reading the kept plan whatever the size of the scenario's snapshot; never reading it.
ALWAYS, NEVER = 0, 10**9

SCENARIOS = [
    {"late": ["PO-1:+7"]},
    {"late": ["Crystal Broker:+3"]},
    {"late": ["Passing Traders:+2"]},
    {"orders": ["SABER-GREEN:3"]},
    {"demand": ["SABER-BLUE:+200%"], "orders": ["SABER-BLUE:2"]},
    {"late": ["Crystal Broker:+5", "Passing Traders:+1"], "orders": ["SABER-GREEN:1"]},
]


def planned_workshop(pb: Pegboard) -> None:
    """The lightsaber workshop after its first shipments, with PO-1's green crystals, planned."""
    lightsaber_after_first_shipments(pb)
    order_green_crystals(pb, DUE)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)


def answer(pb: Pegboard, scenario: whatif.Scenario, *, kept_from: int) -> whatif.WhatIf:
    return whatif.what_if(scenario, uow=pb.reader(), clock=pb.clock, kept_from=kept_from)


def keep_so2_a_month_later(pb: Pegboard) -> None:
    """Store, as the plan kept for today, the plan with SO-2 promised 30 days later than planned:
    an answer resting on it shows that the kept plan was read."""
    with pb.uow() as uow:
        kept = uow.plans.kept_result(uow.plans.inputs_seen(), planned_on=pb.clock.today())
    assert kept is not None and isinstance(kept.promises, PromiseTable)
    table = kept.promises
    so2 = np.flatnonzero(np.array([table.refs[k] == "SO-2" for k in table.line.tolist()], dtype=np.bool_))
    assert len(so2)
    table.day[so2] += 30
    with pb.engine.begin() as conn:
        conn.execute(update(t.stored_plans).values(kept_result=pack(kept)))


@pytest.mark.parametrize("given", SCENARIOS, ids=lambda given: " ".join(sum(given.values(), [])))
def test_the_kept_plan_gives_the_answer_of_planning_the_plan_as_it_is(
    pb: Pegboard, given: dict[str, list[str]]
) -> None:
    """An answer resting on the kept plan is the answer resting on the plan planned again."""
    planned_workshop(pb)
    scenario = whatif.parse_scenario(**given)

    from_kept = answer(pb, scenario, kept_from=ALWAYS)

    assert from_kept == answer(pb, scenario, kept_from=NEVER)


def test_the_plan_as_it_is_is_read_from_the_kept_plan_and_nothing_is_written(pb: Pegboard) -> None:
    """With nothing changed since the plan, the plan as it is is the kept one; a what-if writes nothing."""
    planned_workshop(pb)
    keep_so2_a_month_later(pb)
    scenario = whatif.parse_scenario(late=["PO-1:+7"])
    events = outbox_size(pb)

    found: list[whatif.WhatIf] = []
    written = rows_written(pb, lambda: found.append(answer(pb, scenario, kept_from=ALWAYS)))

    assert found[0].outcome.late_orders == ()  # SO-2 was kept a month later than PO-1's slip makes it
    assert [o.order_ref for o in answer(pb, scenario, kept_from=NEVER).outcome.late_orders] == ["SO-2"]
    assert written == {name: set() for name in WATCHED}
    assert outbox_size(pb) == events


def test_a_change_since_the_plan_makes_the_what_if_plan_the_plan_as_it_is_again(pb: Pegboard) -> None:
    """Once something planning reads changed after the kept plan, the kept plan is not used."""
    planned_workshop(pb)
    keep_so2_a_month_later(pb)
    make_order(pb, "SO-9", ("HILT", 1))
    scenario = whatif.parse_scenario(late=["PO-1:+7"])

    found = answer(pb, scenario, kept_from=ALWAYS)

    assert [o.order_ref for o in found.outcome.late_orders] == ["SO-2"]
    assert found == answer(pb, scenario, kept_from=NEVER)


def snapshot_reads(monkeypatch: pytest.MonkeyPatch) -> list[Collection[str] | None]:
    """The `orders` each snapshot read is given from now on (None: every order's lines)."""
    reads: list[Collection[str] | None] = []
    read = PlanSnapshots.snapshot

    def counted(self: PlanSnapshots, today: date, **given: Any) -> PlanInput:
        reads.append(given.get("orders"))
        return read(self, today, **given)

    monkeypatch.setattr(PlanSnapshots, "snapshot", counted)
    return reads


def test_a_kept_plan_of_plain_demand_gives_the_scenarios_lines_and_none_is_read(
    pb: Pegboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lines of the scenario's snapshot are the ones the kept plan promised: no order line is read."""
    planned_workshop(pb)
    scenario = whatif.parse_scenario(late=["Crystal Broker:+3"])
    planned = answer(pb, scenario, kept_from=NEVER)
    reads = snapshot_reads(monkeypatch)

    found = answer(pb, scenario, kept_from=ALWAYS)

    assert reads == [()]
    assert found == planned


def test_a_kept_plan_with_a_ship_complete_order_leaves_the_lines_to_be_read(
    pb: Pegboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept plan whose demand was not plain (here a ship-complete order) cannot stand for the
    lines: they are read, and the answer is the one planned again."""
    lightsaber_after_first_shipments(pb)
    order_green_crystals(pb, DUE)
    make_order(pb, "SO-9", ("SABER-GREEN", 1), ("SABER-BLUE", 1), ship_policy=ShipPolicy.COMPLETE)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    scenario = whatif.parse_scenario(late=["Crystal Broker:+3"])
    planned = answer(pb, scenario, kept_from=NEVER)
    reads = snapshot_reads(monkeypatch)

    found = answer(pb, scenario, kept_from=ALWAYS)

    assert reads == [(), None]
    assert found == planned


def test_entries_naming_nothing_known_are_refused_together_the_first_of_each_field_kept(pb: Pegboard) -> None:
    planned_workshop(pb)
    scenario = whatif.parse_scenario(
        demand=["NO-SUCH-SABER:+50%", "SABER-BLUE:+10%"],
        late=["PO-404:+7", "Nobody Ltd:+2"],
        orders=["GHOST:1"],
    )
    refused: list[whatif.ScenarioRefused] = []

    def try_it() -> None:
        with pytest.raises(whatif.ScenarioRefused) as caught:
            answer(pb, scenario, kept_from=NEVER)
        refused.append(caught.value)

    written = rows_written(pb, try_it)

    assert (refused[0].field, refused[0].value) == ("demand", "NO-SUCH-SABER:+50%")
    assert [(e.field, e.value) for e in refused[0].errors] == [
        ("demand", "NO-SUCH-SABER:+50%"),
        ("order", "GHOST:1"),
        ("late", "PO-404:+7"),
    ]
    assert written == {name: set() for name in WATCHED}
