"""HTTP hardening: security headers, CSRF tokens bound to the session, cookie names."""

from __future__ import annotations

import hashlib
import hmac

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "lantern_session"
PRELOGIN_COOKIE = "lantern_prelogin"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

# No inline script or style anywhere: every script and stylesheet is a vendored file.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def csrf_token(secret: bytes, bound_to: str) -> str:
    """A CSRF token derived from the session (or pre-login) secret: nothing to store."""
    return hmac.new(secret, f"csrf:{bound_to}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, bound_to: str | None, presented: str | None) -> bool:
    if not bound_to or not presented:
        return False
    return hmac.compare_digest(csrf_token(secret, bound_to), presented)


_RAW_HEADERS = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in HEADERS.items()]
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
_NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    """ASGI middleware adding the headers to every response; pages are never cached.

    Works on the raw header list (names already encoded, set once): a header the response
    set itself is kept, except ``Cache-Control``, which is ``no-store`` on everything but
    static files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(bytes(k).lower(), bytes(v)) for k, v in message.get("headers", ())]
                present = {k for k, _ in headers}
                headers.extend(h for h in _RAW_HEADERS if h[0] not in present)
                if https and _HSTS[0] not in present:
                    headers.append(_HSTS)
                if not static:
                    headers = [h for h in headers if h[0] != _NO_STORE[0]]
                    headers.append(_NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
