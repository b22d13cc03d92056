"""What a CSV import answers."""

from __future__ import annotations

from pegboard.entrypoints.api.schemas.fields import Out


class ImportOut(Out):
    kind: str
    rows: int
    written: int
    notes: list[str]
