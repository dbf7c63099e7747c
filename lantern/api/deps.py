"""Request dependencies: who is calling (API token or session), CSRF, the context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, HTTPException, Path, Request
from starlette.concurrency import run_in_threadpool

from lantern.access.roles import Principal
from lantern.access.users import principal_for_token
from lantern.api.context import AppContext, Call
from lantern.api.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, csrf_ok

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
P = ParamSpec("P")
T = TypeVar("T")


async def run(ctx: AppContext, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Call a service from an ``async`` route: in the event loop on SQLite, else in a
    worker thread.

    The hot read routes (search, the child's page, alerts, national figures) are
    ``async`` and call their service through this. On a SQLite file every statement is
    CPU work in this process, done in a few milliseconds, so a worker thread gains
    nothing and costs two thread hand-offs per request, plus GIL hand-offs between a
    dozen threads under load. On PostgreSQL a query waits on the network, and the
    thread lets the loop serve other requests meanwhile. Slow routes (uploads, exports,
    review) stay plain ``def`` routes in worker threads either way.
    """
    if ctx.inline:
        return func(*args, **kwargs)
    return await run_in_threadpool(func, *args, **kwargs)



class LoginRequired(Exception):
    """A page needs a session; the web layer answers with a redirect to /login."""


# The small dependencies are ``async`` so that FastAPI calls them in the event loop:
# a plain ``def`` would cost a hop to the thread pool and back on every request.
async def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def get_call(request: Request) -> Call:
    return Call(client=request.client.host if request.client else None)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _check_csrf(request: Request, ctx: AppContext, session: str) -> None:
    if request.method not in UNSAFE:
        return
    presented = request.headers.get(CSRF_HEADER)
    if presented is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    if not csrf_ok(ctx.secret, session, presented):
        raise HTTPException(status_code=403, detail="missing or invalid CSRF token")


async def api_principal(request: Request) -> Principal:
    """An API caller: a bearer token, or the web session (then CSRF-checked)."""
    ctx: AppContext = request.app.state.ctx
    token = _bearer(request)
    if token:
        principal = principal_for_token(ctx.engine, token, kind="api")
        if principal is None:
            raise HTTPException(
                status_code=401,
                detail="invalid, expired or revoked token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return principal
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        principal = principal_for_token(ctx.engine, session, kind="session")
        if principal is not None:
            await _check_csrf(request, ctx, session)
            return principal
    raise HTTPException(
        status_code=401, detail="authentication required", headers={"WWW-Authenticate": "Bearer"}
    )


async def web_principal(request: Request) -> Principal:
    """A page visitor with a live session; CSRF-checked on every form post."""
    ctx: AppContext = request.app.state.ctx
    session = request.cookies.get(SESSION_COOKIE)
    principal = principal_for_token(ctx.engine, session, kind="session") if session else None
    if principal is None or session is None:
        raise LoginRequired()
    await _check_csrf(request, ctx, session)
    return principal


Ctx = Annotated[AppContext, Depends(get_ctx)]
CallInfo = Annotated[Call, Depends(get_call)]
ApiUser = Annotated[Principal, Depends(api_principal)]
WebUser = Annotated[Principal, Depends(web_principal)]

Responses = dict[int | str, dict[str, Any]]
DENIED: Responses = {403: {"description": "outside your role or areas (logged)"}}
NOT_FOUND: Responses = {404: {"description": "not found"}}
UNAVAILABLE: Responses = {503: {"description": "that stage has not been run"}}

# Ids in paths: bounded so that no value reaches the database that it cannot hold.
IntId = Annotated[int, Path(ge=1, le=2**31 - 1)]
