"""The web pages: login, search, the child's page; other pages in sibling modules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lantern.access import audit
from lantern.access.audit import Actor
from lantern.access.roles import PURPOSES, Principal
from lantern.access.users import (
    SESSION_TTL,
    LoginFailed,
    authenticate,
    issue_token,
    principal_for_token,
    revoke_token,
)
from lantern.api.deps import CallInfo, Ctx, WebUser
from lantern.api.security import PRELOGIN_COOKIE, SESSION_COOKIE, csrf_ok, csrf_token
from lantern.api.services import persons
from lantern.search import SearchQuery
from lantern.web.admin import router as admin_router
from lantern.web.analysis import router as analysis_router
from lantern.web.render import error_page, home_for, render
from lantern.web.work import router as work_router

router = APIRouter()
router.include_router(work_router)
router.include_router(admin_router)
router.include_router(analysis_router)
__all__ = ["error_page", "router"]


def _remember(request: Request, principal: Principal) -> None:
    request.state.principal = principal


def _safe_next(value: str | None) -> str | None:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    import secrets

    prelogin = request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        None,
        login_csrf=csrf_token(request.app.state.ctx.secret, prelogin),
        next=_safe_next(next) or "",
    )
    response.set_cookie(
        PRELOGIN_COOKIE, prelogin, httponly=True, samesite="strict",
        secure=request.app.state.ctx.secure_cookies, max_age=3600,
    )
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    ctx: Ctx,
    call: CallInfo,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token_field: Annotated[str, Form(alias="csrf_token")] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    prelogin = request.cookies.get(PRELOGIN_COOKIE)
    if not csrf_ok(ctx.secret, prelogin, csrf_token_field):
        return error_page(request, status=403, message="the login form expired; reload it")
    try:
        principal = authenticate(ctx.engine, username=username, password=password)
    except LoginFailed as exc:
        audit.record(
            ctx.engine, actor=Actor(username, "-"), action="login", outcome="denied",
            detail={"reason": str(exc)}, client=call.client,
        )
        return render(
            request, "login.html", None, status=401, error=str(exc), username=username,
            login_csrf=csrf_token(ctx.secret, prelogin or ""), next=_safe_next(next) or "",
        )
    session = issue_token(ctx.engine, username=principal.username, kind="session",
                          ttl=SESSION_TTL)
    audit.record(ctx.engine, actor=principal, action="login", client=call.client)
    response = RedirectResponse(_safe_next(next) or home_for(principal), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, session, httponly=True, samesite="strict",
        secure=ctx.secure_cookies, max_age=int(SESSION_TTL.total_seconds()),
    )
    response.delete_cookie(PRELOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, ctx: Ctx, user: WebUser, call: CallInfo) -> Response:
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        revoke_token(ctx.engine, token=session)
    audit.record(ctx.engine, actor=user, action="logout", client=call.client)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request, ctx: Ctx) -> Response:
    session = request.cookies.get(SESSION_COOKIE)
    principal = principal_for_token(ctx.engine, session, kind="session") if session else None
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(home_for(principal), status_code=303)


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    ctx: Ctx,
    user: WebUser,
    call: CallInfo,
    name: str | None = None,
    dob: str | None = None,
    postcode: str | None = None,
    phone: str | None = None,
    vehicle: str | None = None,
) -> Response:
    _remember(request, user)
    query = SearchQuery(
        name=(name or "")[:200] or None, dob=(dob or "")[:40] or None,
        postcode=(postcode or "")[:20] or None, phone=(phone or "")[:40] or None,
        vehicle=(vehicle or "")[:20] or None,
    )
    hits = persons.search(ctx, user, call, query=query)
    return render(request, "search.html", user, q=query, hits=hits,
                  searched=not query.is_empty())


@router.get("/persons/{person_id}", response_class=HTMLResponse)
def person_page(
    request: Request,
    ctx: Ctx,
    user: WebUser,
    call: CallInfo,
    person_id: str,
    purpose: str | None = None,
    note: str | None = None,
) -> Response:
    _remember(request, user)
    if not purpose:
        return render(request, "purpose.html", user, person_id=person_id, purposes=PURPOSES)
    view = persons.person_view(
        ctx, user, call, person_id=person_id, purpose=purpose, note=(note or "")[:500] or None
    )
    return render(request, "person.html", user, v=view, purpose=PURPOSES.get(purpose, purpose))


@router.get("/denied", response_class=HTMLResponse)
def denied(request: Request, user: WebUser) -> Response:
    _remember(request, user)
    return error_page(request, status=403, message="your role has no pages")
