"""What-if (`/plan/whatif`): a scenario form beside the plan, its answer planned in memory; nothing written.

The form is a GET (trying a scenario changes nothing, and its address can be shared); a refused
scenario comes back with status 422 and the message beside the field it names.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pegboard.domain.errors import InvalidValue
from pegboard.entrypoints.web.auth import UserDep
from pegboard.entrypoints.web.forms import FieldError, error_for
from pegboard.entrypoints.web.inputs import board
from pegboard.entrypoints.web.rendering import Renderer
from pegboard.services import whatif
from pegboard.views.whatif import WhatIfPage

#: The form's fields, each one scenario entry a line, as the service names them.
FIELDS = {"demand": "demand", "late": "late", "order": "order", "scenario": "demand"}


def make_router(renderer: Renderer) -> APIRouter:
    """GET /plan/whatif."""
    router = APIRouter(include_in_schema=False)

    @router.get("/plan/whatif", response_class=HTMLResponse)
    def whatif_page(
        request: Request, user: UserDep, demand: str = "", late: str = "", order: str = "", tried: str = ""
    ) -> HTMLResponse:
        """The scenario form, and the scenario's answer once tried."""
        pb = board(request)
        values = {"demand": demand, "late": late, "order": order}
        page = WhatIfPage(pb.clock.today(), values)
        if not tried:
            return renderer.page(request, "whatif.html", page, title="What-if", user=user)
        try:
            scenario = whatif.parse_scenario(demand.splitlines(), late.splitlines(), order.splitlines())
            found = whatif.what_if(scenario, uow=pb.reader(), clock=pb.clock)
        except InvalidValue as error:
            # Every field's first bad entry is shown beside it, not only the first field's.
            refused = error.errors if isinstance(error, whatif.ScenarioRefused) else [error]
            each = (
                whatif.scenario_errors(demand.splitlines(), late.splitlines(), order.splitlines()) or refused
            )
            errors: list[FieldError] = [error_for(e, FIELDS, default="demand") for e in each]
            return renderer.page(request, "whatif.html", page, title="What-if", user=user, errors=errors)
        shown = WhatIfPage(page.today, values, found)
        return renderer.page(request, "whatif.html", shown, title="What-if", user=user)

    return router
