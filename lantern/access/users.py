"""Users and credentials in the store: add, list, disable, log in with lockout, tokens.

Sessions and API tokens are both random bearer secrets of which only the SHA-256 is
stored; revoking one sets ``revoked_at``. Repeated failed logins lock the account.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Row, delete, insert, select, text, update

from lantern.access.passwords import (
    DUMMY_HASH,
    hash_password,
    needs_rehash,
    verify_password,
)
from lantern.access.roles import Principal, Role
from lantern.store.tables.access import credentials, user_areas, users

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=8)


class LoginFailed(Exception):
    """Wrong username or password, a disabled account, or a locked one."""


def utcnow() -> datetime:
    """Naive UTC, as the store keeps datetimes."""
    return datetime.now(UTC).replace(tzinfo=None)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str | None
    role: str
    areas: list[str]
    all_areas: bool
    disabled: bool
    locked_until: datetime | None


def _areas_of(engine: Engine, user_id: int) -> frozenset[str]:
    with engine.connect() as conn:
        rows = conn.execute(select(user_areas.c.area).where(user_areas.c.user_id == user_id))
        return frozenset(r[0] for r in rows)


def _principal(engine: Engine, row: Row) -> Principal:
    return Principal(
        user_id=row.id,
        username=row.username,
        role=Role(row.role),
        areas=_areas_of(engine, row.id),
        all_areas=bool(row.all_areas),
        display_name=row.display_name,
    )


def add_user(
    engine: Engine,
    *,
    username: str,
    password: str,
    role: Role | str,
    areas: list[str] | None = None,
    all_areas: bool = False,
    display_name: str | None = None,
) -> int:
    """Create a user; national analysts, auditors and admins default to every area."""
    role = Role(role)
    if not username or len(username) > 64 or not username.replace(".", "").replace(
        "_", ""
    ).replace("-", "").isalnum():
        raise ValueError("a username is 1-64 letters, digits, '.', '_' or '-'")
    if role in {Role.NATIONAL_ANALYST, Role.AUDITOR, Role.ADMIN}:
        all_areas = True
    digest = hash_password(password)
    with engine.begin() as conn:
        if conn.execute(select(users.c.id).where(users.c.username == username)).first():
            raise ValueError(f"user {username!r} already exists")
        result = conn.execute(
            insert(users).values(
                username=username,
                display_name=display_name,
                role=role.value,
                password_hash=digest,
                all_areas=all_areas,
                disabled=False,
                failed_logins=0,
                created_at=utcnow(),
            )
        )
        assert result.inserted_primary_key is not None
        user_id = result.inserted_primary_key[0]
        for area in sorted(set(areas or [])):
            conn.execute(insert(user_areas).values(user_id=user_id, area=area))
    return int(user_id)


def set_areas(engine: Engine, *, username: str, areas: list[str]) -> None:
    with engine.begin() as conn:
        user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
        if user_id is None:
            raise ValueError(f"no user {username!r}")
        conn.execute(delete(user_areas).where(user_areas.c.user_id == user_id))
        for area in sorted(set(areas)):
            conn.execute(insert(user_areas).values(user_id=user_id, area=area))


def list_users(engine: Engine) -> list[UserInfo]:
    with engine.connect() as conn:
        rows = conn.execute(select(users).order_by(users.c.username)).all()
        area_rows = conn.execute(select(user_areas)).all()
    by_user: dict[int, list[str]] = {}
    for r in area_rows:
        by_user.setdefault(r.user_id, []).append(r.area)
    return [
        UserInfo(
            id=r.id,
            username=r.username,
            display_name=r.display_name,
            role=r.role,
            areas=sorted(by_user.get(r.id, [])),
            all_areas=bool(r.all_areas),
            disabled=bool(r.disabled),
            locked_until=r.locked_until,
        )
        for r in rows
    ]


def disable_user(engine: Engine, *, username: str) -> None:
    """Disable an account and revoke every session and token it holds."""
    now = utcnow()
    with engine.begin() as conn:
        user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
        if user_id is None:
            raise ValueError(f"no user {username!r}")
        conn.execute(update(users).where(users.c.id == user_id).values(disabled=True))
        conn.execute(
            update(credentials)
            .where(credentials.c.user_id == user_id, credentials.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def unlock_user(engine: Engine, *, username: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(users)
            .where(users.c.username == username)
            .values(failed_logins=0, locked_until=None)
        )


def authenticate(
    engine: Engine, *, username: str, password: str, now: datetime | None = None
) -> Principal:
    """Check a password; count failures and lock the account after too many."""
    now = now or utcnow()
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        verify_password(DUMMY_HASH, password)
        raise LoginFailed("wrong username or password")
    if row.locked_until is not None and row.locked_until > now:
        raise LoginFailed("account locked after repeated failed logins; try again later")
    ok = verify_password(row.password_hash, password)
    if not ok:
        failed = (row.failed_logins or 0) + 1
        values: dict[str, object] = {"failed_logins": failed}
        if failed >= MAX_FAILED_LOGINS:
            values = {"failed_logins": 0, "locked_until": now + LOCKOUT}
        with engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == row.id).values(**values))
        raise LoginFailed("wrong username or password")
    if row.disabled:
        raise LoginFailed("account disabled")
    values = {"failed_logins": 0, "locked_until": None}
    if needs_rehash(row.password_hash):
        values["password_hash"] = hash_password(password)
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == row.id).values(**values))
    return _principal(engine, row)


def issue_token(
    engine: Engine,
    *,
    username: str,
    kind: str = "api",
    name: str | None = None,
    ttl: timedelta | None = None,
) -> str:
    """A new bearer secret for the user; only its digest is stored."""
    if kind not in {"api", "session"}:
        raise ValueError("kind is 'api' or 'session'")
    token = ("lt_" if kind == "api" else "ls_") + secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            raise ValueError(f"no user {username!r}")
        if row.disabled:
            raise ValueError(f"user {username!r} is disabled")
        conn.execute(
            insert(credentials).values(
                user_id=row.id,
                kind=kind,
                name=name,
                token_hash=token_digest(token),
                created_at=now,
                expires_at=(now + ttl) if ttl else None,
            )
        )
    return token


# The lookup every request makes, as one plain DBAPI statement (no SQLAlchemy statement
# or result machinery on the hot path: about 50 -> 13 microseconds on SQLite, with the
# pool checkout). The user's areas come joined, one row per area.
_TOKEN_SQL = (
    "SELECT u.id, u.username, u.display_name, u.role, u.all_areas, u.disabled, "
    "c.expires_at, c.revoked_at, a.area "
    "FROM credentials c JOIN users u ON u.id = c.user_id "
    "LEFT JOIN user_areas a ON a.user_id = u.id "
    "WHERE c.token_hash = {p} AND c.kind = {q}"
)
_TOKEN_SQL_BY_PARAMSTYLE = {"qmark": _TOKEN_SQL.format(p="?", q="?"),
                            "format": _TOKEN_SQL.format(p="%s", q="%s"),
                            "pyformat": _TOKEN_SQL.format(p="%s", q="%s")}


def _token_rows(engine: Engine, digest: str, kind: str) -> list[tuple[Any, ...]]:
    sql = _TOKEN_SQL_BY_PARAMSTYLE.get(engine.dialect.paramstyle)
    if sql is None:  # another driver: the same statement through SQLAlchemy
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                text(_TOKEN_SQL.format(p=":digest", q=":kind")),
                {"digest": digest, "kind": kind})]
    connection = engine.raw_connection()  # back to the pool (rolled back) when closed
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, (digest, kind))
            rows = cursor.fetchall()
        finally:
            cursor.close()
    finally:
        connection.close()
    return [tuple(r) for r in rows]


def _as_datetime(value: object) -> datetime | None:
    """A stored datetime: SQLite hands back the text SQLAlchemy wrote, others a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def principal_for_token(
    engine: Engine, token: str, *, kind: str, now: datetime | None = None
) -> Principal | None:
    """The user holding a live (unexpired, unrevoked, enabled) credential, else ``None``.

    Read from the store on every request (one query on the unique token digest, the
    user's areas joined), so a revocation or a disabled account takes effect at once in
    every worker process."""
    now = now or utcnow()
    rows = _token_rows(engine, token_digest(token), kind)
    if not rows:
        return None
    user_id, username, display_name, role, all_areas, disabled, expires_at, revoked_at, _ = (
        rows[0])
    if revoked_at is not None or disabled:
        return None
    expires = _as_datetime(expires_at)
    if expires is not None and expires <= now:
        return None
    return Principal(
        user_id=user_id,
        username=username,
        role=Role(role),
        areas=frozenset(r[8] for r in rows if r[8] is not None),
        all_areas=bool(all_areas),
        display_name=display_name,
    )


def revoke_token(engine: Engine, *, token: str | None = None, token_id: int | None = None) -> bool:
    """Revoke by secret or by id; returns whether a live credential was revoked."""
    cond = (
        credentials.c.token_hash == token_digest(token)
        if token is not None
        else credentials.c.id == token_id
    )
    with engine.begin() as conn:
        result = conn.execute(
            update(credentials)
            .where(cond, credentials.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    return bool(result.rowcount)


@dataclass(frozen=True)
class TokenInfo:
    id: int
    username: str
    name: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


def list_tokens(engine: Engine, *, username: str | None = None) -> list[TokenInfo]:
    query = (
        select(credentials, users.c.username)
        .join(users, users.c.id == credentials.c.user_id)
        .where(credentials.c.kind == "api")
        .order_by(credentials.c.id)
    )
    if username:
        query = query.where(users.c.username == username)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        TokenInfo(r.id, r.username, r.name, r.created_at, r.expires_at, r.revoked_at)
        for r in rows
    ]
