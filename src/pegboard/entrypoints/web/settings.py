"""Settings (`/settings`, admins only): users of the web app, API tokens (create, list, revoke),
the shop's connections, and a test email to an address."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import DomainError, DuplicateRef, InvalidValue
from pegboard.entrypoints.web.auth import AdminDep
from pegboard.entrypoints.web.forms import FieldError, FormDep
from pegboard.entrypoints.web.rendering import Renderer, redirect
from pegboard.entrypoints.web.writes import perform
from pegboard.services import tokens, users
from pegboard.services.ports import UnitOfWork
from pegboard.services.tokens import Role
from pegboard.services.users import User
from pegboard.views.settings_page import api_tokens, settings_page
from pegboard.views.web import ConfirmPage


def make_router(renderer: Renderer) -> APIRouter:
    """GET /settings, adding a user, disabling one (asked once), API tokens, a test email."""
    router = APIRouter(include_in_schema=False)

    def page(
        request: Request,
        user: User,
        values: dict[str, str],
        errors: list[FieldError] | None = None,
        new_token: str | None = None,
    ) -> HTMLResponse:
        pb: Pegboard = request.app.state.pegboard
        found = users.list_users(uow=pb.reader())
        with pb.reader() as uow:
            listed = api_tokens(uow.connection)
        view = replace(settings_page(found, pb.settings, values), tokens=listed, new_token=new_token)
        return renderer.page(request, "settings.html", view, title="Settings", user=user, errors=errors or ())

    @router.get("/settings", response_class=HTMLResponse)
    def settings(request: Request, user: AdminDep) -> HTMLResponse:
        """Users and connections."""
        return page(request, user, {"role": "operator"})

    @router.post("/settings/users", response_class=HTMLResponse)
    def add_user(request: Request, user: AdminDep, form: FormDep) -> Response:
        """Add a user with a role and a first password."""
        pb: Pegboard = request.app.state.pegboard
        name, password = form.get("name"), form.get("password")
        errors: list[FieldError] = []
        try:
            role = Role(form.get("role"))
        except ValueError:
            errors.append(FieldError("role", "Choose viewer, operator or admin"))
            role = Role.VIEWER
        if not name:
            errors.append(FieldError("name", "Enter a username"))
        if len(password) < users.MIN_PASSWORD_LENGTH:
            errors.append(
                FieldError("password", f"Enter a password of at least {users.MIN_PASSWORD_LENGTH} characters")
            )
        if not errors:
            try:
                perform(
                    pb, user, "added user", name, lambda tx: users.create_user(name, role, password, uow=tx)
                )
            except DuplicateRef:
                errors.append(FieldError("name", f"There is a user {name} already: choose another name"))
            except InvalidValue as error:
                field = "name" if error.field == "name" else "password"
                errors.append(
                    FieldError(field, f"The {'username' if field == 'name' else 'password'} {error.reason}")
                )
        if errors:
            return page(request, user, form.values(), errors)
        return redirect("/settings", flash=f"User {name} ({role.value}) added.")

    @router.get("/settings/users/{name}/disable", response_class=HTMLResponse)
    def confirm_disable(request: Request, name: str, user: AdminDep) -> HTMLResponse:
        """Ask once before a user is disabled."""
        view = ConfirmPage(
            heading=f"Disable {name}?",
            message="They can no longer sign in and are signed out everywhere; their name stays in history.",
            action=f"/settings/users/{quote(name)}/disable",
            button="Yes, disable the user",
            back="/settings",
        )
        return renderer.page(request, "confirm.html", view, title=f"Disable {name}", user=user)

    @router.post("/settings/users/{name}/disable", response_class=HTMLResponse)
    def disable(request: Request, name: str, user: AdminDep) -> Response:
        """Disable a user."""
        pb: Pegboard = request.app.state.pegboard
        try:
            perform(pb, user, "disabled user", name, lambda tx: users.disable_user(name, uow=tx))
        except DomainError as error:
            return page(request, user, {"role": "operator"}, [FieldError("name", error.message)])
        return redirect("/settings", flash=f"User {name} disabled.")

    @router.post("/settings/tokens", response_class=HTMLResponse)
    def create_token(request: Request, user: AdminDep, form: FormDep) -> Response:
        """A new API token, shown on this answer only (it is stored hashed)."""
        pb: Pegboard = request.app.state.pegboard
        name = form.get("token_name")
        try:
            role = Role(form.get("token_role"))
        except ValueError:
            return page(request, user, form.values(), [FieldError("token_role", "Choose a role")])
        if not name:
            return page(
                request, user, form.values(), [FieldError("token_name", "Enter a name for the token")]
            )
        try:
            token = perform(
                pb,
                user,
                "created token",
                name,
                lambda tx: tokens.create_token(name, role, uow=tx),
                detail=role.value,
            )
        except DomainError as refused:
            return page(request, user, form.values(), [FieldError("token_name", refused.message)])
        return page(request, user, {"role": "operator"}, new_token=token)

    @router.post("/settings/tokens/{name}/revoke", response_class=HTMLResponse)
    def revoke_token(request: Request, name: str, user: AdminDep) -> Response:
        """The token stops working at once in this server (other processes trust it a few seconds more)."""
        pb: Pegboard = request.app.state.pegboard
        try:
            perform(pb, user, "revoked token", name, lambda tx: _revoke_live(name, tx))
        except DomainError as refused:
            return page(request, user, {"role": "operator"}, [FieldError("token_name", refused.message)])
        request.app.state.tokens.forget(name)
        return redirect("/settings", flash=f"Token {name} revoked.")

    @router.post("/settings/test-email", response_class=HTMLResponse)
    def test_email(request: Request, user: AdminDep, form: FormDep) -> Response:
        """Send a short message to check that email goes out."""
        pb: Pegboard = request.app.state.pegboard
        address = form.get("address")
        local, at, domain = address.rpartition("@")
        if not at or not local or "." not in domain or " " in address:
            error = FieldError("address", "Enter an email address, like name@example.com")
            return page(request, user, form.values(), [error])
        problem = pb.send_test_email(address)
        if problem is not None:
            return page(request, user, form.values(), [FieldError("address", f"Not sent: {problem}")])
        return redirect("/settings", flash=f"Test email sent to {address}.")

    return router


def _revoke_live(name: str, uow: UnitOfWork) -> None:
    """Revoke the token; one revoked before is refused, so the history never says it twice."""
    _found, revoked = tokens.revoke_token(name, uow=uow)
    if not revoked:
        raise InvalidValue("name", name, "is already revoked")
