"""What-if: the plan re-made for a scenario in memory, as `pegboard whatif --json`; nothing is written."""

from __future__ import annotations

from typing import Annotated

from fastapi.responses import Response
from pydantic import Field, StringConstraints

from pegboard.entrypoints.api.deps import PegboardDep, ReaderDep
from pegboard.entrypoints.api.routing import api_router, json_response
from pegboard.entrypoints.api.schemas import In, Printable
from pegboard.services import whatif
from pegboard.views.whatif import whatif_json

router = api_router("plan")

Part = Annotated[str, StringConstraints(max_length=whatif.MAX_TEXT), Printable()]
Parts = Annotated[list[Part], Field(max_length=whatif.MAX_ENTRIES)]


class WhatIfIn(In):
    """A scenario in the CLI's words: `demand` (`SKU:+200%[:FROM..TO]`), `late`
    (`PO_OR_SUPPLIER:+DAYS`) and `order` (`SKU:QTY`), each a list; at least one entry in all."""

    demand: Parts = []
    late: Parts = []
    order: Parts = []


@router.post("/whatif")
def create_whatif(body: WhatIfIn, uow: ReaderDep, pb: PegboardDep) -> Response:
    """Which orders go late (from which date to which), which lines become open term, what more to
    buy or make and by when, and its cost. A bad part is 422 naming it; nothing is written."""
    scenario = whatif.parse_scenario(body.demand, body.late, body.order)
    return json_response(whatif_json(whatif.what_if(scenario, uow=uow, clock=pb.clock)))
