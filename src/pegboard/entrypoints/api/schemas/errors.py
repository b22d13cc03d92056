"""The error body every refusal answers with."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from pegboard.entrypoints.api.schemas.supply import ShortageOut


class ErrorDetailOut(BaseModel):
    """A stable code for machines, a message for people, and details such as the field."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str
    field: str | None = None
    value: Any = None
    problems: list[Any] | None = None
    shortages: list[ShortageOut] | None = None


class ErrorOut(BaseModel):
    error: ErrorDetailOut
