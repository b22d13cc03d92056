"""Forms as people post them: urlencoded fields read without extra packages, errors kept per field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request

from pegboard.domain.errors import DomainError

#: A form bigger than this is not something a person typed.
MAX_FORM_BYTES = 200_000


@dataclass(frozen=True)
class FieldError:
    """A message for one field; `field` is the input's id (the error summary links to it)."""

    field: str
    message: str


class FormData:
    """The posted fields: the first value of a name, or all of them (repeated inputs)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def get(self, name: str, default: str = "") -> str:
        """The first value posted under `name`, stripped; `default` when absent."""
        for key, value in self.pairs:
            if key == name:
                return value.strip()
        return default

    def getlist(self, name: str) -> list[str]:
        """Every value posted under `name`, in order."""
        return [value.strip() for key, value in self.pairs if key == name]

    def values(self) -> dict[str, str]:
        """The first value of each name, to fill a form back in."""
        found: dict[str, str] = {}
        for key, value in self.pairs:
            found.setdefault(key, value.strip())
        return found


async def read_form(request: Request) -> FormData:
    """The request's urlencoded body as form fields (empty for any other kind of body)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return FormData([])
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return FormData([])
    return FormData(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


FormDep = Annotated[FormData, Depends(read_form)]


def error_for(error: DomainError, fields: dict[str, str], *, default: str) -> FieldError:
    """The error on the form field that the domain error names (`fields` maps its names), else `default`."""
    named = getattr(error, "field", None)
    field = fields.get(str(named), default) if named else default
    return FieldError(field, _sentence(error.message))


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]
