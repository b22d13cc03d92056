"""Who may come in: API tokens, web users, and status links for customers.

Use cases and views are imported inside the commands that call them, for a quick start
(`cli/__init__.py`).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from pegboard.domain import limits
from pegboard.domain.errors import InvalidValue
from pegboard.entrypoints.cli.context import AsJson, app, err, opened, out, show, table
from pegboard.services import parsing
from pegboard.services.roles import Role

token_app = typer.Typer(help="API tokens for the REST API.", no_args_is_help=True)
app.add_typer(token_app, name="token")
user_app = typer.Typer(help="People who sign in to the web app.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Who or what uses the token")],
    role: Annotated[Role, typer.Option(help="viewer, operator or admin")] = Role.OPERATOR,
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""
    from pegboard.services import tokens

    name = parsing.text("name", name, max_length=limits.TOKEN_NAME)
    with opened(ctx) as pb:
        token = tokens.create_token(name, role, uow=pb.uow())
    sys.stdout.write(token + "\n")
    err.print(f"Token {name!r} ({role}) created. Keep it: it cannot be shown again.")


@token_app.command("list")
def token_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """API tokens: name, role, created, last used (to the minute), revoked; never the secret."""
    from pegboard.services import tokens

    with opened(ctx) as pb:
        found = tokens.list_tokens(uow=pb.reader())
    rows = [
        {
            "name": token.name,
            "role": token.role,
            "created_at": token.created_at.isoformat(timespec="seconds"),
            "last_used_at": token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else None,
            "revoked_at": token.revoked_at.isoformat(timespec="seconds") if token.revoked_at else None,
        }
        for token in found
    ]
    show(as_json, lambda: rows, lambda: _tokens_table(rows))


def _tokens_table(rows: list[dict[str, str | None]]) -> Table:
    table = Table("name", "role", "created", "last used", "revoked", title=f"Tokens ({len(rows)})")
    for row in rows:
        table.add_row(*(str(row[key] or "") for key in row))
    return table


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The token's name (pegboard token list)")],
) -> None:
    """Revoke an API token: refused from now on (a running server trusts it a few seconds more)."""
    from pegboard.services import tokens
    from pegboard.services.runner import with_retries

    with opened(ctx) as pb:
        _found, revoked = with_retries(lambda: tokens.revoke_token(name, uow=pb.uow()))
    out.print(f"Token {name!r} revoked." if revoked else f"Token {name!r} was already revoked.")


def _read_password() -> str:
    """The new password: from stdin when it is not a terminal, else typed twice without echo."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Password again", hide_input=True) != first:
        raise InvalidValue("password", "", "the two passwords differ")
    return str(first)


@user_app.command("create")
def user_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name to sign in with")],
    role: Annotated[Role, typer.Option(help="viewer, operator or admin")] = Role.OPERATOR,
) -> None:
    """Create a user of the web app; the password comes from stdin (or is asked twice)."""
    from pegboard.services import users

    password = _read_password()
    with opened(ctx) as pb:
        users.create_user(name, role, password, uow=pb.uow())
    err.print(f"User {name!r} ({role}) created.")


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Every user with their role and whether they are disabled."""
    from pegboard.services import users

    with opened(ctx) as pb:
        found = users.list_users(uow=pb.reader())
    rows = [
        {
            "name": u.name,
            "role": u.role,
            "created_at": u.created_at.isoformat(timespec="seconds"),
            "disabled_at": u.disabled_at.isoformat(timespec="seconds") if u.disabled_at else None,
        }
        for u in found
    ]
    show(
        as_json,
        lambda: rows,
        lambda: table(
            "Users",
            ["name", "role", "created", "disabled"],
            [[r["name"], r["role"], r["created_at"], r["disabled_at"] or ""] for r in rows],
        ),
    )


@user_app.command("disable")
def user_disable(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user to disable")],
) -> None:
    """Disable a user: they can no longer sign in, and their sessions end."""
    from pegboard.services import users

    with opened(ctx) as pb:
        users.disable_user(name, uow=pb.uow())
    out.print(f"User {name!r} disabled.")


@user_app.command("ensure-demo-admin")
def user_ensure_demo_admin(ctx: typer.Context) -> None:
    """When no user exists, create admin "demo" with a random password and print both."""
    from pegboard.services import users

    with opened(ctx) as pb:
        created = users.ensure_demo_admin(uow=pb.uow())
    if created is None:
        err.print("Users exist already; no demo admin was created.")
        return
    name, password = created
    out.print(
        Text.assemble("Sign in at /login as ", (name, "bold"), " with password ", (password, "bold")),
        highlight=False,
    )


@app.command("status-link")
def status_link(
    ctx: typer.Context,
    order_ref: Annotated[str, typer.Argument(help="The order whose status page to link")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke every link of the order instead")] = False,
) -> None:
    """Print a new link to the order's status page for its customer, or revoke all its links."""
    from pegboard.services import status_links
    from pegboard.services.runner import with_retries

    with opened(ctx) as pb:
        if revoke:
            revoked = with_retries(lambda: status_links.revoke_links(order_ref, uow=pb.uow()))
            out.print(f"Revoked {revoked} status link(s) of {order_ref}.")
            return
        token = with_retries(lambda: status_links.issue_link(order_ref, uow=pb.uow()))
        url = status_links.status_url(pb.settings.public_url, token)
    sys.stdout.write(url + "\n")
    err.print(f"Link issued for {order_ref}; revoke with: pegboard status-link {order_ref} --revoke")
