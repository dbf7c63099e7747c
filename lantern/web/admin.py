"""Pages for auditors (the audit log) and admins (users)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lantern.access.roles import Role
from lantern.api.context import BadInput
from lantern.api.deps import CallInfo, Ctx, WebUser
from lantern.api.services import admin
from lantern.web.render import render

router = APIRouter()


def _when(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    ctx: Ctx,
    user: WebUser,
    call: CallInfo,
    who: str | None = None,
    person: str | None = None,
    since: str | None = None,
    until: str | None = None,
    verify: bool = False,
) -> Response:
    request.state.principal = user
    entries = admin.show_audit(ctx, user, call, user=who or None, person=person or None,
                               since=_when(since), until=_when(until), limit=300)
    checked = admin.verify_audit(ctx, user, call) if verify else None
    return render(request, "audit.html", user, entries=entries, checked=checked,
                  f={"who": who, "person": person, "since": since, "until": until})


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, ctx: Ctx, user: WebUser, call: CallInfo,
               error: str | None = None) -> Response:
    request.state.principal = user
    return render(request, "users.html", user, users=admin.list_users(ctx, user, call),
                  roles=[r.value for r in Role], error=error)


@router.post("/users", response_class=HTMLResponse)
def add_user_page(
    request: Request,
    ctx: Ctx,
    user: WebUser,
    call: CallInfo,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[str, Form(max_length=32)],
    areas: Annotated[str, Form(max_length=2000)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    request.state.principal = user
    try:
        if role not in {r.value for r in Role}:
            raise BadInput(f"unknown role {role!r}")
        admin.add_user(ctx, user, call, username=username.strip(), password=password,
                       role=role, display_name=display_name.strip() or None,
                       areas=[a.strip().upper() for a in areas.replace(";", ",").split(",")
                              if a.strip()])
    except BadInput as exc:
        return render(request, "users.html", user, users=admin.list_users(ctx, user, call),
                      roles=[r.value for r in Role], error=str(exc), status=422)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{username}/disable")
def disable_user_page(request: Request, ctx: Ctx, user: WebUser, call: CallInfo,
                      username: str) -> Response:
    request.state.principal = user
    admin.disable_user(ctx, user, call, username=username)
    return RedirectResponse("/users", status_code=303)
