"""Settings for an admin: the people who sign in, and how the shop and email are connected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from pegboard.adapters.db import tables as t
from pegboard.config import Settings
from pegboard.services.users import UserInfo

ROLES = (
    ("viewer", "Viewer: reads everything, changes nothing"),
    ("operator", "Operator: also ships, receives, makes and plans"),
    ("admin", "Admin: also manages users and tokens"),
)


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


def api_tokens(conn: Connection) -> tuple[TokenRow, ...]:
    """Every API token, live ones first, then by name."""
    at = t.api_tokens
    rows = conn.execute(select(at.c.name, at.c.role, at.c.created_at, at.c.revoked_at).order_by(at.c.name))
    found = [TokenRow(r.name, r.role, r.created_at, r.revoked_at) for r in rows]
    return tuple(sorted(found, key=lambda r: (not r.live, r.name)))


@dataclass(frozen=True)
class SettingsPage:
    """Users with their roles and state, the new-user form's values, and the connections."""

    users: tuple[UserInfo, ...]
    values: dict[str, str]
    shopify_shop: str | None
    shopify_verifies_webhooks: bool
    smtp_host: str | None
    public_url: str
    roles: tuple[tuple[str, str], ...] = ROLES
    #: Every API token, live ones first (the tokens themselves are never kept).
    tokens: tuple[TokenRow, ...] = ()
    #: A token just created: shown on this answer only, never again.
    new_token: str | None = None

    def value(self, name: str, default: str = "") -> str:
        """What was typed in the new-user form (kept after a refusal; never the password)."""
        return self.values.get(name, default)


def settings_page(users: list[UserInfo], settings: Settings, values: dict[str, str]) -> SettingsPage:
    """The settings page from the users and the process's configuration (no secrets shown)."""
    return SettingsPage(
        users=tuple(users),
        values={k: v for k, v in values.items() if k != "password"},
        shopify_shop=settings.shopify_shop_url if settings.shopify_access_token else None,
        shopify_verifies_webhooks=bool(settings.shopify_secret),
        smtp_host=settings.smtp_host,
        public_url=settings.public_url,
    )
