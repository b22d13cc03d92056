"""CSV imports over HTTP: the same all-or-nothing import as `pegboard import KIND FILE.csv`."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from pegboard.domain.allocation import AllocationPolicy
from pegboard.entrypoints.api.deps import Outcome, WriteDep
from pegboard.entrypoints.api.errors import UnsupportedMediaType
from pegboard.entrypoints.api.routing import api_router
from pegboard.entrypoints.api.schemas import ImportOut
from pegboard.services import imports
from pegboard.services.imports import ImportKind
from pegboard.services.ports import UnitOfWork

router = api_router("imports")

CSV_TYPES = ("text/csv", "application/csv", "text/plain")


async def csv_body(request: Request) -> bytes:
    """The raw CSV body; it must be sent as text/csv."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in CSV_TYPES:
        raise UnsupportedMediaType(f"send the file as text/csv, not {content_type or 'no content type'}")
    return await request.body()


@router.post(
    "/imports/{kind}",
    response_model=ImportOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string", "description": "CSV with a header row"}}},
        }
    },
)
def import_csv(
    kind: ImportKind,
    write: WriteDep,
    data: Annotated[bytes, Depends(csv_body)],
    policy: Annotated[AllocationPolicy | None, Query(description="For stock and orders")] = None,
) -> Response:
    """Check every row, then write the whole file in one transaction, or nothing (422, listing why)."""

    def work(uow: UnitOfWork) -> Outcome:
        stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")
        result = imports.import_csv(
            kind, stream, source=f"{kind.value}.csv", uow=uow, clock=write.clock, policy=write.policy(policy)
        )
        summary = {"kind": result.kind.value, "rows": result.rows, "written": result.written}
        said = [result.summary] if result.summary else []
        return Outcome(200, {**summary, "notes": said + result.notes})

    return write.run(work)
