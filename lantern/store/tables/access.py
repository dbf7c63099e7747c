"""Access tables: users and their areas, credentials (sessions and API tokens), audit log.

The audit log is append-only and hash-chained: each row's ``hash`` covers its own fields
and the previous row's hash, so an edited, removed or reordered row breaks the chain
(``lantern audit verify``). Timestamps in the log are ISO strings so the hashed text is
exactly what is stored, on every backend.
"""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from lantern.store.tables.base import metadata

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", Text),
    Column("role", String(32), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("all_areas", Boolean, nullable=False, default=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
)

user_areas = Table(
    "user_areas",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("area", String(16), primary_key=True),
)

credentials = Table(
    "credentials",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("kind", String(8), nullable=False),  # "session" | "api"
    Column("name", Text),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime),
    Column("revoked_at", DateTime),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("username", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("purpose", Text),
    Column("subject", Text),
    Column("result_ids", Text, nullable=False),
    Column("detail", Text),
    Column("client", String(64)),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_log_username", "username"),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_subject", "subject"),
)
