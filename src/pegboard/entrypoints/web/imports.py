"""Import (`/import`): upload a CSV of each kind; all or nothing; a refused file's problems by row."""

from __future__ import annotations

import io

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pegboard.domain.errors import DomainError
from pegboard.entrypoints.web.auth import EditorDep, UserDep
from pegboard.entrypoints.web.forms import FieldError
from pegboard.entrypoints.web.inputs import board
from pegboard.entrypoints.web.rendering import Renderer, redirect
from pegboard.entrypoints.web.uploads import read_upload
from pegboard.entrypoints.web.writes import perform
from pegboard.services.imports import ImportKind, ImportRejected, import_csv
from pegboard.services.users import User
from pegboard.views.import_page import ImportPage, ImportProblem, kinds, problems_of


def make_router(renderer: Renderer) -> APIRouter:
    """GET /import and POST /import."""
    router = APIRouter(include_in_schema=False)

    def show(
        request: Request,
        user: User,
        *,
        kind: str = "",
        errors: tuple[FieldError, ...] = (),
        problems: tuple[ImportProblem, ...] = (),
    ) -> HTMLResponse:
        page = ImportPage(kinds(), kind, problems)
        return renderer.page(
            request,
            "import.html",
            page,
            title="Import",
            user=user,
            errors=errors,
            status=422 if errors else 200,
        )

    @router.get("/import", response_class=HTMLResponse)
    def import_form(request: Request, user: UserDep) -> HTMLResponse:
        """The upload form and the columns of each kind of file."""
        return show(request, user)

    @router.post("/import", response_class=HTMLResponse)
    async def import_file(request: Request, user: EditorDep) -> Response:
        """Import the uploaded file whole, or nothing of it."""
        upload = await read_upload(request)
        kind_text = upload.fields.get("kind", "")
        try:
            kind = ImportKind(kind_text)
        except ValueError:
            return show(
                request, user, kind=kind_text, errors=(FieldError("kind", "Choose what the file holds"),)
            )
        name, data = upload.files.get("file", ("", b""))
        if upload.too_big:
            error = FieldError("file", "The file is too big for the browser; use pegboard import")
            return show(request, user, kind=kind_text, errors=(error,))
        if not data:
            return show(
                request, user, kind=kind_text, errors=(FieldError("file", "Choose a CSV file to upload"),)
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            error = FieldError("file", "The file is not UTF-8 text: save it as CSV (UTF-8) and try again")
            return show(request, user, kind=kind_text, errors=(error,))
        pb = board(request)
        source = name or "upload"
        try:
            result = perform(
                pb,
                user,
                "import",
                kind.value,
                lambda tx: import_csv(
                    kind, io.StringIO(text), source=source, uow=tx, clock=pb.clock, policy=pb.policy
                ),
                detail=source,
            )
        except ImportRejected as rejected:
            count = len(rejected.problems)
            error = FieldError(
                "file", f"{source}: nothing was imported; {count} problem(s) to fix, listed below"
            )
            return show(
                request, user, kind=kind_text, errors=(error,), problems=problems_of(rejected.problems)
            )
        except DomainError as refused:
            return show(request, user, kind=kind_text, errors=(FieldError("file", refused.message),))
        said = f"Imported {source}: {result.rows} row(s) of {kind.value}, {result.written} written."
        return redirect("/import", flash=" ".join([said, *result.notes]))

    return router
