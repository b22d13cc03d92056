"""Import (`/import`): upload a CSV of one kind; all of it is written, or nothing and every problem by row."""

from __future__ import annotations

import io

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import DomainError
from pegboard.entrypoints.web.auth import EditorDep, UserDep
from pegboard.entrypoints.web.forms import FieldError
from pegboard.entrypoints.web.rendering import Renderer, redirect
from pegboard.entrypoints.web.writes import perform
from pegboard.services import imports
from pegboard.services.imports import ImportKind, ImportRejected
from pegboard.services.users import User
from pegboard.views.import_page import import_page


def make_router(renderer: Renderer) -> APIRouter:
    """GET and POST /import."""
    router = APIRouter(include_in_schema=False)

    def page(
        request: Request,
        user: User,
        *,
        chosen: str = "",
        errors: list[FieldError] | None = None,
        problems: tuple[str, ...] = (),
    ) -> HTMLResponse:
        view = import_page(chosen=chosen, problems=problems, can_write=user.can_write)
        return renderer.page(request, "import.html", view, title="Import", user=user, errors=errors or ())

    @router.get("/import", response_class=HTMLResponse)
    def import_form(request: Request, user: UserDep) -> HTMLResponse:
        """The upload form and the columns of each kind."""
        return page(request, user)

    @router.post("/import", response_class=HTMLResponse)
    async def upload(request: Request, user: EditorDep) -> Response:
        """Check every row, then write the whole file in one transaction, or nothing."""
        pb: Pegboard = request.app.state.pegboard
        async with request.form() as form:
            chosen = str(form.get("kind") or "")
            upload = form.get("file")
            name = upload.filename or "" if isinstance(upload, UploadFile) else ""
            data = await upload.read() if isinstance(upload, UploadFile) else b""
        errors: list[FieldError] = []
        try:
            kind = ImportKind(chosen)
        except ValueError:
            errors.append(FieldError("kind", "Choose what the file holds"))
            kind = ImportKind.SUPPLIERS
        if not name:
            errors.append(FieldError("file", "Choose a CSV file to import"))
        if errors:
            return page(request, user, chosen=chosen, errors=errors)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            error = FieldError("file", f"{name} is not UTF-8 text: save it as CSV UTF-8 and try again")
            return page(request, user, chosen=chosen, errors=[error])

        def work() -> imports.ImportResult:
            return perform(
                pb,
                user,
                f"imported {kind.value}",
                name[:100],
                lambda tx: imports.import_csv(
                    kind, io.StringIO(text), source=name, uow=tx, clock=pb.clock, policy=pb.policy
                ),
            )

        try:
            result = await run_in_threadpool(work)
        except ImportRejected as rejected:
            error = FieldError("file", f"{name} has problems; nothing was imported. Fix the rows below.")
            return page(request, user, chosen=chosen, errors=[error], problems=tuple(rejected.problems))
        except DomainError as refused:
            return page(request, user, chosen=chosen, errors=[FieldError("file", refused.message)])
        flash = f"Imported {result.rows} {kind.value} row(s) from {name} ({result.written} written)."
        return redirect("/import", flash=flash)

    return router
