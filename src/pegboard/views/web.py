"""Small pages of the web app that read nothing: signing in, a message, a page still to come."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoginPage:
    """The sign-in form: where to go afterwards, and the name typed (kept after a refusal)."""

    next: str
    username: str = ""


@dataclass(frozen=True)
class MessagePage:
    """A page that only says something: a refusal, a missing document."""

    heading: str
    message: str


@dataclass(frozen=True)
class ConfirmPage:
    """Asking once before something that cannot be undone; works without JavaScript."""

    heading: str
    message: str
    action: str
    button: str
    back: str
    fields: tuple[tuple[str, str], ...] = ()
