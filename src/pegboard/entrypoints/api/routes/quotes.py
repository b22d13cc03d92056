"""Quotes: the dates an order would get if placed now, by the rules of a promise; nothing written."""

from __future__ import annotations

from fastapi.responses import Response
from pydantic import Field

from pegboard.domain.errors import UnknownSku
from pegboard.domain.sales import ShipPolicy
from pegboard.entrypoints.api.deps import CredentialsDep, PegboardDep, ReaderDep
from pegboard.entrypoints.api.errors import domain_error_json, error_response, in_lines
from pegboard.entrypoints.api.routing import api_router, json_response
from pegboard.entrypoints.api.schemas import Address, Customer, Email, In, LineIn, Priority
from pegboard.services import quoting
from pegboard.services.runner import with_retries
from pegboard.services.tokens import Role, identify, require
from pegboard.views.quotes import quote_json

router = api_router("quotes")


class QuoteIn(In):
    """An order's body without its ref (and without `ordered_at`: a quote is for an order placed now).

    `customer`, `email` and `ship_to` are taken so the same body can be sent to quote and then to
    order; they do not change the dates."""

    customer: Customer = ""
    email: Email | None = None
    priority: Priority = 0
    ship_policy: ShipPolicy = ShipPolicy.PARTIAL
    ship_to: Address | None = None
    lines: list[LineIn] = Field(min_length=1, max_length=quoting.MAX_LINES)
    hold_minutes: int | None = Field(
        default=None,
        description="Hold what the quote takes from stock for this many minutes (an operator's token); "
        "the answer's `quote_id` then goes in the order's `quote_id`",
    )

    def to_request(self) -> quoting.QuoteRequest:
        return quoting.QuoteRequest(
            tuple((line.sku, line.quantity) for line in self.lines),
            self.priority,
            self.ship_policy,
            tuple(line.options for line in self.lines),
        )


@router.post("/quotes")
def create_quote(body: QuoteIn, uow: ReaderDep, pb: PegboardDep, credentials: CredentialsDep) -> Response:
    """What an order placed now would get: `now` from stock per line, then dated `parts`, and the
    order's `date` (null: open term). Nothing is written, unless `hold_minutes` holds what the
    lines take from stock now (the answer adds `quote_id` and `hold_until`)."""
    try:
        if body.hold_minutes is None:
            found = quoting.quote(body.to_request(), uow=uow, clock=pb.clock, leftovers=pb.leftovers)
        else:
            # A hold writes: it needs an operator's token, as placing the order would.
            require(
                *identify(credentials.credentials.strip() if credentials else None, uow=uow), Role.OPERATOR
            )
            minutes = body.hold_minutes
            found = with_retries(
                lambda: quoting.quote_and_hold(body.to_request(), minutes, uow=pb.uow(), clock=pb.clock)
            )
    except UnknownSku as error:
        # A quote's unknown SKU is bad input in the body (422), naming the line, not a missing resource.
        located = in_lines(error, [line.sku for line in body.lines])
        return error_response(422, domain_error_json(located))
    return json_response(quote_json(found))
