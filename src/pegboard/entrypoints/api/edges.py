"""Guards at the edge of the app: text no database can take is refused before any route sees it,
and an unexpected error is still one complete JSON answer on a connection that stays usable.
"""

from __future__ import annotations

import inspect
import logging
import re
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pegboard.entrypoints.api.errors import error_json, json_bytes

log = logging.getLogger("pegboard.api")

#: C0 and C1 control characters (NUL first: PostgreSQL text cannot hold it) and lone surrogates.
UNSTORABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether the text holds a control character or a lone surrogate."""
    return UNSTORABLE.search(text) is not None


def _shown(text: str) -> str:
    return ascii(text)[1:-1][:100]


def control_character_problem(scope: Scope) -> tuple[str, str] | None:
    """(field, value shown escaped) of the first path or query value with a control character."""
    path = scope.get("path", "")
    if unstorable(path):
        return "path", _shown(path)
    query = scope.get("query_string", b"").decode("latin-1")
    if "%" not in query and not unstorable(query):
        return None
    for name, value in parse_qsl(query, keep_blank_values=True, errors="surrogateescape"):
        if unstorable(name):
            return "query", _shown(name)
        if unstorable(value):
            return name, _shown(value)
    return None


class ControlCharacters(ValueError):
    """A path or query value holds a control character or a lone surrogate."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"field {field!r}, value '{value}': must not hold control characters")
        self.field, self.value = field, value


def control_characters_json(_request: Request, error: Exception) -> Response:
    """The API's answer: a 422 naming the field and the value (escaped)."""
    assert isinstance(error, ControlCharacters)
    body = error_json("invalid_value", str(error), field=error.field, value=error.value)
    return Response(json_bytes(body), status_code=422, media_type="application/json")


class RefuseControlCharacters:
    """A path or query value with a control character is refused before routing: by the app's
    handler for `ControlCharacters` (the pages install one for theirs), else a JSON 422."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse the request when its path or query holds a control character; else pass it on."""
        problem = control_character_problem(scope) if scope["type"] == "http" else None
        if problem is None:
            await self.app(scope, receive, send)
            return
        handlers = getattr(scope.get("app"), "exception_handlers", {})
        answer = handlers.get(ControlCharacters, control_characters_json)(
            Request(scope), ControlCharacters(*problem)
        )
        response: Response = await answer if inspect.isawaitable(answer) else answer
        await response(scope, receive, send)


class CatchUnexpected:
    """An error no handler knows becomes a complete 500 JSON answer, and the connection lives on.

    Starlette's own last-resort handler answers, then raises the error again to the server,
    which closes the connection without saying so; here it stops with the answer. If the answer
    had already begun, the error goes on to the server, which closes the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; answer 500 in JSON when it fails before answering."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            if started:
                raise
            response = await _answer_unexpected(scope, error)
            await response(scope, receive, send)


async def _answer_unexpected(scope: Scope, error: Exception) -> Response:
    """The app's handler for `Exception` (the pages install one that answers them with a page), or
    the JSON 500 when the app has none."""
    handler = getattr(scope.get("app"), "exception_handlers", {}).get(Exception)
    if handler is not None:
        answer = handler(Request(scope), error)
        found: Response = await answer if inspect.isawaitable(answer) else answer
        return found
    log.exception("unexpected error", exc_info=error)
    body = error_json("internal_error", "an unexpected error occurred")
    return Response(json_bytes(body), status_code=500, media_type="application/json")
