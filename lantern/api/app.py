"""The FastAPI application: API under ``/api/v1`` (OpenAPI at ``/api/openapi.json``), web
pages at ``/``, vendored static files at ``/static``. Nothing is fetched at run time."""

from __future__ import annotations

import secrets as _secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from lantern.access.roles import AccessDenied
from lantern.api.context import AppContext, BadInput, NotFound, ServiceUnavailable
from lantern.api.deps import LoginRequired
from lantern.api.routes import register_api
from lantern.api.security import SecurityHeaders

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"

_STATUS = {AccessDenied: 403, NotFound: 404, ServiceUnavailable: 503, BadInput: 422}


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


# Requests run in worker threads; fewer threads than the store's connection pool (5 + 10
# overflow by default) so that no request waits for a connection, and few enough for two
# cores and the GIL.
WORKER_THREADS = 12


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield


def create_app(
    engine: Engine, *, secret: str | bytes | None = None, secure_cookies: bool = False
) -> FastAPI:
    """Build the app over one store. ``secret`` keys CSRF tokens (random if not given)."""
    key = secret.encode() if isinstance(secret, str) else (secret or _secrets.token_bytes(32))
    app = FastAPI(
        lifespan=_lifespan,
        title="Lantern API",
        version="1",
        description=(
            "Multi-agency intelligence on child sexual exploitation. Every read of "
            "identifiable data is checked against the caller's role and areas and written "
            "to a hash-chained audit log before it is returned. Authenticate with "
            "`Authorization: Bearer <token>` (`lantern users token USER` or "
            "`POST /api/v1/auth/token`)."
        ),
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI would load scripts from a CDN
        redoc_url=None,
    )
    app.state.ctx = AppContext(engine=engine, secret=key, secure_cookies=secure_cookies)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def on_known(request: Request, exc: Exception) -> Response:
        status = next(code for kind, code in _STATUS.items() if isinstance(exc, kind))
        if _wants_html(request):
            from lantern.web.pages import error_page

            return error_page(request, status=status, message=str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=status)

    for kind in _STATUS:
        app.add_exception_handler(kind, on_known)

    async def on_login_required(request: Request, exc: Exception) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    app.add_exception_handler(LoginRequired, on_login_required)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if _wants_html(request) and exc.status_code in {403, 404, 405}:
            from lantern.web.pages import error_page

            return error_page(request, status=exc.status_code, message=str(exc.detail))
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    app.add_exception_handler(StarletteHTTPException, on_http)

    async def on_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if _wants_html(request):
            from lantern.web.pages import error_page

            return error_page(request, status=422, message="the form was not filled in right")
        errors = [
            {"loc": list(e.get("loc", [])), "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    app.add_exception_handler(RequestValidationError, on_invalid)

    register_api(app)
    from lantern.web.pages import router as web_router

    app.include_router(web_router, include_in_schema=False)
    return app
