"""The plan the supply pages show: the stored one when a plan run kept it, else planned for the page."""

from __future__ import annotations

from dataclasses import replace

from pegboard.bootstrap import Pegboard
from pegboard.planning.result import PlanResult
from pegboard.services import planning
from pegboard.views.stored_plan import PLANNED_NOW, PlanState, read_stored_plan, stored_promises


def shown_plan(
    pb: Pegboard, *, promises: int = 0, queue: slice = slice(None)
) -> tuple[PlanState, PlanResult]:
    """The stored plan with (up to `promises` of) its kept promises and the `queue` slice of its
    production queue; before any plan run, a plan made now and not kept (the only case that plans
    on a page visit)."""
    start = queue.start or 0
    limit = None if queue.stop is None else queue.stop - start
    with pb.reader() as uow:
        found = read_stored_plan(uow.connection, queue_offset=start, queue_limit=limit)
        if found is not None:
            state, result = found
            return state, replace(result, promises=stored_promises(uow.connection, limit=promises))
    result = planning.preview_plan(uow=pb.reader(), clock=pb.clock).result
    return PLANNED_NOW, replace(result, production_queue=result.production_queue[queue])
