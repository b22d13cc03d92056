"""Who may do what: the role of an API token or a web app user.

Its own module, so the CLI can name the roles in its options without importing the tokens'
and users' use cases (BENCHMARKS.md, "cliboot").
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Viewers read; operators also run the daily work; admins also manage tokens."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"
