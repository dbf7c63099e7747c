"""Users, API tokens and the audit log."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from lantern.access.roles import Role
from lantern.api.deps import DENIED, ApiUser, CallInfo, Ctx, IntId
from lantern.api.services import admin as service

router = APIRouter(tags=["admin"])


class UserOut(BaseModel):
    username: str
    display_name: str | None
    role: str
    areas: list[str]
    all_areas: bool
    disabled: bool
    locked_until: datetime | None


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    password: str = Field(min_length=10, max_length=1024)
    role: Role
    areas: list[Annotated[str, Field(pattern=r"^[A-Z0-9]{1,16}$")]] = Field(
        default_factory=list, max_length=500
    )
    display_name: str | None = Field(default=None, max_length=200)


class TokenIn(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    days: int | None = Field(default=None, ge=1, le=366)


class TokenOut(BaseModel):
    token: str


class TokenInfoOut(BaseModel):
    id: int
    username: str
    name: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class AuditEntryOut(BaseModel):
    seq: int
    at: str
    username: str
    role: str
    action: str
    outcome: str
    purpose: str | None
    subject: str | None
    result_ids: list[str]
    detail: dict[str, object] | None
    client: str | None


class ProblemOut(BaseModel):
    seq: int
    kind: str
    message: str


class VerifyOut(BaseModel):
    ok: bool
    rows: int
    head_seq: int
    head_hash: str
    problems: list[ProblemOut]


@router.get("/users", response_model=list[UserOut], responses=DENIED)
def list_users(ctx: Ctx, user: ApiUser, call: CallInfo) -> list[UserOut]:
    """Every account with its role and areas (admins)."""
    found = service.list_users(ctx, user, call)
    return [UserOut(**{k: v for k, v in asdict(u).items() if k != "id"}) for u in found]


@router.post("/users", status_code=201, responses=DENIED)
def add_user(body: UserIn, ctx: Ctx, user: ApiUser, call: CallInfo) -> dict[str, str]:
    """Create an account (admins). National analysts, auditors and admins see all areas."""
    service.add_user(
        ctx, user, call, username=body.username, password=body.password,
        role=body.role.value, areas=body.areas, display_name=body.display_name,
    )
    return {"username": body.username}


@router.post("/users/{username}/disable", status_code=204, responses=DENIED)
def disable_user(username: str, ctx: Ctx, user: ApiUser, call: CallInfo) -> None:
    """Disable an account and revoke all its sessions and tokens (admins)."""
    service.disable_user(ctx, user, call, username=username)


@router.post("/users/{username}/tokens", response_model=TokenOut, status_code=201,
             responses=DENIED)
def issue_token(username: str, body: TokenIn, ctx: Ctx, user: ApiUser,
                call: CallInfo) -> TokenOut:
    """Issue an API token for an account; it is shown once (admins)."""
    token = service.issue_token(ctx, user, call, username=username, name=body.name,
                                days=body.days)
    return TokenOut(token=token)


@router.get("/tokens", response_model=list[TokenInfoOut], responses=DENIED)
def list_tokens(ctx: Ctx, user: ApiUser, call: CallInfo) -> list[TokenInfoOut]:
    """API tokens with their state (admins); the secrets themselves are never stored."""
    return [TokenInfoOut(**asdict(t)) for t in service.list_tokens(ctx, user, call)]


@router.delete("/tokens/{token_id}", status_code=204, responses=DENIED)
def revoke_token(token_id: IntId, ctx: Ctx, user: ApiUser, call: CallInfo) -> None:
    """Revoke an API token at once (admins)."""
    service.revoke_token(ctx, user, call, token_id=token_id)


@router.get("/audit", response_model=list[AuditEntryOut], responses=DENIED)
def show_audit(
    ctx: Ctx,
    user: ApiUser,
    call: CallInfo,
    username: Annotated[str | None, Query(alias="user", max_length=64)] = None,
    person: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> list[AuditEntryOut]:
    """Audit entries, newest first, by user, person and time (auditors)."""
    entries = service.show_audit(
        ctx, user, call, user=username, person=person, since=since, until=until, limit=limit
    )
    return [AuditEntryOut(**asdict(e)) for e in entries]


@router.get("/audit/verify", response_model=VerifyOut, responses=DENIED)
def verify_audit(ctx: Ctx, user: ApiUser, call: CallInfo) -> VerifyOut:
    """Walk the hash chain and report any edited, removed or reordered row (auditors)."""
    result = service.verify_audit(ctx, user, call)
    return VerifyOut(
        ok=result.ok, rows=result.rows, head_seq=result.head_seq, head_hash=result.head_hash,
        problems=[ProblemOut(**asdict(p)) for p in result.problems],
    )
