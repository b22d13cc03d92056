"""The settings page (admins): people, API tokens, the Shopify connection, and email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from pegboard.adapters.db import tables as t


@dataclass(frozen=True)
class TokenRow:
    """An API token by name (the token itself is never kept)."""

    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def live(self) -> bool:
        """Not revoked."""
        return self.revoked_at is None


def api_tokens(conn: Connection) -> list[TokenRow]:
    """Every API token, live ones first, then by name."""
    at = t.api_tokens
    rows = conn.execute(select(at.c.name, at.c.role, at.c.created_at, at.c.revoked_at).order_by(at.c.name))
    found = [TokenRow(r.name, r.role, r.created_at, r.revoked_at) for r in rows]
    return sorted(found, key=lambda r: (not r.live, r.name))


@dataclass(frozen=True)
class UserRow:
    """Someone who signs in: name, role, and whether they are disabled."""

    name: str
    role: str
    disabled: bool


@dataclass(frozen=True)
class ShopifyState:
    """What of the Shopify connection is set up, and how many shop orders wait on hold."""

    webhooks: bool
    admin_url: str | None
    admin_token: bool
    held: int


@dataclass(frozen=True)
class SettingsPage:
    """The /settings page: users, tokens (a new one shown once), Shopify, the test-email form."""

    #: Everyone who signs in, with role and state.
    users: tuple[UserRow, ...]
    #: Every API token, live ones first.
    tokens: tuple[TokenRow, ...]
    #: What of the Shopify connection is set up.
    shopify: ShopifyState
    #: The mail server customers' email goes through (None: no email).
    smtp_host: str | None
    #: Values typed into a refused form, by field name.
    values: dict[str, str]
    #: A token just created: shown on this page only, never again.
    new_token: str | None = None
