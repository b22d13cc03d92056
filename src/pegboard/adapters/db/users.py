"""Users of the web app, their sessions, and the record of who did what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from pegboard.adapters.db import tables as t
from pegboard.services.users import Action, StoredUser


class SqlUsers:
    """Users (with their password hashes), sessions by token hash, and the audit log."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now

    def add(self, name: str, role: str, password_hash: str) -> bool:
        """Store a new user; False when the name is taken."""
        if self.get(name) is not None:
            return False
        self.conn.execute(
            insert(t.users).values(name=name, role=role, password_hash=password_hash, created_at=self.now)
        )
        return True

    def get(self, name: str) -> StoredUser | None:
        """The user with this name, disabled or not."""
        row = self.conn.execute(select(t.users).where(t.users.c.name == name)).first()
        return None if row is None else _user(row)

    def all(self) -> list[StoredUser]:
        """Every user, by name."""
        return [_user(row) for row in self.conn.execute(select(t.users).order_by(t.users.c.name))]

    def disable(self, name: str) -> bool:
        """Disable a live user and end their sessions; False when there is no such live user."""
        done = self.conn.execute(
            update(t.users)
            .where(t.users.c.name == name, t.users.c.disabled_at.is_(None))
            .values(disabled_at=self.now)
        )
        if not done.rowcount:
            return False
        ids = select(t.users.c.id).where(t.users.c.name == name).scalar_subquery()
        self.conn.execute(delete(t.user_sessions).where(t.user_sessions.c.user_id == ids))
        return True

    def start_session(self, name: str, token_hash: str, expires_at: datetime) -> None:
        """Remember a signed-in browser by its token's hash."""
        user_id = select(t.users.c.id).where(t.users.c.name == name).scalar_subquery()
        self.conn.execute(
            insert(t.user_sessions).values(
                token_hash=token_hash, user_id=user_id, created_at=self.now, expires_at=expires_at
            )
        )

    def session_user(self, token_hash: str) -> StoredUser | None:
        """The live user a live session belongs to."""
        row = self.conn.execute(
            select(t.users)
            .join(t.user_sessions, t.user_sessions.c.user_id == t.users.c.id)
            .where(
                t.user_sessions.c.token_hash == token_hash,
                t.user_sessions.c.expires_at > self.now,
                t.users.c.disabled_at.is_(None),
            )
        ).first()
        return None if row is None else _user(row)

    def end_session(self, token_hash: str) -> None:
        """Forget a session (signing out)."""
        self.conn.execute(delete(t.user_sessions).where(t.user_sessions.c.token_hash == token_hash))

    def record(self, actor: str, action: str, ref: str, detail: str = "") -> None:
        """Note who did what to which document."""
        self.conn.execute(
            insert(t.audit_log).values(
                actor=actor, action=action, ref=ref, detail=detail[:500], created_at=self.now
            )
        )

    def actions(self, ref: str, *, limit: int = 50) -> list[Action]:
        """What was done to a document, newest first."""
        a = t.audit_log
        rows = self.conn.execute(
            select(a).where(a.c.ref == ref).order_by(a.c.created_at.desc(), a.c.id.desc()).limit(limit)
        )
        return [Action(r.actor, r.action, r.ref, r.detail, r.created_at) for r in rows]


def _user(row: Row[Any]) -> StoredUser:
    return StoredUser(row.name, row.role, row.password_hash, row.created_at, row.disabled_at)
