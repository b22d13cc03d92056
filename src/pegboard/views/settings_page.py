"""Settings for an admin: the people who sign in, and how the shop and email are connected."""

from __future__ import annotations

from dataclasses import dataclass

from pegboard.config import Settings
from pegboard.services.users import UserInfo

ROLES = (
    ("viewer", "Viewer: reads everything, changes nothing"),
    ("operator", "Operator: also ships, receives, makes and plans"),
    ("admin", "Admin: also manages users and tokens"),
)


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
