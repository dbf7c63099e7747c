"""Rendering helpers shared by the page modules: templates, navigation, CSRF, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from lantern.access.roles import Permission, Principal
from lantern.api.security import SESSION_COOKIE, csrf_token

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.globals["risk_order"] = {"high": 0, "medium": 1, "low": 2, "none": 3}

NAV = (
    ("/search", "Search", Permission.PERSON_SEARCH),
    ("/alerts", "Alerts", Permission.ALERTS_READ),
    ("/groups", "Groups", Permission.NETWORK_READ),
    ("/review", "Review", Permission.REVIEW_READ),
    ("/submissions", "Submissions", Permission.SUBMISSIONS_READ),
    ("/national", "National", Permission.NATIONAL_READ),
    ("/audit", "Audit", Permission.AUDIT_READ),
    ("/users", "Users", Permission.USERS_MANAGE),
)


def nav_for(principal: Principal | None, path: str) -> list[dict[str, Any]]:
    if principal is None:
        return []
    return [
        {"href": href, "label": label, "current": path.startswith(href)}
        for href, label, permission in NAV
        if principal.can(permission)
    ]


def home_for(principal: Principal) -> str:
    for href, _label, permission in NAV:
        if principal.can(permission):
            return href
    return "/denied"


def session_csrf(request: Request) -> str:
    session = request.cookies.get(SESSION_COOKIE)
    return csrf_token(request.app.state.ctx.secret, session) if session else ""


def render(
    request: Request,
    name: str,
    principal: Principal | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.update(
        request=request,
        user=principal,
        nav=nav_for(principal, request.url.path),
        csrf=session_csrf(request),
    )
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


HEADINGS = {
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    422: "Please check the form",
    503: "Not available yet",
}


def error_page(request: Request, *, status: int, message: str) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    return render(
        request,
        "error.html",
        principal,
        status=status,
        code=status,
        heading=HEADINGS.get(status, "Something went wrong"),
        message=message,
    )


def is_fragment(request: Request) -> bool:
    """Progressive enhancement: app.js asks for a fragment instead of a whole page."""
    return request.headers.get("x-lantern-fragment") == "1"
