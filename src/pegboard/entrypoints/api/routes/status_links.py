"""Links to an order's status page: an operator issues one for the customer, or revokes them all."""

from __future__ import annotations

from fastapi.responses import Response
from pydantic import BaseModel, Field

from pegboard.entrypoints.api.deps import OperatorDep, Outcome, PegboardDep, WriteDep
from pegboard.entrypoints.api.routing import api_router, json_response
from pegboard.services import status_links
from pegboard.services.ports import UnitOfWork
from pegboard.services.runner import with_retries

router = api_router("status links")


class StatusLinkOut(BaseModel):
    """A new link: the full address to send the customer, and its token (shown only this once)."""

    url: str = Field(description="The status page: PEGBOARD_PUBLIC_URL/status/TOKEN")
    token: str


class RevokedOut(BaseModel):
    """How many live links of the order were revoked."""

    order_ref: str
    revoked: int


@router.post("/orders/{order_ref}/status-links", status_code=201, response_model=StatusLinkOut)
def issue_status_link(order_ref: str, pb: PegboardDep, _caller: OperatorDep) -> Response:
    """A new link to the order's status page; earlier links stay live until revoked.

    The token is kept only as a hash, so this answer is never stored for an Idempotency-Key
    replay: sending the request again issues one more link.
    """
    token = with_retries(lambda: status_links.issue_link(order_ref, uow=pb.uow()))
    body = {"url": status_links.status_url(pb.settings.public_url, token), "token": token}
    return json_response(body, status=201, headers={"Cache-Control": "no-store"})


@router.delete("/orders/{order_ref}/status-links", response_model=RevokedOut)
def revoke_status_links(order_ref: str, write: WriteDep) -> Response:
    """Revoke every link to the order's status page; they answer 404 from now on."""

    def work(uow: UnitOfWork) -> Outcome:
        return Outcome(
            200, {"order_ref": order_ref, "revoked": status_links.revoke_links(order_ref, uow=uow)}
        )

    return write.run(work)
