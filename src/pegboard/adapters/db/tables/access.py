"""Who may do what: users and their sessions, API tokens and their stored answers, status links,
the audit log."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from pegboard.adapters.db.tables.base import Id, metadata
from pegboard.domain import limits

#: Links to an order's status page: the token is random and kept only as its SHA-256.
status_links = Table(
    "status_links",
    metadata,
    Column("id", Id, primary_key=True),
    Column("order_id", ForeignKey("sales_orders.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)


#: Stored answers by the token that sent the request and its Idempotency-Key: keys are per token.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("token_name", String(limits.TOKEN_NAME), primary_key=True),
    Column("key", String(limits.IDEMPOTENCY_KEY), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)


api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(limits.TOKEN_NAME), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
    #: Recorded at most once a minute per token, not on every request.
    Column("last_used_at", DateTime),
)


#: People who sign in to the web app; a disabled user keeps their name in the history.
users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    #: viewer, operator or admin (as API tokens).
    Column("role", String(20), nullable=False),
    #: argon2id, with its salt and parameters (PHC string).
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("disabled_at", DateTime),
)


#: Signed-in browsers: the cookie holds a random token, kept here only as its SHA-256.
user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)


#: Who did what through the web app (or a token): written in the same transaction as the change.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(60), nullable=False),
    #: The document acted on: an order ref, a SKU, a PO or MO ref.
    Column("ref", String(100), nullable=False),
    Column("detail", String(500), nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
    Index("ix_audit_log_ref", "ref", "created_at"),
)
