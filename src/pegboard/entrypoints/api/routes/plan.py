"""The plan: promises, suggested POs and MOs, the production queue; confirming suggestions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from pegboard.entrypoints.api.deps import Outcome, PegboardDep, ReaderDep, WriteDep
from pegboard.entrypoints.api.routing import api_router, json_response
from pegboard.services import planning
from pegboard.services.ports import UnitOfWork
from pegboard.views.plan import plan_json

router = api_router("plan")


class ConfirmIn(BaseModel):
    """What to confirm: nothing named means every suggestion; else one supplier's PO or one SKU's MOs."""

    model_config = ConfigDict(extra="forbid")
    supplier: str | None = Field(default=None, description="Confirm this supplier's suggested PO")
    sku: str | None = Field(default=None, description="Confirm the suggested MOs of this SKU")


@router.get("/plan")
def preview_plan(uow: ReaderDep, pb: PegboardDep) -> Response:
    """The plan as `pegboard plan --preview --json` prints it: what a run would change; nothing written."""
    run = planning.preview_plan(uow=uow, clock=pb.clock)
    return json_response(
        {**plan_json(run.result), "preview": True, "changed": len(run.changed), "new_dates": run.new_dates}
    )


@router.post("/plan/runs")
def run_plan(write: WriteDep) -> Response:
    """Plan, store every line's promise and announce the changed ones."""

    def work(uow: UnitOfWork) -> Outcome:
        run = planning.run_plan(uow=uow, clock=write.clock)
        return Outcome(
            200, {**plan_json(run.result), "changed": len(run.changed), "new_dates": run.new_dates}
        )

    return write.run(work)


@router.post("/plan/confirm", status_code=201)
def confirm_plan(write: WriteDep, body: Annotated[ConfirmIn | None, Body()] = None) -> Response:
    """Create the suggested POs and MOs (all, or one supplier's PO, or one SKU's MOs) in one transaction."""
    chosen = body or ConfirmIn()
    only = (
        None
        if chosen.supplier is None and chosen.sku is None
        else planning.Selector(chosen.supplier, chosen.sku)
    )

    def work(uow: UnitOfWork) -> Outcome:
        run = planning.run_plan(uow=uow, clock=write.clock, confirm=True, only=only)
        return Outcome(201, {"created": run.created, "skipped": run.skipped})

    return write.run(work)
