"""Settings (`/settings`, admins only): users, API tokens (create, list, revoke), the Shopify
connection, and a test email to an address."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pegboard.domain.errors import DomainError
from pegboard.entrypoints.web.auth import AdminDep
from pegboard.entrypoints.web.forms import FieldError, FormData, FormDep
from pegboard.entrypoints.web.inputs import board
from pegboard.entrypoints.web.rendering import Renderer, redirect
from pegboard.entrypoints.web.writes import perform
from pegboard.services import shopify, tokens, users
from pegboard.services.tokens import Role
from pegboard.services.users import User
from pegboard.views.settings_page import SettingsPage, ShopifyState, UserRow, api_tokens


def make_router(renderer: Renderer) -> APIRouter:
    """GET /settings and its forms."""
    router = APIRouter(include_in_schema=False)

    def show(
        request: Request,
        user: User,
        *,
        errors: tuple[FieldError, ...] = (),
        form: FormData | None = None,
        new_token: str | None = None,
    ) -> HTMLResponse:
        pb = board(request)
        people = tuple(
            UserRow(u.name, u.role, u.disabled_at is not None) for u in users.list_users(uow=pb.reader())
        )
        with pb.reader() as uow:
            listed = tuple(api_tokens(uow.connection))
        settings = pb.settings
        state = ShopifyState(
            webhooks=bool(settings.shopify_secret),
            admin_url=settings.shopify_shop_url,
            admin_token=bool(settings.shopify_access_token),
            held=len(shopify.held_orders(uow=pb.reader())),
        )
        page = SettingsPage(
            people, listed, state, settings.smtp_host, form.values() if form else {}, new_token
        )
        return renderer.page(
            request,
            "settings.html",
            page,
            title="Settings",
            user=user,
            errors=errors,
            status=422 if errors else 200,
        )

    @router.get("/settings", response_class=HTMLResponse)
    def settings_page(request: Request, user: AdminDep) -> HTMLResponse:
        """Users, tokens, Shopify and email."""
        return show(request, user)

    @router.post("/settings/tokens", response_class=HTMLResponse)
    def create_token(request: Request, user: AdminDep, form: FormDep) -> Response:
        """A new API token, shown on the answer only (it is stored hashed)."""
        pb = board(request)
        name = form.get("token_name")
        try:
            role = Role(form.get("token_role"))
        except ValueError:
            return show(request, user, errors=(FieldError("token_role", "Choose a role"),), form=form)
        if not name:
            return show(
                request, user, errors=(FieldError("token_name", "Enter a name for the token"),), form=form
            )
        try:
            token = perform(
                pb,
                user,
                "create token",
                name,
                lambda tx: tokens.create_token(name, role, uow=tx),
                detail=role.value,
            )
        except DomainError as refused:
            return show(request, user, errors=(FieldError("token_name", refused.message),), form=form)
        return show(request, user, new_token=token)

    @router.post("/settings/tokens/{name}/revoke", response_class=HTMLResponse)
    def revoke_token(request: Request, name: str, user: AdminDep) -> Response:
        """The token stops working (tokens checked recently may work for a few seconds more)."""
        pb = board(request)
        try:
            perform(pb, user, "revoke token", name, lambda tx: tokens.revoke_token(name, uow=tx))
        except DomainError as refused:
            return show(request, user, errors=(FieldError("token_name", refused.message),))
        return redirect("/settings", flash=f"Token {name} revoked.")

    @router.post("/settings/test-email", response_class=HTMLResponse)
    def test_email(request: Request, user: AdminDep, form: FormDep) -> Response:
        """Send a short message to check that email goes out."""
        pb = board(request)
        address = form.get("address")
        local, at, domain = address.rpartition("@")
        if not at or not local or "." not in domain or " " in address:
            error = FieldError("address", "Enter an email address, like name@example.com")
            return show(request, user, errors=(error,), form=form)
        problem = pb.send_test_email(address)
        if problem is not None:
            return show(request, user, errors=(FieldError("address", f"Not sent: {problem}"),), form=form)
        return redirect("/settings", flash=f"Test email sent to {address}.")

    return router
