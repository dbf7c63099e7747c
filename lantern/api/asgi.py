"""An app factory for ``uvicorn --factory`` and ``lantern serve --workers N``: each worker
process opens the store named by ``LANTERN_DB`` and builds its own search index before it
accepts requests."""

from __future__ import annotations

import os

from fastapi import FastAPI

from lantern.api.app import create_app
from lantern.store.db import open_store


def create_from_env() -> FastAPI:
    engine = open_store(os.environ.get("LANTERN_DB"))
    app = create_app(engine, secret=os.environ.get("LANTERN_SECRET"),
                     secure_cookies=os.environ.get("LANTERN_SECURE_COOKIES") == "1")
    app.state.ctx.index.refresh(force=True)
    return app
