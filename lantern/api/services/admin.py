"""Users, tokens and the audit log, for admins and auditors."""

from __future__ import annotations

from datetime import datetime, timedelta

from lantern.access import audit, users
from lantern.access.roles import Permission, Principal, Role
from lantern.api.context import AppContext, BadInput, Call, NotFound
from lantern.api.services.base import guarded, log_read


def list_users(ctx: AppContext, principal: Principal, call: Call) -> list[users.UserInfo]:
    with guarded(ctx, principal, "users.list", call, permission=Permission.USERS_MANAGE):
        found = users.list_users(ctx.engine)
    log_read(ctx, principal, "users.list", call, result_ids=[u.username for u in found])
    return found


def add_user(
    ctx: AppContext,
    principal: Principal,
    call: Call,
    *,
    username: str,
    password: str,
    role: str,
    areas: list[str],
    display_name: str | None,
) -> None:
    with guarded(ctx, principal, "users.add", call, permission=Permission.USERS_MANAGE):
        try:
            users.add_user(
                ctx.engine,
                username=username,
                password=password,
                role=Role(role),
                areas=areas,
                display_name=display_name,
            )
        except ValueError as exc:
            raise BadInput(str(exc)) from exc
    log_read(ctx, principal, "users.add", call, subject=username, detail={"role": role,
             "areas": areas})


def disable_user(ctx: AppContext, principal: Principal, call: Call, *, username: str) -> None:
    with guarded(ctx, principal, "users.disable", call, permission=Permission.USERS_MANAGE):
        try:
            users.disable_user(ctx.engine, username=username)
        except ValueError as exc:
            raise NotFound(str(exc)) from exc
    log_read(ctx, principal, "users.disable", call, subject=username)


def issue_token(
    ctx: AppContext, principal: Principal, call: Call, *, username: str, name: str | None,
    days: int | None,
) -> str:
    with guarded(ctx, principal, "tokens.issue", call, permission=Permission.USERS_MANAGE):
        try:
            token = users.issue_token(
                ctx.engine, username=username, kind="api", name=name,
                ttl=timedelta(days=days) if days else None,
            )
        except ValueError as exc:
            raise NotFound(str(exc)) from exc
    log_read(ctx, principal, "tokens.issue", call, subject=username)
    return token


def list_tokens(ctx: AppContext, principal: Principal, call: Call) -> list[users.TokenInfo]:
    with guarded(ctx, principal, "tokens.list", call, permission=Permission.USERS_MANAGE):
        return users.list_tokens(ctx.engine)


def revoke_token(ctx: AppContext, principal: Principal, call: Call, *, token_id: int) -> None:
    with guarded(ctx, principal, "tokens.revoke", call, permission=Permission.USERS_MANAGE):
        if not users.revoke_token(ctx.engine, token_id=token_id):
            raise NotFound(f"no live token {token_id}")
    log_read(ctx, principal, "tokens.revoke", call, subject=str(token_id))


def show_audit(
    ctx: AppContext,
    principal: Principal,
    call: Call,
    *,
    user: str | None,
    person: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[audit.Entry]:
    with guarded(ctx, principal, "audit.read", call, permission=Permission.AUDIT_READ):
        entries = audit.show(
            ctx.engine, user=user, person=person, since=since, until=until, limit=limit
        )
    log_read(
        ctx, principal, "audit.read", call,
        detail={"user": user, "person": person, "since": since, "until": until},
        result_ids=[str(e.seq) for e in entries],
    )
    return entries


def verify_audit(ctx: AppContext, principal: Principal, call: Call) -> audit.VerifyResult:
    with guarded(ctx, principal, "audit.verify", call, permission=Permission.AUDIT_READ):
        result = audit.verify(ctx.engine)
    log_read(ctx, principal, "audit.verify", call, detail={"ok": result.ok,
             "rows": result.rows})
    return result
