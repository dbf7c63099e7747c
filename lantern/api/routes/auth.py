"""Tokens for API clients: log in with a password, revoke, see who you are."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from lantern.access import audit
from lantern.access.audit import Actor
from lantern.access.users import LoginFailed, authenticate, issue_token, revoke_token
from lantern.api.deps import ApiUser, CallInfo, Ctx

router = APIRouter(prefix="/auth", tags=["auth"])
API_TOKEN_TTL = timedelta(hours=8)


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"
    expires_in: int


class Me(BaseModel):
    username: str
    role: str
    areas: list[str]
    all_areas: bool
    permissions: list[str]


@router.post("/token", response_model=TokenOut, responses={401: {"description": "refused"}})
def login(body: Credentials, ctx: Ctx, call: CallInfo) -> TokenOut:
    """Exchange a username and password for an API token (8 hours). Failures count
    towards the account's lockout."""
    try:
        principal = authenticate(ctx.engine, username=body.username, password=body.password)
    except LoginFailed as exc:
        audit.record(
            ctx.engine,
            actor=Actor(body.username, "-"),
            action="login.api",
            outcome="denied",
            detail={"reason": str(exc)},
            client=call.client,
        )
        raise HTTPException(status_code=401, detail=str(exc)) from exc
    token = issue_token(
        ctx.engine, username=principal.username, kind="api", name="login", ttl=API_TOKEN_TTL
    )
    audit.record(ctx.engine, actor=principal, action="login.api", client=call.client)
    return TokenOut(token=token, expires_in=int(API_TOKEN_TTL.total_seconds()))


@router.delete("/token", status_code=204, responses={401: {"description": "no token"}})
def logout(request: Request, user: ApiUser, ctx: Ctx, call: CallInfo) -> None:
    """Revoke the bearer token this request was made with."""
    header = request.headers.get("authorization", "")
    token = header.partition(" ")[2].strip()
    if not token:
        raise HTTPException(status_code=400, detail="no bearer token to revoke")
    revoke_token(ctx.engine, token=token)
    audit.record(ctx.engine, actor=user, action="token.revoke", client=call.client)


@router.get("/me", response_model=Me, responses={401: {"description": "not logged in"}})
async def me(user: ApiUser) -> Me:
    """Who the token belongs to, with their role, areas and permissions."""
    return Me(
        username=user.username,
        role=user.role.value,
        areas=sorted(user.areas),
        all_areas=user.all_areas,
        permissions=sorted(p.value for p in user.permissions),
    )
