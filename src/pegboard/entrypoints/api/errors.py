"""The one registry that turns errors into HTTP answers: status code and a JSON body of one shape.

Every error answer is ``{"error": {"code": ..., "message": ..., ...details}}``; the code is stable
and meant for machines, the message for people.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pegboard.adapters.shopify.mapping import MalformedJson
from pegboard.domain.errors import (
    ActionRefused,
    BadInput,
    DomainError,
    DuplicateRef,
    Forbidden,
    MissingMaterials,
    Unauthorised,
    UnknownReference,
    UnknownSku,
)
from pegboard.entrypoints.intake_process import IntakeStopped
from pegboard.services.ports import TransientConflict, UniqueClash
from pegboard.services.runner import KeyTaken
from pegboard.views.json import number

log = logging.getLogger("pegboard.api")


class IdempotencyKeyReused(BadInput):
    """An Idempotency-Key came back with a different request than the one it first answered."""

    code = "idempotency_key_reused"


class UnsupportedMediaType(BadInput):
    """The body came in a format this endpoint does not read."""

    code = "unsupported_media_type"


class MissingHeader(BadInput):
    """A request header the endpoint needs was not sent."""

    code = "missing_header"

    def __init__(self, header: str) -> None:
        super().__init__(f"header {header} is required")
        self.field = header


#: Error class -> HTTP status. The most specific class in an error's MRO wins.
STATUS_BY_ERROR: dict[type[Exception], int] = {
    UnsupportedMediaType: 415,
    MissingHeader: 400,
    MalformedJson: 400,
    UnknownReference: 404,
    DuplicateRef: 409,
    BadInput: 422,
    ActionRefused: 409,
    Unauthorised: 401,
    Forbidden: 403,
    DomainError: 422,
    UniqueClash: 409,
    TransientConflict: 503,
    OperationalError: 503,
    IntakeStopped: 503,
    DataError: 422,
}

#: HTTP status -> code, for errors raised by the framework rather than by Pegboard.
CODE_BY_STATUS = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    503: "unavailable",
}

_DETAILS = ("field", "value", "row", "ref", "path", "problems")


def status_for(error: BaseException) -> int:
    """The status of the nearest registered class in the error's MRO; 500 when none is."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_json(code: str, message: str, **details: Any) -> dict[str, Any]:
    """The error shape: a code for machines, a message for people, and any details."""
    return {"error": {"code": code, "message": message, **details}}


def json_bytes(body: Any) -> bytes:
    """UTF-8 JSON that never fails on text it echoes: a lone surrogate is written as its escape."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace")


def error_response(status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> Response:
    """A JSON error answer; 401s say which scheme to use."""
    merged = dict(headers or {})
    if status == 401:
        merged.setdefault("WWW-Authenticate", "Bearer")
    return Response(json_bytes(body), status_code=status, media_type="application/json", headers=merged)


def plain_value(value: object) -> object:
    """A value as it can appear in JSON: text, whole number, boolean or null; anything else as text.

    Decimals stay text, so the value shown is exactly the one sent.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def domain_error_json(error: DomainError) -> dict[str, Any]:
    """A domain error's code and message, with whatever details it carries."""
    details: dict[str, Any] = {}
    for name in _DETAILS:
        found = getattr(error, name, None)
        if found is None:
            continue
        if isinstance(found, list):
            details[name] = [plain_value(v) for v in found]
        else:
            details[name] = plain_value(found)
    if isinstance(error, MissingMaterials):
        details["shortages"] = [
            {"sku": s.sku, "quantity": number(s.quantity), "level": s.level} for s in error.shortages
        ]
    return error_json(error.code, error.message, **details)


def in_lines(error: UnknownSku, skus: Sequence[str]) -> UnknownSku:
    """The same error naming the request line that holds the unknown SKU (``lines[2].sku``)."""
    if error.field != "sku" or error.ref not in skus:
        return error
    return UnknownSku(error.ref, field=f"lines[{list(skus).index(error.ref)}].sku")


