"""API tokens, stored only as hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from pegboard.adapters.db import tables as t
from pegboard.services.ports import StoredToken


class SqlTokens:
    """API tokens, stored only as SHA-256 hashes."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now

    def add(self, name: str, role: str, token_hash: str) -> bool:
        """Store a new token; False when the name is taken."""
        exists = self.conn.execute(select(t.api_tokens.c.id).where(t.api_tokens.c.name == name)).first()
        if exists:
            return False
        self.conn.execute(
            insert(t.api_tokens).values(name=name, role=role, token_hash=token_hash, created_at=self.now)
        )
        return True

    def role_of(self, token_hash: str) -> tuple[str, str] | None:
        """(name, role) of a live token with this hash."""
        row = self.conn.execute(
            select(t.api_tokens.c.name, t.api_tokens.c.role).where(
                t.api_tokens.c.token_hash == token_hash, t.api_tokens.c.revoked_at.is_(None)
            )
        ).first()
        return None if row is None else (row.name, row.role)

    def revoke(self, name: str) -> bool:
        done = self.conn.execute(
            update(t.api_tokens)
            .where(t.api_tokens.c.name == name, t.api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=self.now)
        )
        return bool(done.rowcount)

    def all(self) -> list[StoredToken]:
        """Every token, live or revoked, by name."""
        rows = self.conn.execute(select(*_TOKEN_COLUMNS).order_by(t.api_tokens.c.name)).all()
        return [StoredToken(*row) for row in rows]

    def get(self, name: str) -> StoredToken | None:
        """The token with this name, live or revoked."""
        row = self.conn.execute(select(*_TOKEN_COLUMNS).where(t.api_tokens.c.name == name)).first()
        return None if row is None else StoredToken(*row)

    def record_use(self, name: str) -> None:
        """The token was used now."""
        self.conn.execute(
            update(t.api_tokens).where(t.api_tokens.c.name == name).values(last_used_at=self.now)
        )


_TOKEN_COLUMNS = (
    t.api_tokens.c.name,
    t.api_tokens.c.role,
    t.api_tokens.c.created_at,
    t.api_tokens.c.last_used_at,
    t.api_tokens.c.revoked_at,
)
