"""How API routes read JSON (exactly: numbers become Decimal, never float) and answer with JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine, Mapping
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from pegboard.entrypoints.api.schemas import ErrorOut

#: The error answers every authenticated route may give, for the OpenAPI description.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No valid bearer token"},
    403: {"model": ErrorOut, "description": "The token's role does not allow this"},
    404: {"model": ErrorOut, "description": "A reference names nothing known"},
    409: {"model": ErrorOut, "description": "Refused in the current state, or a ref reused"},
    422: {"model": ErrorOut, "description": "Bad input: the error names the field"},
}


def _refuse_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not allowed", name, 0)


#: A \uD800-\uDFFF escape: a surrogate, valid JSON only as half of a pair.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def loads_exactly(body: bytes) -> Any:
    """JSON with every non-integer number as an exact Decimal; NaN, Infinity and lone surrogates
    (text no database can store) are refused."""
    try:
        parsed = json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as error:
        raise json.JSONDecodeError(str(error), "", 0) from None
    if _SURROGATE_ESCAPE.search(body) and _holds_lone_surrogate(parsed):
        raise json.JSONDecodeError("a \\u escape is a lone surrogate, not a character", "", 0)
    return parsed


def _holds_lone_surrogate(parsed: Any) -> bool:
    try:
        json.dumps(parsed, ensure_ascii=False, default=str).encode()
    except UnicodeEncodeError:
        return True
    return False


class ExactJsonRequest(Request):
    """A request whose JSON body keeps 1.5 as Decimal("1.5") rather than a binary float."""

    async def json(self) -> Any:
        """The body parsed once, exactly."""
        if not hasattr(self, "_json"):
            self._json = loads_exactly(await self.body())
        return self._json


class ExactJsonRoute(APIRoute):
    """A route that hands its endpoint an `ExactJsonRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler so body parsing goes through `loads_exactly`."""
        handler = super().get_route_handler()

        async def exact_handler(request: Request) -> Response:
            return await handler(ExactJsonRequest(request.scope, request.receive))

        return exact_handler


def api_router(tag: str) -> APIRouter:
    """A router for one group of endpoints, parsing JSON exactly and documenting the error shape."""
    return APIRouter(
        tags=[tag],
        route_class=ExactJsonRoute,
        responses=ERROR_RESPONSES,
    )


def dump(body: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(body: Any, *, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON answer, serialised once (no second pass through a response model)."""
    return Response(dump(body), status_code=status, media_type="application/json", headers=headers)


def paged(request: Request, found: list[Any], *, limit: int, offset: int, status: int = 200) -> Response:
    """One page of a list; `found` holds up to limit + 1 rows, and a next page is linked when it has more."""
    headers = {}
    if len(found) > limit:
        found = found[:limit]
        following = request.url.include_query_params(limit=limit, offset=offset + limit)
        headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    return json_response(found, status=status, headers=headers)
