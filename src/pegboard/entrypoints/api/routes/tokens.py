"""API tokens, for admins: list them (never their secrets) and revoke one, refused from then on."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from pegboard.entrypoints.api.deps import AdminDep, AdminReaderDep, PegboardDep
from pegboard.entrypoints.api.routing import api_router, json_response
from pegboard.services import tokens
from pegboard.services.ports import StoredToken
from pegboard.services.runner import with_retries
from pegboard.services.tokens import TokenCache

router = api_router("tokens")


_MOMENT = "YYYY-MM-DDTHH:MM:SS, the server's time"


class TokenOut(BaseModel):
    """A token as listed: its name, role, when it was made, last used (to the minute) and revoked."""

    name: str
    role: tokens.Role
    created_at: str = Field(description=_MOMENT)
    last_used_at: str | None = Field(description=_MOMENT)
    revoked_at: str | None = Field(description=_MOMENT)


def _moment(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def token_json(token: StoredToken) -> dict[str, object]:
    """A token in the listed shape."""
    return {
        "name": token.name,
        "role": token.role,
        "created_at": _moment(token.created_at),
        "last_used_at": _moment(token.last_used_at),
        "revoked_at": _moment(token.revoked_at),
    }


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(uow: AdminReaderDep) -> Response:
    """Every token by name, live or revoked; admins only."""
    return json_response([token_json(token) for token in tokens.list_tokens(uow=uow)])


@router.delete("/tokens/{name}", response_model=TokenOut)
async def revoke_token(name: str, request: Request, pb: PegboardDep, _caller: AdminDep) -> Response:
    """Revoke a token: it is refused from the next request on; admins only. Revoking again is a 200."""
    found, _revoked = await run_in_threadpool(
        lambda: with_retries(lambda: tokens.revoke_token(name, uow=pb.uow()))
    )
    cache: TokenCache = request.app.state.tokens
    cache.forget(name)
    return json_response(token_json(found))