def field_path(loc: Sequence[int | str]) -> str:
    """A pydantic location as a field path: ("body", "lines", 0, "sku") -> "lines[0].sku"."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "body"


def _shortened(value: object, limit: int = 100) -> object:
    """Long text sent back in an error is cut, so an error never echoes a whole body."""
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "..."
    return value


_REASONS = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "model_type": "must be a JSON object",
}


def validation_error_json(errors: Sequence[Any]) -> dict[str, Any]:
    """Request validation problems in the error shape, naming the first bad field and listing all."""
    problems = []
    for raw in errors:
        kind = str(raw.get("type", ""))
        if kind == "json_invalid":
            reason = f"is not valid JSON ({raw.get('ctx', {}).get('error', 'decode error')})"
            return error_json("malformed_json", f"the body {reason}", field="body")
        field = field_path(raw.get("loc", ()))
        reason = _REASONS.get(kind, str(raw.get("msg", "is not valid")).removeprefix("Value error, "))
        problem: dict[str, Any] = {"field": field, "message": reason}
        value = raw.get("input")
        shown = kind not in ("missing", "extra_forbidden") and not isinstance(value, dict | list)
        if shown:
            problem["value"] = _shortened(plain_value(value))
        problems.append(problem)
    first = problems[0] if problems else {"field": "body", "message": "is not valid"}
    where = f"field {first['field']!r}"
    if "value" in first:
        where += f", value {str(first['value'])!r}"
    return error_json(
        "invalid_value",
        f"{where}: {first['message']}",
        field=first["field"],
        **({"value": first["value"]} if "value" in first else {}),
        problems=problems,
    )


async def _on_domain_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    return error_response(status_for(error), domain_error_json(error))


async def _on_validation_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    return error_response(422, validation_error_json(error.errors()))


async def _on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    code = CODE_BY_STATUS.get(error.status_code, "http_error")
    headers = dict(getattr(error, "headers", None) or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return error_response(error.status_code, error_json(code, str(error.detail)), headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers on this path (routes for one path may be several)."""
    methods = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.routes
        )
    ]
    return methods


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


async def _on_busy(_request: Request, error: Exception) -> Response:
    log.warning("database busy or unreachable: %s", error)
    body = error_json("unavailable", "the database is busy or unreachable; try again shortly")
    return error_response(status_for(error), body, headers={"Retry-After": "1"})


async def _on_unique_clash(_request: Request, error: Exception) -> Response:
    assert isinstance(error, UniqueClash)
    return error_response(409, domain_error_json(KeyTaken(error)))


async def _on_writer_stopped(_request: Request, error: Exception) -> Response:
    log.warning("order writer stopped: %s", error)
    body = error_json("unavailable", "the order writer stopped before it answered; send the order again")
    return error_response(503, body, headers={"Retry-After": "1"})


async def _on_unstorable(_request: Request, error: Exception) -> Response:
    assert isinstance(error, DataError)
    reason = str(error.orig).splitlines()[0] if error.orig is not None else "cannot be stored"
    log.warning("a value the database refused: %s", reason)
    return error_response(422, error_json("invalid_value", f"a value cannot be stored: {reason}"))


async def _on_unexpected(_request: Request, error: Exception) -> Response:
    log.exception("unexpected error", exc_info=error)
    return error_response(500, error_json("internal_error", "an unexpected error occurred"))


#: Errors that mean the database is busy or unreachable (or the order writer stopped): 503.
BUSY_ERRORS: tuple[type[Exception], ...] = (TransientConflict, OperationalError, IntakeStopped)


def register_error_handlers(app: FastAPI) -> None:
    """Route every error through the registry above, so all answers share one shape."""
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(UniqueClash, _on_unique_clash)
    app.add_exception_handler(TransientConflict, _on_busy)
    app.add_exception_handler(OperationalError, _on_busy)
    app.add_exception_handler(IntakeStopped, _on_writer_stopped)
    app.add_exception_handler(DataError, _on_unstorable)
    app.add_exception_handler(Exception, _on_unexpected)


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413, before any route reads them."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the body up to the limit, then hand it to the app as if it had just arrived."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = error_json("too_large", f"the request body is larger than {self.max_bytes} bytes")
        response = Response(
            json.dumps(body).encode(),
            status_code=413,
            media_type="application/json",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
