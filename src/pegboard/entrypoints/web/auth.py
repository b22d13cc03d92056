"""Signing in and out, the signed-in user as a dependency, and refusals as pages.

The session cookie is HttpOnly, SameSite=Lax, and Secure when the request came over https.
A page for someone signed out redirects to /login?next=PATH; a viewer's write is refused (403).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import ActionRefused
from pegboard.entrypoints.web.forms import FieldError, FormDep
from pegboard.entrypoints.web.rendering import Renderer
from pegboard.services import users
from pegboard.services.tokens import Role
from pegboard.services.users import LoginThrottle, TooManyAttempts, User
from pegboard.views.web import LoginPage, MessagePage

COOKIE = "pegboard_session"


class SignInRequired(Exception):
    """Nobody (or nobody live) is signed in on this browser."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class NotAllowed(Exception):
    """The signed-in user's role does not allow this."""

    def __init__(self, message: str, user: User | None = None) -> None:
        super().__init__(message)
        self.message, self.user = message, user


class PageNotFound(Exception):
    """The page names something that does not exist."""

    def __init__(self, message: str, user: User | None = None) -> None:
        super().__init__(message)
        self.message, self.user = message, user


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site only, else Today."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"


async def current_user(request: Request) -> User:
    """The signed-in user; SignInRequired (a redirect to /login) when there is none."""
    pb: Pegboard = request.app.state.pegboard
    token = request.cookies.get(COOKIE)
    user = await run_in_threadpool(lambda: users.session_user(token, uow=pb.reader())) if token else None
    if user is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(path)
    return user


UserDep = Annotated[User, Depends(current_user)]


async def editor(user: UserDep) -> User:
    """The signed-in user when they may write (operator or admin); NotAllowed for a viewer."""
    if not user.can_write:
        raise NotAllowed(f"{user.name} is a viewer: viewers can look but not change anything.", user)
    return user


EditorDep = Annotated[User, Depends(editor)]


async def admin(user: UserDep) -> User:
    """The signed-in user when they are an admin."""
    if not user.may(Role.ADMIN):
        raise NotAllowed(f"{user.name} is a {user.role}: only an admin can do this.", user)
    return user


AdminDep = Annotated[User, Depends(admin)]


def client_address(request: Request) -> str:
    """The address the request came from (the proxy's, behind one)."""
    return request.client.host if request.client else "unknown"


def make_router(renderer: Renderer, throttle: LoginThrottle) -> APIRouter:
    """GET and POST /login, POST /logout."""
    router = APIRouter(include_in_schema=False)

    def login_page(
        request: Request,
        *,
        next_path: str,
        name: str = "",
        errors: tuple[FieldError, ...] = (),
        status: int = 200,
    ) -> HTMLResponse:
        form = LoginPage(next=next_path, username=name)
        return renderer.page(
            request, "login.html", form, title="Sign in", user=None, errors=errors, status=status
        )

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str | None = None) -> HTMLResponse:
        """The sign-in form."""
        return login_page(request, next_path=safe_next(next))

    @router.post("/login", response_class=HTMLResponse)
    def login(request: Request, form: FormDep) -> Response:
        """Sign in: a session cookie and on to `next`; a refused form says why, and when to retry."""
        pb: Pegboard = request.app.state.pegboard
        name, password = form.get("username"), form.get("password")
        next_path = safe_next(form.get("next"))
        errors: list[FieldError] = []
        if not name:
            errors.append(FieldError("username", "Enter your username"))
        if not form.get("password"):
            errors.append(FieldError("password", "Enter your password"))
        if errors:
            return login_page(request, next_path=next_path, name=name, errors=tuple(errors), status=422)
        address = client_address(request)
        try:
            throttle.check(name, address)
            user, token = users.sign_in(name, password, uow=pb.uow(), clock=pb.clock)
        except TooManyAttempts as refused:
            error = FieldError("username", refused.message)
            return login_page(request, next_path=next_path, name=name, errors=(error,), status=429)
        except ActionRefused as refused:
            throttle.failed(name, address)
            error = FieldError("username", refused.message)
            return login_page(request, next_path=next_path, name=name, errors=(error,), status=422)
        response = RedirectResponse(next_path, status_code=303)
        response.set_cookie(
            COOKIE,
            token,
            max_age=users.SESSION_DAYS * 86400,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    @router.post("/logout")
    def logout(request: Request) -> Response:
        """Sign out: the session ends here and in the database."""
        pb: Pegboard = request.app.state.pegboard
        token = request.cookies.get(COOKIE)
        if token:
            users.sign_out(token, uow=pb.uow())
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    return router


def sign_in_redirect(request: Request, error: Exception) -> Response:
    """To the sign-in form, coming back here afterwards (htmx is told to go there too)."""
    assert isinstance(error, SignInRequired)
    target = "/login?next=" + quote(error.next_path, safe="/")
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _plain_page(
    renderer: Renderer, request: Request, title: str, message: str, status: int, user: User | None = None
) -> Response:
    body = MessagePage(heading=title, message=message)
    return renderer.page(request, "message.html", body, title=title, user=user, status=status)


def refusal_handlers(renderer: Renderer) -> dict[type[Exception], object]:
    """Exception -> handler for the pages' refusals: sign in, not allowed (403), not found (404)."""

    async def not_allowed(request: Request, error: Exception) -> Response:
        assert isinstance(error, NotAllowed)
        return _plain_page(renderer, request, "Not allowed", error.message, 403, error.user)

    async def not_found(request: Request, error: Exception) -> Response:
        assert isinstance(error, PageNotFound)
        return _plain_page(renderer, request, "Not found", error.message, 404, error.user)

    async def sign_in(request: Request, error: Exception) -> Response:
        return sign_in_redirect(request, error)

    return {SignInRequired: sign_in, NotAllowed: not_allowed, PageNotFound: not_found}
