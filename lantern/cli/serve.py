"""``lantern serve``: the web app and API (FastAPI on uvicorn)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from lantern.cli.common import CliError, DbOption, console
from lantern.store.db import open_store


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="Mark cookies Secure (behind HTTPS).")
    ] = False,
    workers: Annotated[int, typer.Option(
        "--workers", help="Worker processes (each holds its own search index); about one "
        "per core.")] = 1,
) -> None:
    """Serve the web app and the REST API (OpenAPI at /api/openapi.json).

    Set LANTERN_SECRET to keep CSRF tokens valid across restarts (sessions and API tokens
    live in the store either way). Create accounts first with `lantern users add`.
    """
    import uvicorn

    from lantern.api.app import create_app
    from lantern.api.asgi import EVENT_LOOP, HTTP_PROTOCOL, prepare_worker

    if workers < 1:
        raise CliError("--workers must be at least 1")
    engine = open_store(db)
    if workers > 1:
        import secrets

        os.environ["LANTERN_DB"] = str(engine.url.render_as_string(hide_password=False))
        # one secret for every worker, so a form served by one is accepted by another
        os.environ.setdefault("LANTERN_SECRET", secrets.token_hex(32))
        os.environ["LANTERN_SECURE_COOKIES"] = "1" if secure_cookies else "0"
        engine.dispose()
        console.print(f"Lantern on http://{host}:{port}/  ({workers} workers; "
                      "API: /api/openapi.json)")
        uvicorn.run("lantern.api.asgi:create_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level="warning", access_log=False,
                    http=HTTP_PROTOCOL, loop=EVENT_LOOP)
        return
    app = create_app(engine, secret=os.environ.get("LANTERN_SECRET"),
                     secure_cookies=secure_cookies)
    prepare_worker(app)
    console.print(f"Lantern on http://{host}:{port}/  (API: /api/openapi.json)")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                http=HTTP_PROTOCOL, loop=EVENT_LOOP)


def register(root: typer.Typer) -> None:
    """Add the top-level ``serve`` command."""
    root.command("serve")(serve)
