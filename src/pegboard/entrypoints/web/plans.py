"""The plan the supply pages show: the stored one when a plan run kept it, else planned for the page."""

from __future__ import annotations

from dataclasses import replace

from pegboard.bootstrap import Pegboard
from pegboard.planning.result import PlanResult
from pegboard.services import planning
from pegboard.views.stored_plan import PLANNED_NOW, PlanState, read_stored_plan, stored_promises


def shown_plan(pb: Pegboard, *, promises: int = 0) -> tuple[PlanState, PlanResult]:
    """The stored plan with (up to `promises` of) its kept promises; before any plan run, a plan
    made now and not kept (the only case that plans on a page visit)."""
    with pb.reader() as uow:
        found = read_stored_plan(uow.connection)
        if found is not None:
            state, result = found
            return state, replace(result, promises=stored_promises(uow.connection, limit=promises))
    return PLANNED_NOW, planning.preview_plan(uow=pb.reader(), clock=pb.clock).result
