"""Stored answers to idempotent write requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from pegboard.adapters.db import tables as t


class SqlRequests:
    """Answers to write requests, kept by token and idempotency key so a repeat gets the same answer."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now

    def get(self, key: str, *, owner: str = "") -> tuple[str, int, str] | None:
        """(request hash, status code, response body) stored for this key sent by this token."""
        keys = t.idempotency_keys
        row = self.conn.execute(select(keys).where(keys.c.token_name == owner, keys.c.key == key)).first()
        return None if row is None else (row.request_hash, row.status_code, row.response)

    def save(self, key: str, request_hash: str, status_code: int, response: str, *, owner: str = "") -> None:
        self.conn.execute(
            insert(t.idempotency_keys).values(
                token_name=owner,
                key=key,
                request_hash=request_hash,
                status_code=status_code,
                response=response,
                created_at=self.now,
            )
        )
